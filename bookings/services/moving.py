"""Moving a place to another date of the same course (an officer, for a delegate who phoned)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership

from ..emails import booking_email_queue, site_url
from ..ics import CANCEL, booking_ics_attachment
from ..models import Booking, BookingStatus
from ..signals import booking_cancelled, booking_confirmed
from .places import (
    _booking_locked,
    _event_locked,
    _integrity_refusal,
    _place_free,
    _place_take,
    _raise,
    booking_refusal_for,
)
from .waiting_list import offer_next


def _lock_order(from_event_id, to_event_id):
    """Both events, the lower id first: a move A -> B and a move B -> A take the locks in the
    same order, so neither holds one while waiting for the other (no deadlock). The control
    test (tests/bookings/test_move_concurrency.py) swaps this to show the deadlock it avoids."""
    return sorted((from_event_id, to_event_id))


def booking_move(*, booking, to_event, by, now):
    """Move a confirmed place to another date of the same course in one step (issue 11: "the
    new place is taken and the old freed, atomically, with the usual capacity rules and a new
    calendar invitation"). Officers only (bookings.manage_bookings).

    Both event rows are locked in a fixed order (the lower id first), then the booking, so two
    moves in opposite directions never wait for each other. The new place obeys the rules of
    booking_create (a full event -> EventFull, nothing changes); the old booking becomes
    "moved" (moved_to = the new one), its place freed and offered to the waiting list. Not a
    cancellation: no notice counted, no charge (charging.policies.charge_for ignores "moved").
    The delegate gets one email: the new invitation and the old one withdrawn. Returns the
    new booking."""
    if by is None or not by.has_perm("bookings.manage_bookings"):
        raise DomainError("Only the training team can move a place to another date.",
                          code="forbidden")
    with transaction.atomic():
        from_event_id = Booking.objects.values_list("event_id", flat=True).get(pk=booking.pk)
        if from_event_id == to_event.pk:
            raise DomainError("Choose a different date: the place is already on this one.",
                              code="same_event", field="event")
        events = {pk: _event_locked(pk) for pk in _lock_order(from_event_id, to_event.pk)}
        old_event, new_event = events[from_event_id], events[to_event.pk]
        locked = _booking_locked(booking.pk)
        locked.event = old_event
        delegate = locked.delegate
        if locked.status != BookingStatus.BOOKED:
            raise DomainError(f"Only a confirmed place can be moved: this booking is "
                              f"{locked.get_status_display().lower()}.", code="state")
        if old_event.start <= now:
            raise DomainError("This event has started, so the place cannot be moved.",
                              code="started")
        if new_event.course_id != old_event.course_id:
            raise DomainError("A place can only move to another date of the same course.",
                              code="other_course", field="event")
        if refusal := booking_refusal_for(event=new_event, delegate=delegate, now=now):
            _raise(refusal)
        new = Booking(
            event=new_event, delegate=delegate, organisation=locked.organisation,
            status=BookingStatus.BOOKED, access_needs=locked.access_needs, created_at=now,
            booked_at=now, approval_requested_at=locked.approval_requested_at,
            approval_sent_to=locked.approval_sent_to, approved_at=locked.approved_at,
            approval_recorded_by=locked.approval_recorded_by)
        try:
            with transaction.atomic():
                new.save()
                _place_take(new_event)
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        locked.status = BookingStatus.MOVED
        locked.moved_to = new
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.ics_sequence += 1
        locked.save(update_fields=["status", "moved_to", "cancelled_at", "cancelled_by",
                                   "ics_sequence"])
        _place_free(old_event)
        audit_record(actor=by, action="booking.move", target=new, on_behalf_of=delegate,
                     details={"from_event": old_event.pk, "to_event": new_event.pk,
                              "from_booking": str(locked.uid)},
                     changes={"event": [str(old_event), str(new_event)]})
        # One email: the new invitation (REQUEST) and the old one withdrawn (CANCEL, its UID,
        # a higher SEQUENCE), so the delegate's calendar swaps one for the other.
        withdrawn = booking_ics_attachment(
            locked, partnership=Partnership.load(), site_url=site_url(), method=CANCEL,
            sequence=locked.ics_sequence, stamp=timezone.now(), attendee=delegate)
        booking_email_queue(booking=new, template="booking_moved", ics="REQUEST",
                            attachments=[withdrawn], extra={"old_booking": locked,
                                                            "old_event": old_event})
        transaction.on_commit(lambda: booking_cancelled.send(
            sender=Booking, booking=locked, previous_status=BookingStatus.BOOKED))
        transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=new))
        offer_next(event=old_event, now=now)
    return new
