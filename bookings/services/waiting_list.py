"""The waiting list: joining, leaving, offers made, accepted, declined and expired."""

from django.db import IntegrityError, transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import Event, EventStatus

from .. import policies
from ..checks import booking_refusals
from ..emails import booking_email_queue
from ..models import (
    Booking,
    BookingStatus,
)
from .places import (
    _approval_queue,
    _confirmation_queue,
    _event_and_booking_locked,
    _event_locked,
    _integrity_refusal,
    _may_act_for,
    _place_confirm_or_hold,
    _place_free,
    _place_take,
    _raise,
    booking_refusal_for,
)


def waitlist_join(*, event, delegate, now, by=None, wants_change_emails=False):
    """Join a full event's waiting list: first come, first served (waitlisted_at, then id).
    The same rules as booking apply, except that the event must be full. An officer may put a
    delegate on it (`by`, audited "by the officer for the delegate"). With
    `wants_change_emails` ("Tell me if the date, time or place changes") they are emailed when
    the event changes (bookings/services/event_changes.py)."""
    from accounts.models import User

    if by is not None and by.pk != delegate.pk and not by.has_perm("bookings.manage_bookings"):
        raise DomainError("Only the training team can put someone else on a waiting list.",
                          code="forbidden")

    with transaction.atomic():
        locked = _event_locked(event.pk)
        delegate = User.objects.select_related("organisation").get(pk=delegate.pk)
        if refusal := booking_refusal_for(event=locked, delegate=delegate, now=now,
                                          waiting_list=True):
            _raise(refusal)
        booking = Booking(event=locked, delegate=delegate, organisation=delegate.organisation,
                          status=BookingStatus.WAITLISTED, waitlisted_at=now, created_at=now,
                          access_needs=(delegate.access_needs or "").strip(),
                          wants_change_emails=bool(wants_change_emails))
        try:
            with transaction.atomic():
                booking.save()
        except IntegrityError as exc:
            if (refused := _integrity_refusal(exc)) is None:
                raise
            raise refused from exc
        audit_record(actor=by or delegate, action="booking.waitlist_join", target=booking,
                     details={"event": locked.pk}, on_behalf_of=delegate,
                     changes={"status": [None, booking.status]})
        booking_email_queue(booking=booking, template="waitlist_joined")
    return booking


def waitlist_leave(*, booking, by, now):
    """Leave the waiting list (the delegate, or an officer for them)."""
    with transaction.atomic():
        _, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if locked.status != BookingStatus.WAITLISTED:
            raise DomainError("You are not on the waiting list for this event any more.",
                              code="state")
        locked.status = BookingStatus.LEFT_WAITING_LIST
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        audit_record(actor=by, action="booking.waitlist_leave", target=locked,
                     on_behalf_of=locked.delegate,
                     changes={"status": [BookingStatus.WAITLISTED, locked.status]})
    return locked


def offer_next(*, event, now):
    """A freed place is offered to the head of the waiting list, by email, for
    Partnership.waiting_list_offer_hours (48) – never beyond the start of the event – before
    it passes to the next (DOMAIN.md). An offer holds the place. Offers every free place, first
    come first served (waitlisted_at, then id); returns the bookings offered."""
    partnership = Partnership.load()
    offered = []
    with transaction.atomic():
        locked = _event_locked(event.pk)
        if locked.status != EventStatus.SCHEDULED or locked.start <= now:
            return offered
        passed_over = []
        while locked.places_taken < locked.capacity:
            head = (Booking.objects.select_for_update(of=("self",)).select_related("delegate")
                    .filter(event=locked, status=BookingStatus.WAITLISTED)
                    .exclude(pk__in=passed_over)
                    .order_by("waitlisted_at", "pk").first())
            if head is None:
                break
            # A delegate who could not accept (a registered check refuses them a new place,
            # e.g. their organisation's overdue invoice) keeps their place in the queue but is
            # passed over, rather than holding the place for hours on an offer they cannot take.
            refusals = booking_refusals(delegate=head.delegate, event=locked, now=now)
            if refusals:
                passed_over.append(head.pk)
                audit_record(actor=None, action="booking.offer_passed_over", target=head,
                             details={"reasons": refusals})
                continue
            head.status = BookingStatus.OFFERED
            head.offered_at = now
            head.offer_expires_at = policies.offer_expires(
                now=now, hours=partnership.waiting_list_offer_hours, event_start=locked.start)
            head.save(update_fields=["status", "offered_at", "offer_expires_at"])
            _place_take(locked)
            audit_record(actor=None, action="booking.offer", target=head,
                         details={"expires": head.offer_expires_at.isoformat()},
                         changes={"status": [BookingStatus.WAITLISTED, head.status]})
            booking_email_queue(booking=head, template="offer_made")
            offered.append(head)
    return offered


def offer_accept(*, booking, by, now):
    """Accept a place offered from the waiting list before the offer expires: it is booked
    (or held for the line manager's agreement when the partnership requires it)."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        _offer_still_open(locked, event=event, now=now)
        refusals = booking_refusals(delegate=locked.delegate, event=event, now=now)
        if refusals:
            raise DomainError(" ".join(refusals), code="refused")
        _place_confirm_or_hold(locked, partnership=partnership, now=now)
        locked.save(update_fields=["status", "booked_at", "approval_requested_at",
                                   "approval_sent_to"])
        audit_record(actor=by, action="booking.offer_accept", target=locked,
                     details={"status": locked.status},
                     changes={"status": [BookingStatus.OFFERED, locked.status]})
        if locked.status == BookingStatus.PENDING_APPROVAL:
            _approval_queue(locked)
        else:
            _confirmation_queue(locked)
    return locked


def _offer_still_open(booking, *, event, now):
    if booking.status != BookingStatus.OFFERED:
        raise DomainError(f"There is no open offer on this booking: it is "
                          f"{booking.get_status_display().lower()}.", code="state")
    if event.start <= now:
        raise DomainError("This event has started, so the offer has closed.", code="closed")
    if booking.offer_expires_at <= now:
        raise DomainError("This offer has expired, so the place has passed to the next person "
                          "on the waiting list.", code="expired")


def offer_decline(*, booking, by, now):
    """Decline an offered place: it passes to the next person on the waiting list."""
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if locked.status != BookingStatus.OFFERED:
            raise DomainError(f"There is no open offer on this booking: it is "
                              f"{locked.get_status_display().lower()}.", code="state")
        locked.status = BookingStatus.OFFER_DECLINED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        _place_free(event)
        audit_record(actor=by, action="booking.offer_decline", target=locked,
                     changes={"status": [BookingStatus.OFFERED, locked.status]})
        offer_next(event=event, now=now)
    return locked


def offers_expire(*, now):
    """The sweep (Celery beat): an offer not taken up in time passes to the next person on
    the waiting list, and the delegate is told. Safe to run twice: each offer's state is
    checked under its lock. Also offers places freed without an offer (an officer added
    places). Returns the number of offers expired."""
    from ..selectors import events_with_places_and_waiting_list, offers_due_to_expire

    expired = 0
    for event_id, pk in offers_due_to_expire(now=now):
        with transaction.atomic():
            event = _event_locked(event_id)
            locked = (Booking.objects.select_for_update(of=("self",))
                      .filter(pk=pk, status=BookingStatus.OFFERED, offer_expires_at__lte=now)
                      .first())
            if locked is None:
                continue
            locked.status = BookingStatus.OFFER_EXPIRED
            locked.save(update_fields=["status"])
            _place_free(event)
            audit_record(actor=None, action="booking.offer_expire", target=locked,
                         changes={"status": [BookingStatus.OFFERED, locked.status]})
            booking_email_queue(booking=locked, template="offer_expired")
            offer_next(event=event, now=now)
            expired += 1
    for event_id in events_with_places_and_waiting_list(now=now):
        offer_next(event=Event(pk=event_id), now=now)
    return expired
