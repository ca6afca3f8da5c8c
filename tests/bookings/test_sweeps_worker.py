"""The reminder sweep through a real Celery worker on Redis (tests/core/test_celery_worker.py's
worker: its own queue, the test database, email written to files): run twice, each booked
delegate gets one reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from bookings.tasks import event_reminders_send
from tests.core.test_celery_worker import drain, send, worker  # noqa: F401 – the fixture
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = [pytest.mark.celery_worker]


def test_the_reminder_sweep_through_the_worker_sends_each_reminder_once(worker):  # noqa: F811
    event = EventFactory(course=CourseFactory(title="Domestic Homicide Reviews"),
                         start=timezone.now() + timedelta(days=1))
    for email in ("ann@example.org", "bob@example.org"):
        BookingFactory(event=event, delegate=UserFactory(email=email))
    BookingFactory(event=event, delegate=UserFactory(email="wait@example.org"),
                   status=BookingStatus.WAITLISTED, waitlisted_at=timezone.now())

    send(event_reminders_send, worker)
    send(event_reminders_send, worker)
    reminders = [m for m in drain(worker) if m["Subject"].startswith("Reminder:")]
    assert sorted(m["To"] for m in reminders) == ["ann@example.org", "bob@example.org"], \
        worker.output()
    assert "Domestic Homicide Reviews" in reminders[0].get_body(("plain",)).get_content()
    assert not Booking.objects.filter(status=BookingStatus.BOOKED,
                                      reminder_sent_at__isnull=True).exists()
