"""The printable register and sign-in sheet (PDF, WeasyPrint), read back with pdftotext."""

import subprocess
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


def pdf_text(response, tmp_path):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    path = tmp_path / "sheet.pdf"
    path.write_bytes(response.content)
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                            check=True, timeout=60)
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def event(make_user):
    facilitator = make_user(Role.FACILITATOR, first_name="Fiona", last_name="Facilitator")
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(course=CourseFactory(title="Contextual Safeguarding"), start=start,
                         end=start + timedelta(hours=7),
                         venue=VenueFactory(name="Brierley Hill Civic Hall"),
                         facilitators=[facilitator])
    council = OrganisationFactory(name="Dudley Council")
    nursery = OrganisationFactory(name="Little Acorns Nursery")
    BookingFactory(event=event, delegate=UserFactory(first_name="Ann", last_name="Archer",
                                                     organisation=council),
                   status=BookingStatus.ATTENDED)
    BookingFactory(event=event, delegate=UserFactory(first_name="Bob", last_name="Baker",
                                                     organisation=nursery),
                   status=BookingStatus.NOT_ADMITTED, minutes_late=45, contacted_team=False)
    BookingFactory(event=event, delegate=UserFactory(first_name="Cat", last_name="Cole",
                                                     organisation=council))
    # Not on the register: cancelled, and waiting.
    BookingFactory(event=event, delegate=UserFactory(first_name="Dan", last_name="Dropped"),
                   status=BookingStatus.CANCELLED)
    BookingFactory(event=event, delegate=UserFactory(first_name="Eve", last_name="Waiting"),
                   status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())
    event.facilitator = facilitator
    return event


def test_the_register_pdf_lists_each_delegate_with_status_and_minutes_late(client, event,
                                                                           tmp_path):
    client.force_login(event.facilitator)
    text = pdf_text(client.get(reverse("bookings:event-register-pdf",
                                       kwargs={"event_pk": event.pk})), tmp_path)

    assert "Register" in text and "Contextual Safeguarding" in text
    assert "Brierley Hill Civic Hall" in text
    assert "Fiona Facilitator" in text
    assert "Ann Archer Dudley Council" in text and "Attended" in text
    assert "Bob Baker Little Acorns Nursery" in text
    assert "Not admitted (late) 45 No" in text
    assert "Cat Cole Dudley Council" in text and "Not marked yet" in text
    assert "Dropped" not in text and "Waiting" not in text


def test_the_sign_in_sheet_pdf_has_names_organisations_and_a_signature_column(client, event,
                                                                              tmp_path):
    client.force_login(event.facilitator)
    text = pdf_text(client.get(reverse("bookings:event-signin-pdf",
                                       kwargs={"event_pk": event.pk})), tmp_path)

    assert "Sign-in sheet" in text and "Signature" in text
    for line in ("Ann Archer Dudley Council", "Bob Baker Little Acorns Nursery",
                 "Cat Cole Dudley Council"):
        assert line in text
    assert "Dropped" not in text


def test_another_facilitator_cannot_print_the_register(client, event, make_user):
    client.force_login(make_user(Role.FACILITATOR))
    url = reverse("bookings:event-register-pdf", kwargs={"event_pk": event.pk})
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
