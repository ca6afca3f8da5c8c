"""The bookings app's answers to what happens in courses (courses never imports bookings:
STYLE.md, dependencies run one way)."""

from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.dates import day_and_time
from courses.models import Event
from courses.signals import (
    event_cancelled,
    event_changed,
    event_places_added,
    event_register_marked,
)

from .emails import booking_email_queue
from .models import ACTIVE, ATTENDANCE, Booking, BookingStatus
from .services import event_changes  # noqa: F401 – registers the event form's audience count


def _when(moment):
    return day_and_time(moment)


@transaction.atomic
def bookings_cancel_for_cancelled_event(*, event, by, reason, now):
    """When the partnership cancels an event, every place on it goes (booked, waiting for
    approval, offered, waiting list) and each delegate is emailed once, with the reason and
    a link to choose another date. Running it again finds nothing left to cancel, so nobody
    is emailed twice. Returns the bookings cancelled."""
    locked = (Event.objects.select_for_update(of=("self",)).select_related("course", "venue")
              .get(pk=event.pk))
    bookings = list(
        Booking.objects.select_for_update(of=("self",))
        .filter(event=locked, status__in=ACTIVE)
        .select_related("delegate").order_by("pk")
    )
    before = {}
    for booking in bookings:
        before[booking.pk] = was = booking.status
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = now
        booking.cancelled_by = by
        booking.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        audit_record(actor=by, action="booking.cancel_event_cancelled", target=booking,
                     details={"was": was, "event": locked.pk, "reason": reason},
                     changes={"status": [was, booking.status]})
    if locked.places_taken:
        locked.places_taken = 0
        locked.save(update_fields=["places_taken"])
    context = {
        "course_title": locked.course.title,
        "when": _when(locked.start),
        "where": locked.venue.name if locked.venue_id else "Online",
        "reason": reason,
        "course_path": reverse("courses:course-detail", kwargs={"slug": locked.course.slug}),
    }
    for b in bookings:
        had_invite = before[b.pk] == BookingStatus.BOOKED
        if had_invite:
            # The same UID with a higher SEQUENCE takes the invite out of their calendar.
            b.ics_sequence += 1
            b.save(update_fields=["ics_sequence"])
        booking_email_queue(
            booking=b, template="event_cancelled_by_partnership",
            ics="CANCEL" if had_invite else None,
            extra={**context, "name": b.delegate.first_name or b.delegate.email,
                   "was_waitlisted": before[b.pk] == BookingStatus.WAITLISTED},
        )
    return bookings


@receiver(event_cancelled, dispatch_uid="bookings.cancel_places_of_cancelled_event")
def on_event_cancelled(sender, event, by, reason, now=None, **kwargs):
    bookings_cancel_for_cancelled_event(event=event, by=by, reason=reason,
                                        now=now or timezone.now())


@receiver(event_places_added, dispatch_uid="bookings.offer_added_places")
def on_event_places_added(sender, event, by, **kwargs):
    from .services import offer_next

    offer_next(event=event, now=timezone.now())


@receiver(event_changed, dispatch_uid="bookings.tell_event_change")
def on_event_changed(sender, event, changes, by, now=None, **kwargs):
    """Inside the event's transaction: the emails and free cancellations commit with it."""
    from .services.event_changes import event_change_tell

    event_change_tell(event=event, changes=changes, by=by, now=now or timezone.now())


@receiver(event_register_marked, dispatch_uid="bookings.event_register_marked")
def on_event_register_marked(sender, event, **kwargs):
    """An event whose register has a mark took place: courses refuses to cancel it."""
    return (Booking.objects.filter(event=event)
            .filter(Q(attendance_marked_at__isnull=False) | Q(status__in=ATTENDANCE)).exists())
