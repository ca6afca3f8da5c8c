"""How the catalogue, course and event pages say when, where and how many places:
`{% load catalogue %}` then `{{ event|event_when }}`, `{{ event|event_where }}`,
`{{ event|places_words }}`. Times are Europe/London, written as GOV.UK writes them."""

from django import template
from django.utils import timezone

from core.dates import clock, day, span  # noqa: F401 - clock is imported from here
from courses.policies import places_left_words

register = template.Library()

ONLINE = "Online (Microsoft Teams): the joining link is sent to booked delegates"


def when(start, end):
    """"Tuesday 3 March 2027, 9:30am to 4:30pm"; an event over several days names both."""
    return span(start, end)


@register.filter
def event_when(event):
    return when(event.start, event.end)


@register.filter
def event_day(event):
    return day(timezone.localtime(event.start))


@register.filter
def event_where(event):
    """The venue, or that it is online: the joining link itself is never shown in public."""
    if event.is_online:
        return ONLINE
    if event.venue_id:
        return event.venue.name
    return "Venue to be confirmed"


@register.filter
def places_words(event):
    return places_left_words(places_left=event.places_left)


def _upcoming_events(course):
    """The course's scheduled events still to come: the catalogue's prefetched `next_events`,
    or one query on a page without them."""
    events = getattr(course, "next_events", None)
    if events is not None:
        return [e for e in events if e.status == "scheduled"]
    return list(course.events.filter(status="scheduled", start__gt=timezone.now())[:1])


@register.filter
def shown_live(course):
    """A course with a date people can book is live, whatever its status says (issue 12: a
    course with bookable dates said "Coming soon: Imminent")."""
    return course.status == "live" or bool(_upcoming_events(course))


@register.filter
def expected_words(course):
    """What the public is told about when a course coming soon is expected: the officer's
    words, unless they name a day that has passed ("26/06/2020" in 2026). Officers see the
    stale date flagged on their home page and course list (`expected_passed`)."""
    return "" if expected_passed(course) else course.expected


@register.filter
def expected_passed(course):
    from courses.home import expected_last_day

    if not course.expected:
        return False
    last = expected_last_day(course.expected.strip())
    return last is not None and last < timezone.localdate()
