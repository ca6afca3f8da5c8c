"""iCalendar (RFC 5545) files for events, built with the icalendar package.

Pure: each builder takes events (with their course and venue loaded) and the site's public
address, and returns bytes; nothing reads the clock or the database. The catalogue offers one
event as a download and the partnership's programme as a feed to subscribe to; the bookings
app reuses `event_component` for the invitations it sends to booked delegates (adding
METHOD, ORGANIZER and ATTENDEE, and the joining link with `include_joining_link=True`).

Times are written in UTC, so no VTIMEZONE is needed and every calendar shows the right local
time. Each event's UID is stable ("event-<id>@<site host>"), so a calendar that already holds
an event updates it instead of adding a second copy."""

from datetime import UTC, timedelta
from urllib.parse import urlsplit

import icalendar
from django.urls import reverse

from .models import EventStatus

PRODID = "-//Safeguarding training//Event calendar//EN"
ONLINE = "Online (Microsoft Teams)"
# How often a subscribed calendar should fetch the feed again (a hint; clients may ignore it;
# X-PUBLISHED-TTL below says the same for Outlook).
FEED_REFRESH = timedelta(hours=12)


def _host(site_url):
    return urlsplit(site_url).hostname or "localhost"


def event_uid(event, *, site_url):
    return f"event-{event.pk}@{_host(site_url)}"


def event_url(event, *, site_url):
    return site_url.rstrip("/") + reverse("courses:event-detail", kwargs={"pk": event.pk})


def event_location(event, *, include_joining_link=False):
    """The venue's name and address, or that it is online. The joining link goes only to
    booked delegates: it is left out unless the caller asks for it."""
    if event.is_online:
        if include_joining_link and event.joining_link:
            return f"{ONLINE}: {event.joining_link}"
        return ONLINE
    if event.venue_id:
        venue = event.venue
        parts = [venue.name, *(line.strip() for line in venue.address.splitlines()),
                 venue.postcode]
        return ", ".join(p for p in parts if p)
    return "Venue to be confirmed"


def event_component(event, *, site_url, sequence=None, stamp=None, include_joining_link=False):
    """One VEVENT. `sequence` defaults to 0, or 1 once the event is cancelled (a calendar
    applies a change only when the sequence goes up); `stamp` (DTSTAMP) defaults to when the
    event was cancelled or created."""
    cancelled = event.status == EventStatus.CANCELLED
    url = event_url(event, site_url=site_url)
    if sequence is None:
        sequence = 1 if cancelled else 0
    if stamp is None:
        stamp = (event.cancelled_at if cancelled else None) or event.created_at

    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event, site_url=site_url))
    vevent.add("dtstamp", stamp.astimezone(UTC))
    vevent.add("dtstart", event.start.astimezone(UTC))
    vevent.add("dtend", event.end.astimezone(UTC))
    vevent.add("summary", f"Cancelled: {event.course.title}" if cancelled else event.course.title)
    vevent.add("location", event_location(event, include_joining_link=include_joining_link))
    vevent.add("url", url)
    lines = [event.course.summary] if event.course.summary else []
    if cancelled:
        lines.append("This event has been cancelled.")
    if include_joining_link and event.is_online and event.joining_link:
        lines.append(f"Join online: {event.joining_link}")
    lines.append(f"Details: {url}")
    vevent.add("description", "\n\n".join(lines))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("sequence", sequence)
    return vevent


def _calendar(*, method=None):
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def event_ics(event, *, site_url, sequence=None, stamp=None, method=None,
              include_joining_link=False):
    """One event as an .ics file (bytes)."""
    calendar = _calendar(method=method)
    calendar.add_component(event_component(
        event, site_url=site_url, sequence=sequence, stamp=stamp,
        include_joining_link=include_joining_link,
    ))
    return calendar.to_ical()


def events_feed_ics(events, *, site_url, name):
    """A calendar to subscribe to: the given events under the partnership's name."""
    calendar = _calendar(method="PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("name", name)
    calendar.add("x-wr-caldesc", f"Safeguarding training events from {name}")
    calendar.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT12H")  # an X- property: written as the text it is
    for event in events:
        calendar.add_component(event_component(event, site_url=site_url))
    return calendar.to_ical()
