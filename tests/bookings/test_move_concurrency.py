"""Moving a place under concurrency never exceeds either event's capacity (issue 11).

Each attempt runs in its own thread with its own database connection, released together by a
barrier, as in tests/bookings/test_concurrency.py. booking_move locks both event rows, the
lower id first, then the booking: many moves into the last place of an event while others book
it give that place to exactly one of them; moves A -> B and B -> A at the same moment neither
deadlock nor oversell. The control takes the locks in the order of the move (the old event
first) and shows that the same crossing moves then deadlock: so the test does catch it."""

import threading
from datetime import timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from accounts.roles import Role
from bookings import services
from bookings.models import HOLDS_PLACE, Booking, BookingStatus
from bookings.services import moving
from courses.models import Event
from tests.bookings.test_concurrency import delegates
from tests.factories import CourseFactory, EventFactory

pytestmark = pytest.mark.django_db(transaction=True)


def booked_on(event, people, *, now):
    """Each of `people` holds a confirmed place on `event`; returns the bookings."""
    bookings = Booking.objects.bulk_create(
        Booking(event=event, delegate=u, organisation=u.organisation,
                status=BookingStatus.BOOKED, booked_at=now) for u in people)
    Event.objects.filter(pk=event.pk).update(places_taken=len(bookings))
    return bookings


def race(attempts):
    """Run every attempt (a callable returning an outcome) at once; returns the outcomes."""
    barrier = threading.Barrier(len(attempts))
    outcomes, guard = [], threading.Lock()

    def run(attempt):
        try:
            barrier.wait(timeout=30)
            outcome = attempt()
        except services.EventFull:
            outcome = "full"
        except Exception as exc:  # reported by the assertion in the test, not lost in the thread
            outcome = exc
        finally:
            connections.close_all()
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(a,)) for a in attempts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(outcomes) == len(attempts), "a thread did not finish"
    return outcomes


def held(event):
    return Booking.objects.filter(event=event, status__in=HOLDS_PLACE).count()


def places_taken(event):
    return Event.objects.values_list("places_taken", flat=True).get(pk=event.pk)


@pytest.fixture
def officer(make_user):
    user = make_user(Role.OFFICER)
    assert user.has_perm("bookings.manage_bookings")  # warms the permission cache once
    return user


def move(booking, to_event, officer):
    def attempt():
        services.booking_move(booking=booking, to_event=to_event, by=officer,
                              now=timezone.now())
        return "moved"
    return attempt


def book(delegate, event):
    def attempt():
        services.booking_create(event=event, delegate=delegate, now=timezone.now())
        return "booked"
    return attempt


def test_moves_into_the_last_place_while_others_book_it(officer):
    now = timezone.now()
    course = CourseFactory()
    source = EventFactory(course=course, start=now + timedelta(days=20), capacity=30)
    target = EventFactory(course=course, start=now + timedelta(days=40), capacity=10)
    movers = booked_on(source, delegates(15, "mover"), now=now)
    holders = delegates(9, "holder")
    booked_on(target, holders, now=now)  # 9 of 10: one place left
    bookers = delegates(15, "booker")

    outcomes = race([move(b, target, officer) for b in movers]
                    + [book(d, target) for d in bookers])

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    assert outcomes.count("moved") + outcomes.count("booked") == 1
    assert outcomes.count("full") == 29
    assert held(target) == places_taken(target) == 10
    moved = outcomes.count("moved")
    assert held(source) == places_taken(source) == 15 - moved
    # A refused move changed nothing: the delegate keeps their place on the first date.
    assert Booking.objects.filter(pk__in=[b.pk for b in movers],
                                  status=BookingStatus.BOOKED).count() == 15 - moved


def _crossing(officer, *, now):
    """Two dates of a course, 8 of 10 places booked on each; every delegate on each date asks
    to move to the other, all at once."""
    course = CourseFactory()
    a = EventFactory(course=course, start=now + timedelta(days=20), capacity=10)
    b = EventFactory(course=course, start=now + timedelta(days=27), capacity=10)
    on_a = booked_on(a, delegates(8, "a"), now=now)
    on_b = booked_on(b, delegates(8, "b"), now=now)
    attempts = [move(x, b, officer) for x in on_a] + [move(x, a, officer) for x in on_b]
    return a, b, attempts


def test_moves_a_to_b_and_b_to_a_at_once_neither_deadlock_nor_oversell(officer):
    now = timezone.now()
    a, b, attempts = _crossing(officer, now=now)

    outcomes = race(attempts)

    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]  # a deadlock is an OperationalError in one of the threads
    assert outcomes.count("moved") >= 4  # at least the places free at the start
    for event in (a, b):
        assert held(event) == places_taken(event) <= 10
    assert held(a) + held(b) == 16  # nobody lost a place, nobody gained a second
    for old in Booking.objects.filter(status=BookingStatus.MOVED).select_related("moved_to"):
        assert old.moved_to.status == BookingStatus.BOOKED
        assert old.moved_to.event_id != old.event_id
        assert old.moved_to.delegate_id == old.delegate_id


def test_control_locking_in_the_order_of_the_move_deadlocks(officer, monkeypatch):
    """Known to catch it: locking the old event first (the order of the move, not of the ids),
    crossing moves each hold one event and wait for the other; PostgreSQL detects the deadlock
    and aborts one of them."""
    monkeypatch.setattr(moving, "_lock_order", lambda from_id, to_id: (from_id, to_id))
    original = moving._event_locked
    pause = threading.Barrier(2, timeout=5)

    def slow_lock(pk, **kwargs):
        event = original(pk, **kwargs)
        try:
            pause.wait()  # both moves hold their first lock before asking for the second
        except threading.BrokenBarrierError:
            pass
        return event

    monkeypatch.setattr(moving, "_event_locked", slow_lock)
    now = timezone.now()
    course = CourseFactory()
    a = EventFactory(course=course, start=now + timedelta(days=20), capacity=10)
    b = EventFactory(course=course, start=now + timedelta(days=27), capacity=10)
    [on_a] = booked_on(a, delegates(1, "a"), now=now)
    [on_b] = booked_on(b, delegates(1, "b"), now=now)

    outcomes = race([move(on_a, b, officer), move(on_b, a, officer)])

    assert any(isinstance(o, OperationalError) and "deadlock" in str(o) for o in outcomes), outcomes
