"""The booking panel of the event page and how a booking's state is shown.

The event page belongs to the courses app, which never imports bookings (dependencies run
one way): its template loads this library instead –
`{% load bookings_tags %}{% event_booking_panel event %}`."""

from django import template
from django.utils import timezone

register = template.Library()

STATUS_TAGS = {
    "booked": "tag-green",
    "attended": "tag-green",
    "pending_approval": "tag-yellow",
    "offered": "tag-blue",
    "waitlisted": "tag-blue",
    "late_cancelled": "tag-red",
    "not_admitted": "tag-red",
    "no_show": "tag-red",
}


@register.filter
def booking_status_tag(status):
    """The colour class of a booking state's tag (the words always say the state too)."""
    return STATUS_TAGS.get(str(status), "tag-grey")


@register.inclusion_tag("bookings/_event_booking_panel.html", takes_context=True)
def event_booking_panel(context, event):
    """What a visitor can do about this event: sign in to book; see their booking; book in
    one step; join the waiting list; or why they cannot book (with the way to put it right)."""
    from bookings import selectors, services
    from bookings.forms import BookingForm

    request = context.get("request")
    user = getattr(request, "user", None)
    now = timezone.now()
    panel = {
        "event": event, "request": request, "csrf_token": context.get("csrf_token"),
        "partnership": context.get("partnership"), "user": user,
        "open": event.status == "scheduled" and event.start > now,
        "booking": None, "refusal": None, "form": None, "position": None,
        "booking_notices": [],
    }
    if user is None or not user.is_authenticated:
        return panel
    booking = selectors.booking_active_for(event=event, user=user)
    panel["booking"] = booking
    if booking is not None:
        panel["position"] = selectors.waiting_list_position(booking=booking)
        return panel
    if not panel["open"]:
        return panel
    refusal = services.booking_refusal_for(event=event, delegate=user, now=now, active_status="")
    panel["refusal"] = refusal
    if refusal is None:
        from bookings.notices import booking_notices

        panel["booking_notices"] = booking_notices(page="book", event=event, delegate=user,
                                                   now=now)
        panel["form"] = BookingForm(initial={"access_needs": user.access_needs},
                                    auto_id="id_booking_%s")
    return panel
