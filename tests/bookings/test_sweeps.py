"""The scheduled sweeps (Celery beat): event reminders, joining links, refresher reminders and
events completing. Each takes `now`, so the boundaries are tested on fixed days; each run
twice sends nothing twice."""

import smtplib
from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from bookings import services, tasks
from bookings.models import BookingStatus
from core.audit import AuditEntry
from core.calendar import LONDON
from core.models import Partnership
from courses.models import Completion, EventStatus, Format
from ddscp_training.celery import app
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory, VenueFactory

pytestmark = pytest.mark.django_db


def london(y, m, d, hour=9, minute=30):
    return datetime(y, m, d, hour, minute, tzinfo=LONDON)


# Friday 6 March 2026, 9:30: the reminder (3 days before) is due from Tuesday 3 March.
EVENT_START = london(2026, 3, 6)


def body(message):
    return message.body + "".join(alt[0] for alt in message.alternatives)


@pytest.fixture
def classroom_event():
    return EventFactory(course=CourseFactory(title="Understanding Thresholds",
                                             format=Format.CLASSROOM),
                        venue=VenueFactory(name="Dudley Council House"), start=EVENT_START)


# Event reminders -----------------------------------------------------------------------------

def test_reminder_goes_on_the_day_it_falls_due_and_only_once(classroom_event, mailoutbox):
    ann = BookingFactory(event=classroom_event, delegate=UserFactory(email="ann@example.org"))
    BookingFactory(event=classroom_event, status=BookingStatus.WAITLISTED,
                   waitlisted_at=london(2026, 2, 1))
    BookingFactory(event=classroom_event, status=BookingStatus.CANCELLED)

    assert services.event_reminders_send(now=london(2026, 3, 2, 23, 59)) == 0  # the day before
    assert mailoutbox == []

    assert services.event_reminders_send(now=london(2026, 3, 3, 0, 1)) == 1
    assert services.event_reminders_send(now=london(2026, 3, 3, 8, 0)) == 0
    assert services.event_reminders_send(now=london(2026, 3, 5, 8, 0)) == 0

    [message] = mailoutbox
    assert message.to == ["ann@example.org"]
    assert message.subject == "Reminder: Understanding Thresholds, Friday 6 March 2026"
    assert "Dudley Council House" in message.body
    assert "Friday 6 March 2026, 9:30am" in message.body
    assert "not admitted" in message.body  # the late-arrival rule, with the partnership's number
    assert "30 minutes late" in message.body
    assert reverse("bookings:booking-detail", kwargs={"uid": ann.uid}) in message.body
    ann.refresh_from_db()
    assert ann.reminder_sent_at == london(2026, 3, 3, 0, 1)
    assert AuditEntry.objects.filter(action="booking.reminder_sent").count() == 1


def test_a_delegate_who_books_inside_the_window_is_reminded_at_the_next_run(classroom_event,
                                                                            mailoutbox):
    services.event_reminders_send(now=london(2026, 3, 3, 8, 0))
    late = BookingFactory(event=classroom_event)
    assert services.event_reminders_send(now=london(2026, 3, 4, 8, 0)) == 1
    assert mailoutbox[0].to == [late.delegate.email]


def test_no_reminder_once_the_event_started_or_was_cancelled(mailoutbox):
    started = EventFactory(start=london(2026, 3, 3, 7, 0))
    BookingFactory(event=started)
    cancelled = EventFactory(start=EVENT_START, status=EventStatus.CANCELLED)
    BookingFactory(event=cancelled)
    assert services.event_reminders_send(now=london(2026, 3, 3, 8, 0)) == 0
    assert mailoutbox == []


def test_the_number_of_days_is_the_partnerships(classroom_event, mailoutbox):
    Partnership.objects.filter(pk=Partnership.load().pk).update(event_reminder_days=1)
    BookingFactory(event=classroom_event)
    assert services.event_reminders_send(now=london(2026, 3, 4, 8, 0)) == 0
    assert services.event_reminders_send(now=london(2026, 3, 5, 8, 0)) == 1


# Joining links -------------------------------------------------------------------------------

@pytest.fixture
def online_event():
    return EventFactory(course=CourseFactory(title="Safer Recruitment", format=Format.VIRTUAL),
                        joining_link="https://teams.example/meet/safer-recruitment",
                        start=EVENT_START)


def test_the_joining_link_goes_out_with_the_reminder_once(online_event, mailoutbox):
    booking = BookingFactory(event=online_event)
    BookingFactory(event=online_event, status=BookingStatus.WAITLISTED,
                   waitlisted_at=london(2026, 2, 1))
    now = london(2026, 3, 3, 7, 0)

    assert services.joining_links_send(now=now - timedelta(hours=8)) == 0  # Monday: not yet
    assert services.joining_links_send(now=now) == 1
    assert services.event_reminders_send(now=now) == 0  # the same email was the reminder
    assert services.joining_links_send(now=now) == 0

    [message] = mailoutbox
    assert message.subject.startswith("Reminder: Safer Recruitment")
    assert "https://teams.example/meet/safer-recruitment" in body(message)
    booking.refresh_from_db()
    assert booking.reminder_sent_at == booking.joining_link_sent_at == now


def test_a_later_joining_link_comes_on_its_own_day(online_event, mailoutbox):
    Partnership.objects.filter(pk=Partnership.load().pk).update(
        event_reminder_days=3, joining_link_reminder_days=1)
    BookingFactory(event=online_event)

    assert services.event_reminders_send(now=london(2026, 3, 3, 8, 0)) == 1
    assert "teams.example" not in body(mailoutbox[0])  # released only a day before
    assert services.joining_links_send(now=london(2026, 3, 4, 8, 0)) == 0
    assert services.joining_links_send(now=london(2026, 3, 5, 8, 0)) == 1
    assert services.joining_links_send(now=london(2026, 3, 5, 9, 0)) == 0

    link = mailoutbox[1]
    assert link.subject == "Joining link: Safer Recruitment, Friday 6 March 2026"
    assert "https://teams.example/meet/safer-recruitment" in body(link)


def test_no_joining_link_for_an_event_without_one(classroom_event, mailoutbox):
    BookingFactory(event=classroom_event)
    assert services.joining_links_send(now=london(2026, 3, 5, 8, 0)) == 0
    assert mailoutbox == []


# Refresher reminders -------------------------------------------------------------------------

def completion(*, user=None, course=None, on):
    return Completion.objects.create(user=user or UserFactory(), course=course or CourseFactory(),
                                     completed_on=on, source=Completion.Source.ATTENDANCE)


def test_refresher_reminder_a_month_before_it_falls_due_once(mailoutbox):
    # Completed 1 April 2023: due again 1 April 2026 (3 years); reminded from 2 March (30 days).
    done = completion(user=UserFactory(email="ann@example.org"),
                      course=CourseFactory(title="Working Together"), on=date(2023, 4, 1))

    assert services.refresher_reminders_send(now=london(2026, 3, 1, 23, 0)) == 0
    assert services.refresher_reminders_send(now=london(2026, 3, 2, 8, 0)) == 1
    assert services.refresher_reminders_send(now=london(2026, 3, 3, 8, 0)) == 0

    [message] = mailoutbox
    assert message.to == ["ann@example.org"]
    assert message.subject == "Refresher due: Working Together by Wednesday 1 April 2026"
    assert "every 3 years" in message.body
    done.refresh_from_db()
    assert done.refresher_reminder_sent_at == london(2026, 3, 2, 8, 0)


def test_a_courses_own_refresher_period_counts(mailoutbox):
    yearly = CourseFactory(title="Annual update", refresher_years=1)
    completion(course=yearly, on=date(2025, 4, 1))
    completion(on=date(2025, 4, 1))  # the partnership's 3 years: due in 2028
    assert services.refresher_reminders_send(now=london(2026, 3, 2, 8, 0)) == 1
    assert "Annual update" in mailoutbox[0].subject
    assert "every 1 year," in mailoutbox[0].body


def test_no_refresher_reminder_when_refreshed_or_long_overdue(mailoutbox):
    person, course = UserFactory(), CourseFactory()
    completion(user=person, course=course, on=date(2023, 4, 1))
    completion(user=person, course=course, on=date(2026, 2, 1))  # refreshed already
    completion(on=date(2020, 1, 1))  # recorded long ago: overdue for years, not chased
    assert services.refresher_reminders_send(now=london(2026, 3, 2, 8, 0)) == 0
    assert mailoutbox == []


# Events complete -----------------------------------------------------------------------------

def test_events_whose_end_has_passed_become_completed_once():
    now = london(2026, 3, 6, 17, 0)
    ended = EventFactory(start=london(2026, 3, 6, 9, 30), end=london(2026, 3, 6, 16, 30))
    ending_now = EventFactory(start=london(2026, 3, 6, 10, 0), end=now)
    running = EventFactory(start=london(2026, 3, 6, 13, 0), end=london(2026, 3, 6, 17, 1))
    cancelled = EventFactory(start=london(2026, 3, 5), status=EventStatus.CANCELLED)

    assert services.events_complete(now=now) == 2
    assert services.events_complete(now=now) == 0

    for event, status in ((ended, "completed"), (ending_now, "completed"),
                          (running, "scheduled"), (cancelled, "cancelled")):
        event.refresh_from_db()
        assert event.status == status
    assert AuditEntry.objects.filter(action="event.complete").count() == 2


# Tasks and the beat schedule -----------------------------------------------------------------

@pytest.mark.parametrize("name", ["offers_expire", "event_reminders_send", "joining_links_send",
                                  "refresher_reminders_send", "events_complete"])
def test_each_sweep_is_on_the_beat_schedule(name):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values()
               if e["task"] == f"bookings.tasks.{name}"]
    assert len(entries) == 1
    assert f"bookings.tasks.{name}" in app.tasks


def test_a_failed_send_stays_owed_in_the_outbox_and_goes_once(mailoutbox):
    """The sweep records the reminder with its outbox row: an SMTP failure leaves the email
    owed and retried, never lost, and a second sweep queues nothing more."""
    from core.models import OutgoingEmail
    from core.outbox import outbox_deliver

    booking = BookingFactory(event=EventFactory(start=timezone.now() + timedelta(days=1)))

    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=smtplib.SMTPServerDisconnected("connection lost")):
        tasks.event_reminders_send.delay()
        outbox_deliver()
    booking.refresh_from_db()
    assert booking.reminder_sent_at is not None
    [row] = OutgoingEmail.objects.all()
    assert row.status == OutgoingEmail.Status.RETRY and "connection lost" in row.last_error

    tasks.event_reminders_send.delay()
    outbox_deliver(now=row.next_attempt_at)
    assert len(mailoutbox) == 1
    assert OutgoingEmail.objects.get().status == OutgoingEmail.Status.SENT
