"""Booking a place."""

from django.db import IntegrityError, transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from core.words import plural

from .. import policies
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


def booking_create(*, event, delegate, access_needs="", now, by=None, agreed_by_phone=False):
    """Book a place in one step (DOMAIN.md, Booking states). Refused, with the reason, when the
    event is cancelled or has started, the delegate already holds a place or is on the waiting
    list, their profile is incomplete, a prerequisite is missing or a registered check refuses
    (bookings.checks: the charging app's overdue invoice); EventFull when no place is left.
    "Capacity is never exceeded, whatever the concurrency": the event row is locked while
    places_taken is checked and increased. With Partnership.line_manager_approval_required
    the place is held until the line manager agrees (a signed link, no account needed).

    An officer may book for a delegate (`by`, audited "by the officer for the delegate"); with
    `agreed_by_phone` the officer records that the line manager agreed by telephone, so the
    place is confirmed at once and no approval link is sent."""
    from accounts.models import User

    if by is not None and by.pk != delegate.pk and not by.has_perm("bookings.manage_bookings"):
        raise DomainError("Only the training team can book a place for someone else.",
                          code="forbidden")
    if agreed_by_phone and (by is None or not by.has_perm("bookings.manage_bookings")):
        raise DomainError("Only the training team can record a line manager's agreement.",
                          code="forbidden")

    partnership = Partnership.load()
    with transaction.atomic():
        locked = _event_locked(event.pk, lock=places._LOCK_EVENT)
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if refusal := booking_refusal_for(event=locked, delegate=delegate, now=now):
            _raise(refusal)
        booking = Booking(event=locked, delegate=delegate, organisation=delegate.organisation,
                          access_needs=(access_needs or "").strip(), created_at=now)
        _place_confirm_or_hold(booking, partnership=partnership, now=now)
        if agreed_by_phone and booking.status == BookingStatus.PENDING_APPROVAL:
            booking.status = BookingStatus.BOOKED
            booking.booked_at = booking.approved_at = now
            booking.approval_recorded_by = by
        elif booking.status == BookingStatus.PENDING_APPROVAL and policies.approval_released(
                requested_at=now, event_start=locked.start,
                link_days=partnership.line_manager_link_days,
                release_working_days=partnership.approval_release_working_days, now=now):
            # Too close for the line manager to agree (decision 2): a place held only for
            # approvals_expire to release it minutes later would be a trap.
            days = plural(partnership.approval_release_working_days, "working day")
            if by is not None and by.pk != delegate.pk:
                raise DomainError(
                    f"The line manager must agree at least {days} before the event, so this "
                    "booking can no longer wait for the link: record that they agreed by "
                    "phone to book it.", code="approval_too_late")
            raise DomainError(
                f"Your line manager must agree to a booking at least {days} before the "
                "event, so this event is too close to book online. Contact the training "
                "team: they can book it for you once your line manager has agreed.",
                code="approval_too_late")
        try:
            with transaction.atomic():
                booking.save()
                _place_take(locked, lock=places._LOCK_EVENT)
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        audit_record(actor=by or delegate, action="booking.create", target=booking,
                     details={"status": booking.status, "event": locked.pk,
                              "agreed_by_phone": bool(booking.approval_recorded_by_id)},
                     on_behalf_of=delegate)
        if booking.status == BookingStatus.PENDING_APPROVAL:
            _approval_queue(booking)
        else:
            _confirmation_queue(booking)
    return booking
