"""The bookings app's answers to what happens in courses (courses never imports bookings:
STYLE.md, dependencies run one way)."""

from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from core.audit import audit_record
from core.calendar import LONDON
from courses.models import Event
from courses.signals import event_cancelled, event_places_added

from .emails import booking_email_queue
from .models import ACTIVE, Booking, BookingStatus


def _when(moment):
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M}"


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
                     details={"was": was, "event": locked.pk, "reason": reason})
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
