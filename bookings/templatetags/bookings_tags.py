"""The booking panel of the event page and how a booking's state is shown.

The event page belongs to the courses app, which never imports bookings (dependencies run
one way): its template loads this library instead –
`{% load bookings_tags %}{% event_booking_panel event %}`."""

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone

from bookings import policies

register = template.Library()


def _prerequisites(*, course, user):
    """Each course `course` requires first, with where to take it (the e-learning module, or
    the course's page) and the day the delegate last completed it (None if not yet)."""
    from courses.models import Completion, Format

    required = list(course.prerequisites.order_by("title"))
    if not required:
        return []
    done = {}
    for course_id, day in (Completion.objects.filter(user=user, course__in=required)
                           .order_by("completed_on").values_list("course_id", "completed_on")):
        done[course_id] = day  # the latest wins
    return [{
        "course": each,
        "url": reverse("courses:elearning-module" if each.format == Format.E_LEARNING
                       else "courses:course-detail", kwargs={"slug": each.slug}),
        "completed_on": done.get(each.pk),
    } for each in required]

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


@register.filter
def notice_words(days):
    """1 working day’s notice, 2 working days’ notice (the apostrophe follows the plural)."""
    if days is None or days == "":
        return ""
    days = int(days)
    return f"{days} working day’s notice" if days == 1 else f"{days} working days’ notice"


@register.filter
def full_stop(text):
    """Free text a person typed, ending a sentence: a full stop unless it ends with one (or
    with ? or !), so "Off sick." never becomes "Off sick.."."""
    text = str(text or "").rstrip()
    if not text or text[-1] in ".?!…":
        return text
    return text + "."


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
        "booking_notices": [], "cancel_words": "", "prerequisites": [], "profile_url": "",
    }
    partnership = context.get("partnership")
    if partnership is not None and panel["open"]:
        panel["cancel_words"] = policies.cancellation_words(
            event_start=event.start, now=now, required=partnership.notice_working_days)
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
    panel["prerequisites"] = _prerequisites(course=event.course, user=user)
    if request is not None:
        panel["profile_url"] = (reverse("accounts:profile") + "?"
                                + urlencode({"next": request.get_full_path()}))
    if refusal is None:
        from bookings.notices import booking_notices

        panel["booking_notices"] = booking_notices(page="book", event=event, delegate=user,
                                                   now=now)
        panel["form"] = BookingForm(initial={"access_needs": user.access_needs},
                                    auto_id="id_booking_%s")
    return panel
