"""load_demo's bookings (demo/bookings.py): a few delegates booked, a full event with a waiting
list, a past event with its register marked; deterministic and idempotent."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from bookings.models import COUNTED, Booking, BookingStatus
from courses.models import Completion, Event

pytestmark = pytest.mark.django_db


def load_demo():
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(Booking.objects.values_list("event_id", "delegate__email", "status"))


def test_demo_bookings_fill_every_bookings_page_and_load_once():
    first = load_demo()
    assert "places booked" in first and "late cancellation(s) to review" in first

    mine = Booking.objects.filter(delegate__email="delegate@demo.example")
    assert set(mine.values_list("status", flat=True)) == {
        BookingStatus.BOOKED, BookingStatus.WAITLISTED, BookingStatus.ATTENDED}
    full = Event.objects.get(bookings__status=BookingStatus.WAITLISTED,
                             bookings__delegate__email="delegate@demo.example")
    assert full.places_taken == full.capacity == 4
    assert full.bookings.filter(status=BookingStatus.WAITLISTED).count() == 3
    past = Event.objects.get(bookings__status=BookingStatus.NOT_ADMITTED)
    assert set(past.bookings.values_list("status", flat=True)) == {
        BookingStatus.ATTENDED, BookingStatus.NOT_ADMITTED, BookingStatus.NO_SHOW,
        BookingStatus.LATE_CANCELLED}
    # Every delegate marked attended has the course in their training record (the charging
    # demo adds a private nursery's delegate to the three of demo/bookings.py).
    attended = set(past.bookings.filter(status=BookingStatus.ATTENDED)
                   .values_list("delegate", flat=True))
    assert len(attended) >= 3
    assert set(Completion.objects.filter(event=past, source="attendance")
               .values_list("user", flat=True)) == attended
    late = past.bookings.get(status=BookingStatus.LATE_CANCELLED)
    assert late.notice_working_days < 5 and late.late_cancellation_reviewed_at is None
    # Every event's count of places taken matches its bookings that hold one.
    for event in Event.objects.annotate(holding=Count("bookings", filter=Q(
            bookings__status__in=COUNTED))):
        assert event.places_taken == event.holding, event

    before = snapshot()
    second = load_demo()
    assert "bookings created" not in second
    assert snapshot() == before
    assert Completion.objects.filter(source="attendance").count() == len(attended)
