"""The acting-for-a-delegate part of a person's page on People (accounts), which never imports
bookings: `{% load acting %}{% acting_bookings person as acting %}`."""

from django import template
from django.utils import timezone

from core.models import Partnership

from .. import policies, selectors
from ..models import BookingStatus

register = template.Library()

SHOWN = 10


@register.simple_tag
def acting_bookings(person):
    """The person's next SHOWN bookings still to come, each with what an officer may do to it,
    and how many there are in all (the rest are on the acting page, paginated)."""
    bookings = selectors.acting_bookings_of(person=person, now=timezone.now())
    rows = acting_rows(bookings[:SHOWN])
    return {"rows": rows, "count": len(rows) if len(rows) < SHOWN else bookings.count()}


@register.simple_tag
def acting_rows(bookings):
    """Each booking with the actions an officer may take on it now (the services' own rules:
    a late cancellation when the notice is short, a move or a colleague for a confirmed
    place)."""
    now = timezone.now()
    required = Partnership.load().notice_working_days
    rows = []
    for booking in bookings:
        booked = booking.status == BookingStatus.BOOKED
        late = booked and not policies.booking_notice(
            cancelled_on=now, event_start=booking.event.start, required=required).in_time
        rows.append({
            "booking": booking,
            "move": booked,
            "cancel": booking.status in (BookingStatus.PENDING_APPROVAL,) or (booked and not late),
            "late_cancel": late,
            "substitute": booked,
        })
    return rows
