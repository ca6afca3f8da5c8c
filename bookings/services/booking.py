"""Booking a place."""

from django.db import IntegrityError, transaction

from core.audit import audit_record
from core.models import Partnership

from ..models import (
    Booking,
    BookingStatus,
)
from . import places
from .places import (
    _approval_queue,
    _confirmation_queue,
    _event_locked,
    _integrity_refusal,
    _place_confirm_or_hold,
    _place_take,
    _raise,
    booking_refusal_for,
)


def booking_create(*, event, delegate, access_needs="", now):
    """Book a place in one step (DOMAIN.md, Booking states). Refused, with the reason, when the
    event is cancelled or has started, the delegate already holds a place or is on the waiting
    list, their profile is incomplete, a prerequisite is missing or a registered check refuses
    (bookings.checks: the charging app's overdue invoice); EventFull when no place is left.
    "Capacity is never exceeded, whatever the concurrency": the event row is locked while
    places_taken is checked and increased. With Partnership.line_manager_approval_required
    the place is held until the line manager agrees (a signed link, no account needed)."""
    from accounts.models import User

    partnership = Partnership.load()
    with transaction.atomic():
        locked = _event_locked(event.pk, lock=places._LOCK_EVENT)
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if refusal := booking_refusal_for(event=locked, delegate=delegate, now=now):
            _raise(refusal)
        booking = Booking(event=locked, delegate=delegate, organisation=delegate.organisation,
                          access_needs=(access_needs or "").strip(), created_at=now)
        _place_confirm_or_hold(booking, partnership=partnership, now=now)
        try:
            with transaction.atomic():
                booking.save()
                _place_take(locked, lock=places._LOCK_EVENT)
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        audit_record(actor=delegate, action="booking.create", target=booking,
                     details={"status": booking.status, "event": locked.pk})
        if booking.status == BookingStatus.PENDING_APPROVAL:
            _approval_queue(booking)
        else:
            _confirmation_queue(booking)
    return booking
