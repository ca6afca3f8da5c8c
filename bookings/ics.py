"""The calendar invitation sent with a booking (RFC 5546 iTIP over RFC 5545 iCalendar).

A confirmed place goes out as METHOD:REQUEST; a cancelled place (or one handed to a
colleague) as METHOD:CANCEL with the same UID and a higher SEQUENCE, so the delegate's
calendar removes the invitation it already holds instead of keeping a stale copy. The UID is
per booking ("booking-<uid>@<site host>"), not per event, so it never collides with the
public event download (courses/ics.py, "event-<id>@...") that the delegate may also have
added. Pure: takes the booking (with event, course, venue and delegate loaded), the
partnership and the site's address; returns bytes."""

from datetime import UTC, timedelta

import icalendar

from courses.ics import _host, event_component

PRODID = "-//Safeguarding training//Booking invitation//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"


def booking_uid(booking, *, site_url):
    return f"booking-{booking.uid}@{_host(site_url)}"


def booking_ics(booking, *, partnership, site_url, method, sequence, stamp, attendee=None):
    """One booking as an invitation. `attendee` (default: the booking's delegate) is whom the
    invitation is for: a delegate who handed their place on gets the CANCEL for themselves."""
    person = attendee or booking.delegate
    event = booking.event
    cancel = method == CANCEL
    vevent = event_component(event, site_url=site_url, sequence=sequence, stamp=stamp,
                             include_joining_link=not cancel)
    # The public event's UID and status are replaced by this booking's own.
    for key in ("uid", "status", "summary"):
        del vevent[key]
    vevent.add("uid", booking_uid(booking, site_url=site_url))
    vevent.add("summary", f"Cancelled: {event.course.title}" if cancel else event.course.title)
    vevent.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{partnership.contact_email}")
    organizer.params["cn"] = icalendar.vText(partnership.name)
    vevent.add("organizer", organizer)
    attendee_address = icalendar.vCalAddress(f"mailto:{person.email}")
    attendee_address.params["cn"] = icalendar.vText(person.get_full_name() or person.email)
    attendee_address.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    attendee_address.params["partstat"] = icalendar.vText("DECLINED" if cancel else "ACCEPTED")
    attendee_address.params["rsvp"] = icalendar.vText("FALSE")
    vevent.add("attendee", attendee_address)
    if not cancel:
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Tomorrow: {event.course.title}")
        alarm.add("trigger", -timedelta(days=1))
        vevent.add_component(alarm)

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add_component(vevent)
    return calendar.to_ical()


def booking_ics_attachment(booking, *, partnership, site_url, method, sequence, stamp,
                           attendee=None):
    """(filename, content, mimetype) for core.outbox.email_queue."""
    content = booking_ics(booking, partnership=partnership, site_url=site_url, method=method,
                          sequence=sequence, stamp=stamp.astimezone(UTC), attendee=attendee)
    name = "cancellation.ics" if method == CANCEL else "invite.ics"
    return name, content, f"text/calendar; method={method}; charset=utf-8"
