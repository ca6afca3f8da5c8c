"""Capacity is never exceeded, whatever the concurrency (DOMAIN.md).

Fifty delegates press "Book a place" at the same moment for the last place(s) of an event:
each in its own thread with its own database connection, released together by a barrier.
Exactly as many succeed as there were places; the others are told the event is full (and,
in a variant, join the waiting list). The control switches the row lock off and drops the
CHECK constraint, and shows the same race oversells: so these tests do catch a race."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from accounts.models import User
from bookings import services
from bookings.models import Booking, BookingStatus
from courses.models import Event
from tests.factories import EventFactory, OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 50
CAPACITY = 30


def delegates(n, prefix):
    """`n` delegates with complete profiles, in one query (the factory's one by one would
    take longer than the race)."""
    organisation = OrganisationFactory()
    return User.objects.bulk_create(
        User(email=f"{prefix}{i}@council.example", first_name="Alex", last_name=f"Race{i}",
             job_title="Social worker", organisation=organisation, staff_group="group_2",
             line_manager_name="Morgan Manager", line_manager_email="manager@council.example",
             password="!")
        for i in range(n))


def event_with_places_left(places):
    """An event of 30 places with all but `places` already booked."""
    now = timezone.now()
    event = EventFactory(start=now + timedelta(days=20), capacity=CAPACITY)
    holders = delegates(CAPACITY - places, "holder")
    Booking.objects.bulk_create(
        Booking(event=event, delegate=u, organisation=u.organisation,
                status=BookingStatus.BOOKED, booked_at=now) for u in holders)
    Event.objects.filter(pk=event.pk).update(places_taken=CAPACITY - places)
    return event


def race(event, delegates, *, join_waiting_list=False):
    """Every delegate tries to book at once; returns what each got."""
    barrier = threading.Barrier(len(delegates))
    outcomes, guard = [], threading.Lock()

    def attempt(delegate):
        try:
            barrier.wait(timeout=30)
            now = timezone.now()
            try:
                services.booking_create(event=event, delegate=delegate, now=now)
                outcome = "booked"
            except services.EventFull:
                outcome = "full"
                if join_waiting_list:
                    services.waitlist_join(event=event, delegate=delegate, now=now)
                    outcome = "waitlisted"
        except Exception as exc:  # reported by the assertion below, not lost in the thread
            outcome = exc
        finally:
            connections.close_all()
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(d,)) for d in delegates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(delegates), "a thread did not finish"
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    return outcomes


def booked(event):
    return Booking.objects.filter(event=event, status=BookingStatus.BOOKED).count()


def test_fifty_delegates_race_for_the_last_place():
    event = event_with_places_left(1)
    outcomes = race(event, delegates(THREADS, "racer"))

    assert outcomes.count("booked") == 1
    assert outcomes.count("full") == THREADS - 1
    assert booked(event) == CAPACITY
    assert Event.objects.get(pk=event.pk).places_taken == CAPACITY


def test_fifty_race_for_the_last_5_places_and_the_rest_join_the_waiting_list():
    event = event_with_places_left(5)
    outcomes = race(event, delegates(THREADS, "racer"), join_waiting_list=True)

    assert outcomes.count("booked") == 5
    assert outcomes.count("waitlisted") == THREADS - 5
    assert booked(event) == CAPACITY
    assert Event.objects.get(pk=event.pk).places_taken == CAPACITY
    waiting = list(Booking.objects.filter(event=event, status=BookingStatus.WAITLISTED)
                   .order_by("waitlisted_at", "pk").values_list("delegate_id", flat=True))
    assert len(waiting) == len(set(waiting)) == THREADS - 5

    # A cancellation offers the freed place to the head of the list, and only to them.
    holder = Booking.objects.filter(event=event, status=BookingStatus.BOOKED).first()
    services.booking_cancel(booking=holder, by=holder.delegate, now=timezone.now())
    offered = list(Booking.objects.filter(event=event, status=BookingStatus.OFFERED)
                   .values_list("delegate_id", flat=True))
    assert offered == waiting[:1]


@pytest.fixture
def without_the_constraint():
    """Drop the CHECK constraint places_taken <= capacity for one test, and put it back."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE courses_event DROP CONSTRAINT event_never_overbooked")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE courses_event SET places_taken = LEAST(places_taken, capacity)")
            cursor.execute("ALTER TABLE courses_event ADD CONSTRAINT event_never_overbooked "
                           "CHECK (places_taken <= capacity)")


def test_control_without_the_lock_the_same_race_oversells(monkeypatch, without_the_constraint):
    """Known to catch a race: without the row lock (and without the constraint behind it),
    several delegates read "one place left" before any of them writes, and all are booked."""
    monkeypatch.setattr(services.places, "_LOCK_EVENT", False)
    monkeypatch.setattr(services.places, "_UNLOCKED_PAUSE", 0.2)
    event = event_with_places_left(1)
    outcomes = race(event, delegates(THREADS, "racer"))

    assert outcomes.count("booked") > 1
    assert booked(event) > CAPACITY  # oversold
