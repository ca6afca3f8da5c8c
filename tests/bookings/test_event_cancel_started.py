"""Decision 3 (issue 12): an event that has started cannot be cancelled. Cancelling is refused
once the event has started or its register has a mark ("this event took place"); before that
it works as it did."""

import html
import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings import services as booking_services
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.exceptions import DomainError
from courses import policies, services
from courses.models import Event, EventStatus
from tests.factories import BookingFactory, EventFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 1, 12, 10, 0, tzinfo=LONDON)


def _words(response):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def event():
    event = EventFactory(start=START, end=START + timedelta(hours=6))
    BookingFactory(event=event)
    Event.objects.filter(pk=event.pk).update(places_taken=1)
    return event


@pytest.mark.parametrize("now, refused", [
    (START - timedelta(minutes=1), False),
    (START, True),
    (START + timedelta(hours=1), True),
], ids=["a-minute-before", "at-the-start", "an-hour-after"])
def test_the_rule_at_the_start(now, refused):
    problem = policies.event_cancel_problem(status="scheduled", start=START, now=now)
    assert bool(problem) is refused
    if refused:
        assert problem == "This event took place: it cannot be cancelled."


def test_cancelling_an_hour_after_the_start_is_refused(officer, event):
    with pytest.raises(DomainError, match="This event took place: it cannot be cancelled"):
        services.event_cancel(event=event, by=officer, reason="The trainer is ill.",
                              now=START + timedelta(hours=1))
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED
    assert Booking.objects.get(event=event).status == BookingStatus.BOOKED


def test_a_marked_register_before_the_start_refuses_too(officer, event):
    """The facilitator marks the first arrival at 9:40 for a 10am start: the event is
    happening, so it cannot be cancelled at 9:45."""
    booking = Booking.objects.get(event=event)
    booking_services.attendance_mark(booking=booking, by=officer, outcome="attended",
                                     now=START - timedelta(minutes=20))
    with pytest.raises(DomainError, match="took place"):
        services.event_cancel(event=event, by=officer, reason="The trainer is ill.",
                              now=START - timedelta(minutes=15))
    assert Event.objects.get(pk=event.pk).status == EventStatus.SCHEDULED


def test_before_the_start_an_unmarked_event_is_cancelled_as_before(
        officer, event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(event=event, by=officer, reason="The trainer is ill.",
                              now=START - timedelta(minutes=1))
    assert Event.objects.get(pk=event.pk).status == EventStatus.CANCELLED
    assert Booking.objects.get(event=event).status == BookingStatus.CANCELLED


def test_the_cancel_page_of_a_started_event_says_why_and_offers_no_button(client, officer):
    now = timezone.now()
    started = EventFactory(start=now - timedelta(hours=1), end=now + timedelta(hours=5))
    client.force_login(officer)
    url = reverse("courses:manage-event-cancel", kwargs={"pk": started.pk})
    page = _words(client.get(url))
    assert "This event took place: it cannot be cancelled." in page
    assert "Cancel the event</button>" not in client.get(url).content.decode()
    response = client.post(url, {"reason": "Trainer ill"})
    assert response.status_code == 200
    assert "took place" in _words(response)
    assert Event.objects.get(pk=started.pk).status == EventStatus.SCHEDULED
