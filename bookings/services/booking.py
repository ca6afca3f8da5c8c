"""Booking a place."""

from django.db import IntegrityError, transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import emails_held
from core.words import plural

from .. import policies
from ..models import (
    Booking,
    BookingStatus,
)
from ..signals import booking_confirmed
from . import places
from .places import (
    _approval_queue,
    _confirmation_queue,
    _event_locked,
    _integrity_refusal,
    _place_confirm_or_hold,
    _place_free,
    _place_take,
    _place_take_if_unchanged,
    _raise,
    booking_refusal_for,
)


def booking_create(*, event, delegate, access_needs="", now, by=None, agreed_by_phone=False):
    """Book a place in one step (DOMAIN.md, Booking states). Refused, with the reason, when the
    event is cancelled or has started, the delegate already holds a place or is on the waiting
    list, their profile is incomplete, a prerequisite is missing or a registered check refuses
    (bookings.checks: the charging app's overdue invoice); EventFull when no place is left.
    "Capacity is never exceeded, whatever the concurrency": places_taken is only increased
    under the event row's lock, by an UPDATE that checks there is room (the CHECK constraint
    event_never_overbooked is the backstop). With Partnership.line_manager_approval_required
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
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if places._LOCK_EVENT:
            # Decide and render the emails on the event as read, then take the place with one
            # UPDATE that locks the row only if it still has room and is otherwise unchanged:
            # the lock is held for a few inserts, not for the whole booking (the last-place
            # storm waits on it). If the event changed in between (another place taken is
            # not a change), decide again under the lock, as below.
            seen = _event_locked(event.pk, lock=False)
            booking = _booking_decide(event=seen, delegate=delegate, access_needs=access_needs,
                                      partnership=partnership, now=now, by=by,
                                      agreed_by_phone=agreed_by_phone)
            with emails_held(partnership) as held:
                _booking_emails_queue(booking, signal=False)
            held.find_people()
            if _place_take_if_unchanged(seen):
                try:
                    _booking_save(booking, by=by, delegate=delegate)
                except DomainError:
                    # A place of theirs committed since the read (a second click): give the
                    # place back and let the rules say why, under the lock, as below.
                    _place_free(seen)
                else:
                    held.write()
                    _booking_signal(booking)
                    return booking
        locked = _event_locked(event.pk, lock=places._LOCK_EVENT)
        booking = _booking_decide(event=locked, delegate=delegate, access_needs=access_needs,
                                  partnership=partnership, now=now, by=by,
                                  agreed_by_phone=agreed_by_phone)
        _booking_save(booking, by=by, delegate=delegate, take=True)
        _booking_emails_queue(booking)
    return booking


def _booking_decide(*, event, delegate, access_needs, partnership, now, by, agreed_by_phone):
    """The booking `delegate` would have on `event` now (not saved), or the refusal raised."""
    if refusal := booking_refusal_for(event=event, delegate=delegate, now=now):
        _raise(refusal)
    booking = Booking(event=event, delegate=delegate, organisation=delegate.organisation,
                      access_needs=(access_needs or "").strip(), created_at=now)
    _place_confirm_or_hold(booking, partnership=partnership, now=now)
    if agreed_by_phone and booking.status == BookingStatus.PENDING_APPROVAL:
        booking.status = BookingStatus.BOOKED
        booking.booked_at = booking.approved_at = now
        booking.approval_recorded_by = by
    elif booking.status == BookingStatus.PENDING_APPROVAL and policies.approval_released(
            requested_at=now, event_start=event.start,
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
    return booking


def _booking_save(booking, *, by, delegate, take=False):
    """Save the booking (taking its place under the event's lock when `take`) and audit it."""
    try:
        with transaction.atomic():
            booking.save()
            if take:
                _place_take(booking.event, lock=places._LOCK_EVENT)
    except IntegrityError as exc:
        if (refused := _integrity_refusal(exc)) is None:
            raise
        raise refused from exc
    audit_record(actor=by or delegate, action="booking.create", target=booking,
                 details={"status": booking.status, "event": booking.event.pk,
                          "agreed_by_phone": bool(booking.approval_recorded_by_id)},
                 on_behalf_of=delegate, changes={"status": [None, booking.status]})


def _booking_emails_queue(booking, *, signal=True):
    if booking.status == BookingStatus.PENDING_APPROVAL:
        _approval_queue(booking)
    else:
        _confirmation_queue(booking, signal=signal)


def _booking_signal(booking):
    if booking.status != BookingStatus.PENDING_APPROVAL:
        transaction.on_commit(lambda: booking_confirmed.send(sender=Booking, booking=booking))
