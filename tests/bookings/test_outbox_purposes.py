"""Every email of a booking's life is an outbox row with a purpose key: queuing the same
purpose twice (a service called twice, a sweep run twice) leaves one row and sends one email;
allauth's own emails go through the outbox too."""

import base64
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from bookings import services
from bookings.emails import booking_email_queue
from core.models import OutgoingEmail
from tests.factories import BookingFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_booking_is_confirmed_by_one_row_with_its_purpose(mailoutbox,
                                                            django_capture_on_commit_callbacks):
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    delegate = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(event=event, delegate=delegate, now=timezone.now())
    [row] = OutgoingEmail.objects.filter(recipient=delegate.email)
    assert row.purpose == f"booking:{booking.uid}:booking_confirmed:0"
    assert row.status == OutgoingEmail.Status.SENT and row.user == delegate
    [invite] = row.attachments
    content = base64.b64decode(invite["content"]) if invite["base64"] else invite["content"]
    assert invite["filename"].endswith(".ics") and "BEGIN:VCALENDAR" in str(content)
    # The same email queued again (a retried service, a replayed signal): nothing more.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert booking_email_queue(booking=booking, template="booking_confirmed",
                                   ics="REQUEST") == []
    assert OutgoingEmail.objects.filter(recipient=delegate.email).count() == 1
    assert len([m for m in mailoutbox if m.to == [delegate.email]]) == 1


def test_the_reminder_sweep_run_twice_leaves_one_row_and_one_email(mailoutbox):
    booking = BookingFactory(event=EventFactory(start=timezone.now() + timedelta(days=1)))
    now = timezone.now()
    assert services.event_reminders_send(now=now) == 1
    assert services.event_reminders_send(now=now) == 0
    rows = OutgoingEmail.objects.filter(purpose__startswith=f"booking:{booking.uid}:reminder")
    assert rows.count() == 1
    assert len(mailoutbox) == 1


def test_allauths_emails_go_through_the_outbox(client, mailoutbox):
    response = client.post("/accounts/signup/", {
        "first_name": "New", "last_name": "Person", "email": "new.person@example.org", "password1": "a-long-Passphrase-9",
        "password2": "a-long-Passphrase-9"})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["new.person@example.org"]]
    [row] = OutgoingEmail.objects.filter(recipient="new.person@example.org")
    assert row.purpose.startswith("account:email_confirmation")
    assert row.status == OutgoingEmail.Status.SENT
