"""The export's ZIP: data.json, one CSV per section and a README, and its fingerprint."""
import io
import json
import zipfile

import pytest

from privacy.export import export_fingerprint, export_zip, person_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_zip_holds_data_json_a_csv_per_section_and_a_readme():
    user = UserFactory(first_name="Ada", last_name="Lovelace", job_title="Analyst")
    archive = zipfile.ZipFile(io.BytesIO(export_zip(user)))
    data = json.loads(archive.read("data.json"))
    assert data["profile"][0]["email"] == user.email
    assert "password" not in data["profile"][0]
    for section in data:
        assert f"{section}.csv" in archive.namelist()
        assert f"{section}.csv" in archive.read("README.txt").decode()
    assert "Analyst" in archive.read("profile.csv").decode()


def test_the_fingerprint_changes_when_the_data_changes():
    user = UserFactory()
    before = export_fingerprint(user)
    assert export_fingerprint(user) == before
    user.job_title = "Another job"
    user.save()
    assert export_fingerprint(user) != before
    assert isinstance(person_data(user), dict)


def test_downloading_does_not_change_the_fingerprint_but_a_new_booking_does():
    """The deletion of a person compares the fingerprint at their export with the one now:
    the export's own audit entry must not count as a change, a booking must."""
    from django.utils import timezone

    from privacy.export import personal_data_export
    from tests.factories import BookingFactory

    user = UserFactory()
    before = export_fingerprint(user)
    personal_data_export(person=user, by=user, now=timezone.now())
    assert export_fingerprint(user) == before
    BookingFactory(delegate=user)
    assert export_fingerprint(user) != before


def test_one_build_of_the_data_serves_the_zip_and_the_fingerprint():
    """The deletion page fingerprints exactly what it downloaded: person_data is built once
    and passed to both (a row added in between is in neither)."""
    from tests.factories import BookingFactory

    user = UserFactory()
    data = person_data(user)
    BookingFactory(delegate=user)
    archive = zipfile.ZipFile(io.BytesIO(export_zip(user, data=data)))
    assert json.loads(archive.read("data.json"))["bookings"] == []
    assert export_fingerprint(user, data=data) != export_fingerprint(user)
    assert export_fingerprint(user, data=json.loads(archive.read("data.json"))) == \
        export_fingerprint(user, data=data)
