"""An event's start, end, venue or joining link changed: the people on it are told (DOMAIN.md,
"Event changes"; issue 11).

The courses app sends `courses.signals.event_changed` inside the transaction that saves the
event (courses never imports bookings); bookings/receivers.py calls `event_change_tell` there,
so the emails and the free cancellations commit with the change or not at all."""

from django.db.models import Q
from django.urls import reverse

from core.audit import audit_record
from core.calendar import london_date
from core.dates import span
from core.models import Partnership
from core.words import plural
from courses.event_changes import Audience, register_event_change_audience
from courses.models import Format
from courses.services import person_name

from .. import policies
from ..emails import booking_email_queue
from ..models import Booking, BookingStatus

# Who hears of a change: places held (an invitation or an offer to answer), and the waiting
# list only when they asked ("Tell me if the date, time or place changes").
TOLD = (BookingStatus.BOOKED, BookingStatus.OFFERED, BookingStatus.PENDING_APPROVAL)


def _told_filter():
    return Q(status__in=TOLD) | Q(status=BookingStatus.WAITLISTED, wants_change_emails=True)


@register_event_change_audience
def event_change_audience(*, event):
    """The counts the event form shows before an officer saves a change (one query)."""
    from django.db.models import Count

    if event.pk is None:
        return []
    counts = Booking.objects.filter(event=event).aggregate(
        places=Count("pk", filter=Q(status__in=TOLD)),
        waiting=Count("pk", filter=Q(status=BookingStatus.WAITLISTED, wants_change_emails=True)))
    return [
        Audience("delegates", plural(counts["places"], "delegate") + " with a place or an offer",
                 counts["places"]),
        Audience("waiting_list",
                 plural(counts["waiting"], "person", "people") + " on the waiting list who asked "
                 "to be told", counts["waiting"]),
    ]


def _where(venue, event):
    if venue is None:
        return "Online" if event.course.format == Format.VIRTUAL else "No venue"
    address = [line.strip() for line in (venue.address or "").splitlines() if line.strip()]
    return ", ".join(part for part in (venue.name, *address, venue.postcode) if part)


def change_rows(*, event, changes, with_link):
    """What changed, as rows {label, old, new} in words (GOV.UK dates), for the emails.
    `with_link`: the new joining link itself (booked delegates and facilitators only)."""
    rows = []
    if "start" in changes or "end" in changes:
        old_start = changes.get("start", (event.start,))[0]
        old_end = changes.get("end", (event.end,))[0]
        rows.append({"label": "When", "old": span(old_start, old_end),
                     "new": span(event.start, event.end)})
    if "venue" in changes:
        old, new = changes["venue"]
        rows.append({"label": "Where", "old": _where(old, event), "new": _where(new, event)})
    if "joining_link" in changes:
        new = changes["joining_link"][1]
        if not new:
            words = "There is no joining link now"
        elif with_link:
            words = new
        else:
            words = "A new link, sent to delegates with a place"
        rows.append({"label": "Joining link", "old": "The link we sent before"
                     if changes["joining_link"][0] else "None", "new": words})
    return rows


def event_change_tell(*, event, changes, by, now):
    """Tell everyone on an event that its start, end, venue or joining link changed.

    - Each booked delegate: an email saying what changed (old -> new) with the updated calendar
      invitation (the same UID, SEQUENCE one higher: calendar programs replace the old one).
    - Those with an offer or waiting for their line manager: the same email, no invitation
      (they hold none yet; it comes when the place is confirmed).
    - The waiting list: only those who asked (Booking.wants_change_emails).
    - The facilitators: an email too.
    - A move of more than Partnership.event_change_free_cancellation_minutes, or onto another
      day, lets each booked delegate (and each waiting for their line manager) cancel free
      whatever the notice (free_cancellation_reason).
    - A change of day re-arms the reminder and the joining link for the new date.
    The purpose key carries the booking's new SEQUENCE, so a second change emails again and
    nothing repeats one. Returns the bookings told."""
    partnership = Partnership.load()
    free_reason = ""
    if "start" in changes or "end" in changes:
        free_reason = policies.event_move_free_cancellation(
            old_start=changes.get("start", (event.start,))[0],
            old_end=changes.get("end", (event.end,))[0],
            new_start=event.start, new_end=event.end,
            minutes=partnership.event_change_free_cancellation_minutes)
    old_start = changes.get("start", (event.start,))[0]
    new_day = london_date(old_start) != london_date(event.start)
    bookings = list(Booking.objects.select_for_update(of=("self",))
                    .filter(_told_filter(), event=event)
                    .select_related("delegate").order_by("pk"))
    for booking in bookings:
        booking.event = event
        fields = ["ics_sequence"]
        booking.ics_sequence += 1
        booked = booking.status == BookingStatus.BOOKED
        # A place waiting for the line manager was asked for on the old date too: once agreed,
        # it is a date the delegate did not choose.
        holds_place = booked or booking.status == BookingStatus.PENDING_APPROVAL
        if holds_place and free_reason:
            booking.free_cancellation_reason = free_reason[:300]
            fields.append("free_cancellation_reason")
            audit_record(actor=by, action="booking.free_cancellation", target=booking,
                         details={"reason": free_reason, "event": event.pk})
        if new_day and (booking.reminder_sent_at or booking.joining_link_sent_at):
            booking.reminder_sent_at = booking.joining_link_sent_at = None
            fields += ["reminder_sent_at", "joining_link_sent_at"]
        booking.save(update_fields=fields)
        booking_email_queue(
            booking=booking, template="event_changed", ics="REQUEST" if booked else None,
            extra={"changes": change_rows(event=event, changes=changes, with_link=booked),
                   "free_cancellation_reason": free_reason if holds_place else "",
                   "booked": booked,
                   "waitlisted": booking.status == BookingStatus.WAITLISTED})
    _facilitators_tell(event=event, changes=changes, by=by, now=now)
    audit_record(actor=by, action="event.change_told", target=event, details={
        "changed": sorted(changes), "told": len(bookings),
        "free_cancellation": bool(free_reason)})
    return bookings


def _facilitators_tell(*, event, changes, by, now):
    from core.outbox import email_queue

    rows = change_rows(event=event, changes=changes, with_link=True)
    context = {"event": event, "course": event.course, "changes": rows,
               "changed_by": person_name(by) if by else "the training team",
               "facilitator_path": reverse("bookings:facilitator-event-detail",
                                           kwargs={"pk": event.pk})}
    for person in event.facilitators.all():
        email_queue(to=[person.email], template="bookings/event_changed_facilitator",
                    context={**context, "name": person.first_name or person.email},
                    purpose=f"event:{event.pk}:changed:{now.isoformat()}:facilitator")

