"""How the catalogue, course and event pages say when, where and how many places:
`{% load catalogue %}` then `{{ event|event_when }}`, `{{ event|event_where }}`,
`{{ event|places_words }}`. Times are Europe/London, written as GOV.UK writes them."""

from django import template
from django.utils import timezone

from core.dates import clock, day  # noqa: F401 - used here and imported from here
from courses.policies import places_left_words

register = template.Library()

ONLINE = "Online (Microsoft Teams): the joining link is sent to booked delegates"


def when(start, end):
    """"Tuesday 3 March 2027, 9:30am to 4:30pm"; an event over several days names both."""
    start, end = timezone.localtime(start), timezone.localtime(end)
    if start.date() == end.date():
        return f"{day(start)}, {clock(start)} to {clock(end)}"
    return f"{day(start)}, {clock(start)} to {day(end)}, {clock(end)}"


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
