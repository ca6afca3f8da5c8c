"""An officer's download before a deletion: refused (nothing exported, no request opened)
while the account cannot be deleted; the kept fingerprint is of the data downloaded."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

import privacy.export
from accounts.roles import Role
from core.models import AuditEntry
from privacy.export import export_fingerprint
from privacy.models import DeletionRequest
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory


def delete_url(person):
    return reverse("privacy:person-delete", args=[person.pk])


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def test_a_refused_person_s_data_is_not_downloaded_and_no_request_is_opened(client, officer):
    person = UserFactory()
    BookingFactory(delegate=person, status="booked", event=EventFactory(
        course=CourseFactory(title="Domestic abuse"),
        start=timezone.now() + timedelta(days=3), end=timezone.now() + timedelta(days=3, hours=6)))
    client.force_login(officer)
    response = client.post(delete_url(person), {"action": "download"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "its data was not downloaded for a deletion" in page
    assert "Domestic abuse on" in page and "must be cancelled first" in page
    assert not DeletionRequest.objects.filter(user=person).exists()
    assert not AuditEntry.objects.filter(action="personal_data.export").exists()


def test_the_fingerprint_kept_is_of_the_data_downloaded(client, officer, monkeypatch):
    person = UserFactory()
    reads = []
    real = privacy.export.person_data
    monkeypatch.setattr(privacy.export, "person_data",
                        lambda user: reads.append(user) or real(user))
    client.force_login(officer)
    response = client.post(delete_url(person), {"action": "download"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert len(reads) == 1  # one read: the ZIP and the fingerprint are of the same data
    downloaded = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
    request = DeletionRequest.objects.get(user=person)
    assert request.export_fingerprint == export_fingerprint(person, data=downloaded)
