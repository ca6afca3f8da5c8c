"""Issue 15: "The retention sweep is idempotent and refuses what it must (unpaid charge,
future booking); access needs vanish on day 31, not 30"."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from accounts.roles import Role
from bookings.models import Booking
from bookings.policies import access_needs_kept
from charging.models import Charge, ChargeStatus
from core.calendar import LONDON
from core.models import AuditEntry, OutgoingEmail, Partnership
from privacy.anonymise import ANONYMISED_NAME
from privacy.policies import inactive_since
from privacy.retention import retention_sweep
from privacy.tasks import retention_sweep as retention_sweep_task
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

User = get_user_model()


def london(*args):
    return datetime(*args, tzinfo=LONDON)


# An event ending at 00:30 on Monday 28 September 2026, London (23:30 UTC on the 27th); the
# clocks go back on Sunday 25 October, between the event and day 30 (Wednesday 28 October).
EVENT_END = london(2026, 9, 28, 0, 30)


@pytest.mark.parametrize(("now", "expired"), [
    (london(2026, 10, 28, 0, 0), False),
    (london(2026, 10, 28, 23, 59, 59), False),
    (london(2026, 10, 29, 0, 0), True),
    (london(2026, 10, 29, 0, 0) - timedelta(seconds=1), False),
], ids=["day-30-start", "day-30-end", "day-31-start", "a-second-before-day-31"])
def test_access_needs_are_kept_on_day_30_and_gone_on_day_31(now, expired):
    assert access_needs_kept(event_end=EVENT_END, now=now, days=30) is not expired


def test_inactive_since_is_the_same_date_years_before_and_28_february_for_a_leap_day():
    assert inactive_since(now=london(2026, 12, 1, 3), years=6) == london(2020, 12, 1, 3)
    assert inactive_since(now=london(2028, 2, 29, 3), years=6) == london(2022, 2, 28, 3)


@pytest.fixture
def booking_with_needs(db):
    event = EventFactory(start=EVENT_END - timedelta(hours=7), end=EVENT_END)
    other = EventFactory(start=EVENT_END + timedelta(days=1) - timedelta(hours=7),
                         end=EVENT_END + timedelta(days=1))
    return (BookingFactory(event=event, status="attended", access_needs="Hearing loop"),
            BookingFactory(event=other, status="attended", access_needs="Step-free access"))


def test_the_sweep_deletes_access_needs_on_day_31_across_the_clock_change(booking_with_needs):
    first, next_day = booking_with_needs
    retention_sweep(now=london(2026, 10, 28, 23, 59))  # day 30 (GMT now; the event was BST)
    assert Booking.objects.get(pk=first.pk).access_needs == "Hearing loop"

    result = retention_sweep(now=london(2026, 10, 29, 0, 1))  # day 31
    assert result.access_needs_cleared == 1
    assert Booking.objects.get(pk=first.pk).access_needs == ""
    assert Booking.objects.get(pk=next_day.pk).access_needs == "Step-free access"  # its day 30
    entries = AuditEntry.objects.filter(action="retention.access_needs")
    assert [e.details["bookings"] for e in entries] == [1]

    again = retention_sweep(now=london(2026, 10, 29, 0, 2))
    assert again.as_dict() == {"access_needs_cleared": 0, "anonymised": [], "refused": [],
                               "email_bodies_cleared": 0}
    assert AuditEntry.objects.filter(action="retention.access_needs").count() == 1


def test_the_period_comes_from_the_partnership_settings(booking_with_needs):
    first, _ = booking_with_needs
    partnership = Partnership.load()
    partnership.access_needs_retention_days = 10
    partnership.save()
    retention_sweep(now=london(2026, 10, 8, 23, 0))  # day 10
    assert Booking.objects.get(pk=first.pk).access_needs == "Hearing loop"
    retention_sweep(now=london(2026, 10, 9, 0, 1))  # day 11
    assert Booking.objects.get(pk=first.pk).access_needs == ""


NOW = london(2026, 12, 1, 3, 30)
LONG_AGO = NOW - timedelta(days=7 * 366)


def _inactive(**kwargs):
    person = UserFactory(**kwargs)
    User.objects.filter(pk=person.pk).update(date_joined=LONG_AGO, last_login=LONG_AGO)
    booking = BookingFactory(delegate=person, status="attended", created_at=LONG_AGO,
                             booked_at=LONG_AGO, event=EventFactory(
                                 start=LONG_AGO + timedelta(days=30),
                                 end=LONG_AGO + timedelta(days=30, hours=7)))
    return person, booking


def test_the_sweep_anonymises_inactive_delegates_and_lists_those_it_must_refuse(db):
    gone, _ = _inactive(first_name="Gwen", last_name="Longgone")
    owing, owing_booking = _inactive(first_name="Owen", last_name="Owing")
    Charge.objects.create(booking=owing_booking, organisation=owing.organisation,
                          sector="private", kind="attendance", amount=Decimal("75.00"),
                          reason="Attendance", status=ChargeStatus.APPLIED)
    waiting, _ = _inactive(first_name="Wren", last_name="Waiting")
    BookingFactory(delegate=waiting, status="waitlisted", created_at=LONG_AGO, booked_at=None,
                   event=EventFactory(start=NOW + timedelta(days=20),
                                      end=NOW + timedelta(days=20, hours=7),
                                      course=CourseFactory(title="Neglect")))
    recent, _ = _inactive(first_name="Rita", last_name="Recent")
    User.objects.filter(pk=recent.pk).update(last_login=NOW - timedelta(days=6 * 365))
    officer, _ = _inactive(first_name="Olly", last_name="Officer", roles=[Role.OFFICER])
    admin, _ = _inactive(first_name="Ada", last_name="Admin", is_superuser=True)
    unmarked, _ = _inactive(first_name="Una", last_name="Unmarked")
    Booking.objects.filter(delegate=unmarked).update(status="booked")

    result = retention_sweep(now=NOW)

    assert result.anonymised == [gone.pk]
    assert str(User.objects.get(pk=gone.pk)) == ANONYMISED_NAME
    refused = dict(result.refused)
    assert set(refused) == {owing.pk, waiting.pk, unmarked.pk}  # staff: not even tried
    assert "not been invoiced and paid" in refused[owing.pk][0]
    assert "Neglect" in refused[waiting.pk][0]
    assert "the register must be marked first" in refused[unmarked.pk][0]
    for kept in (owing, waiting, recent, officer, admin, unmarked):
        assert User.objects.get(pk=kept.pk).anonymised_at is None
    assert AuditEntry.objects.filter(action="person.anonymise", actor=None).count() == 1

    again = retention_sweep(now=NOW + timedelta(minutes=5))
    assert again.anonymised == []
    assert set(dict(again.refused)) == {owing.pk, waiting.pk, unmarked.pk}
    assert AuditEntry.objects.filter(action="person.anonymise").count() == 1


def test_the_sweep_deletes_the_text_of_sent_emails_after_the_set_days(db):
    def email(purpose, *, sent_days_ago, status=OutgoingEmail.Status.SENT):
        return OutgoingEmail.objects.create(
            purpose=purpose, recipient="someone@example.org", from_email="x@example.org",
            subject=f"Subject {purpose}", body_text="Text", body_html="<p>Text</p>",
            attachments=[{"filename": "a.ics", "content": "X", "base64": False}],
            status=status, created_at=NOW - timedelta(days=sent_days_ago),
            sent_at=NOW - timedelta(days=sent_days_ago) if status == "sent" else None)

    old = email("old", sent_days_ago=366)
    young = email("young", sent_days_ago=364)
    failed = email("failed", sent_days_ago=400, status=OutgoingEmail.Status.FAILED)
    result = retention_sweep(now=NOW)
    assert result.email_bodies_cleared == 1
    old.refresh_from_db()
    assert (old.body_text, old.body_html, old.attachments) == ("", "", [])
    assert (old.subject, old.recipient, old.status) == ("Subject old", "someone@example.org",
                                                        "sent")
    for kept in (young, failed):
        kept.refresh_from_db()
        assert kept.body_text == "Text" and kept.attachments
    assert retention_sweep(now=NOW).email_bodies_cleared == 0
    assert AuditEntry.objects.filter(action="retention.email_bodies").count() == 1


def test_the_task_runs_the_sweep_now(db):
    booking = BookingFactory(status="attended", access_needs="Large print",
                             event=EventFactory(start=datetime(2020, 1, 1, 9, tzinfo=UTC),
                                                end=datetime(2020, 1, 1, 16, tzinfo=UTC)))
    assert retention_sweep_task()["access_needs_cleared"] == 1
    assert Booking.objects.get(pk=booking.pk).access_needs == ""


def test_the_sweep_is_on_the_beat_schedule_daily():
    from django.conf import settings

    from ddscp_training.celery import app

    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == "privacy.tasks.retention_sweep"]
    assert len(entries) == 1
    assert entries[0]["schedule"].hour == {3} and entries[0]["schedule"].minute == {30}
    assert "privacy.tasks.retention_sweep" in app.tasks


def test_the_booking_emails_that_copied_the_access_needs_lose_them_on_day_31(
        booking_with_needs):
    first, next_day = booking_with_needs

    def email(booking, template, needs):
        return OutgoingEmail.objects.create(
            purpose=f"booking:{booking.uid}:{template}:0", recipient="d@example.org",
            from_email="x@example.org", subject="Your place", status=OutgoingEmail.Status.SENT,
            sent_at=EVENT_END - timedelta(days=20), body_text=f"Your access needs: {needs}",
            body_html=f"<p>Your access needs: {needs}</p>",
            attachments=[{"filename": "booking.ics", "content": "x", "base64": False}])

    confirmed = email(first, "booking_confirmed", "Hearing loop")
    moved = email(first, "booking_moved", "Hearing loop")
    other = email(next_day, "booking_confirmed", "Step-free access")
    retention_sweep(now=london(2026, 10, 28, 23, 59))  # day 30
    assert "Hearing loop" in OutgoingEmail.objects.get(pk=confirmed.pk).body_text

    retention_sweep(now=london(2026, 10, 29, 0, 1))  # day 31
    for row in OutgoingEmail.objects.filter(pk__in=[confirmed.pk, moved.pk]):
        assert (row.body_text, row.body_html, row.attachments) == ("", "", [])
        assert row.subject == "Your place" and row.status == OutgoingEmail.Status.SENT
    assert "Step-free access" in OutgoingEmail.objects.get(pk=other.pk).body_text  # its day 30
    entry = AuditEntry.objects.get(action="retention.access_needs")
    assert entry.details == {"bookings": 1, "emails": 2, "days": 30}
