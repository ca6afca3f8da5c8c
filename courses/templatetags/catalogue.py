"""How the catalogue, course and event pages say when, where and how many places:
`{% load catalogue %}` then `{{ event|event_when }}`, `{{ event|event_where }}`,
`{{ event|places_words }}`. Times are Europe/London, written as GOV.UK writes them."""

from django import template
from django.utils import timezone

from courses.policies import places_left_words

register = template.Library()

ONLINE = "Online (Microsoft Teams): the joining link is sent to booked delegates"


def clock(moment):
    """9:30am, 4pm, midday, midnight (GOV.UK style)."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day(moment):
    """Tuesday 3 March 2027."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


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
