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
    call_command("load_demo", "--without-history", stdout=out)
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
    # The story's past event: the last Child Exploitation course (the eighteen months of
    # history before it, for the reports, are demo/history.py's).
    from django.utils import timezone

    from demo.bookings import CE, _event

    past = _event(CE, upcoming=False, now=timezone.now())
    assert past.bookings.filter(status=BookingStatus.NOT_ADMITTED).exists()
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
    assert Completion.objects.filter(source="attendance", event=past).count() == len(attended)


def test_demo_delegates_completed_the_prerequisite_before_booking_the_level_3_course():
    """Issue 12: the demo delegate attended and was booked on the level 3 course without its
    e-learning module; every demo place on a course with prerequisites now keeps the rule."""
    load_demo()
    checked = 0
    for booking in Booking.objects.filter(event__course__prerequisites__isnull=False).distinct():
        for prerequisite in booking.event.course.prerequisites.all():
            assert Completion.objects.filter(
                user=booking.delegate, course=prerequisite,
                completed_on__lt=booking.created_at.date()).exists(), booking.delegate
            checked += 1
    assert checked >= 10
    mine = Booking.objects.filter(delegate__email="delegate@demo.example",
                                  event__course__prerequisites__isnull=False)
    assert mine.filter(status=BookingStatus.BOOKED).exists()
    assert mine.filter(status=BookingStatus.ATTENDED).exists()
    before = Completion.objects.count()
    load_demo()
    assert Completion.objects.count() == before
