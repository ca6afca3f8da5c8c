"""Issue 11: the training team hears of each late cancellation, at the partnership's contact
address, through the outbox with its own purpose key."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookings import services
from core.models import OutgoingEmail, Partnership
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_late_cancellation_emails_the_training_team(django_capture_on_commit_callbacks):
    now = timezone.now()
    partnership = Partnership.load()
    event = EventFactory(start=now + timedelta(days=1, hours=2),
                         end=now + timedelta(days=1, hours=5),
                         joining_link="https://teams.example/1")
    person = UserFactory(first_name="Amira", last_name="Khan",
                         organisation=OrganisationFactory(name="Dudley MBC"))
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=person, now=now)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.late_cancellation_request(booking=booking, by=person, reason="other",
                                           detail="Court hearing moved", now=now)
    team = [m for m in mail.outbox if partnership.contact_email in m.to]
    assert len(team) == 1
    message = team[0]
    assert message.subject.startswith("Late cancellation: Amira Khan")
    assert "Court hearing moved" in message.body and "Dudley MBC" in message.body
    assert "working day" in message.body
    row = OutgoingEmail.objects.get(recipient=partnership.contact_email)
    assert row.purpose == f"booking:{booking.uid}:late_cancellation_team:1"
    # The delegate's own email is separate (its own purpose).
    assert [m for m in mail.outbox if person.email in m.to]


def test_an_in_time_cancellation_does_not_email_the_team(django_capture_on_commit_callbacks):
    now = timezone.now()
    partnership = Partnership.load()
    event = EventFactory(joining_link="https://teams.example/1")
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=person, now=now)
        services.booking_cancel(booking=booking, by=person, now=now)
    assert not [m for m in mail.outbox if partnership.contact_email in m.to]
