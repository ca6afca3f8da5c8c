"""Cancelling a place, in time or late (with a reason)."""

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership

from .. import policies
from ..emails import booking_email_queue
from ..models import (
    Booking,
    BookingStatus,
    LateCancellationReason,
)
from ..signals import (
    booking_cancelled,
    booking_late_cancelled,
)
from .places import LateCancellationRequired, _event_and_booking_locked, _may_act_for, _place_free
from .waiting_list import offer_next


def cancellation_notice_for(*, booking, now):
    """The notice a cancellation now would give (bookings.policies.booking_notice)."""
    return policies.booking_notice(cancelled_on=now, event_start=booking.event.start,
                                   required=Partnership.load().notice_working_days)


def booking_cancel(*, booking, by, now):
    """Cancel a place in time (DOMAIN.md, "Working days and notice"): with at least
    Partnership.notice_working_days (5) working days' notice the delegate cancels online,
    free; the delegate and the line manager are emailed (the delegate with a calendar
    cancellation) and the place is offered to the waiting list. With less notice,
    LateCancellationRequired: the delegate gives a reason instead. A place still waiting for
    the line manager's agreement is not confirmed yet, so withdrawing it is always free."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if problem := policies.cancel_problem(status=locked.status, event_start=event.start,
                                              now=now):
            raise DomainError(problem, code="state")
        notice = policies.booking_notice(cancelled_on=now, event_start=event.start,
                                         required=partnership.notice_working_days)
        was = locked.status
        if was == BookingStatus.BOOKED and not notice.in_time:
            raise LateCancellationRequired(notice)
        locked.status = BookingStatus.CANCELLED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.notice_working_days = notice.working_days
        fields = ["status", "cancelled_at", "cancelled_by", "notice_working_days"]
        if was == BookingStatus.BOOKED:
            locked.ics_sequence += 1
            fields.append("ics_sequence")
        locked.save(update_fields=fields)
        _place_free(event)
        audit_record(actor=by, action="booking.cancel", target=locked,
                     details={"was": was, "notice_working_days": notice.working_days})
        _cancellation_queue(locked, was=was, late=False)
        offer_next(event=event, now=now)
    return locked


def _cancellation_queue(booking, *, was, late):
    transaction.on_commit(lambda: booking_cancelled.send(sender=Booking, booking=booking,
                                                         previous_status=was))
    extra = {"late": late}
    booking_email_queue(booking=booking, template="booking_cancelled",
                        ics="CANCEL" if was == BookingStatus.BOOKED else None, extra=extra)
    delegate = booking.delegate
    if delegate.line_manager_email:
        booking_email_queue(booking=booking, template="line_manager_cancelled",
                            to=[delegate.line_manager_email],
                            extra={**extra, "line_manager_name": delegate.line_manager_name})


def late_cancellation_request(*, booking, by, reason, detail, now):
    """A late cancellation (notice below Partnership.notice_working_days): the delegate gives
    a reason (DSPP: service users or illness; "other" explained) and the L&D officer decides
    whether the charge applies. The place is freed at once and offered on (DSPP: "the DSPP may
    be able to offer the place to other candidates"). The charging app raises the charge from
    the booking_late_cancelled signal, sent inside this transaction (a charge is never lost),
    and its queue is the officer's review."""
    partnership = Partnership.load()
    if problem := policies.late_cancellation_problem(reason=reason, detail=detail,
                                                     reasons=LateCancellationReason.values):
        raise DomainError(problem, code="invalid",
                          field="detail" if reason == LateCancellationReason.OTHER else "reason")
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        _may_act_for(by=by, booking=locked)
        if problem := policies.cancel_problem(status=locked.status, event_start=event.start,
                                              now=now):
            raise DomainError(problem, code="state")
        notice = policies.booking_notice(cancelled_on=now, event_start=event.start,
                                         required=partnership.notice_working_days)
        if locked.status != BookingStatus.BOOKED or notice.in_time:
            raise DomainError(f"{notice.reason} Cancel the place instead: no reason is needed.",
                              code="in_time")
        locked.status = BookingStatus.LATE_CANCELLED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.notice_working_days = notice.working_days
        locked.late_cancellation_reason = reason
        locked.late_cancellation_detail = (detail or "").strip()
        locked.ics_sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by",
                                   "notice_working_days", "late_cancellation_reason",
                                   "late_cancellation_detail", "ics_sequence"])
        _place_free(event)
        audit_record(actor=by, action="booking.late_cancel", target=locked, details={
            "notice_working_days": notice.working_days, "reason": reason})
        booking_late_cancelled.send(sender=Booking, booking=locked, by=by, now=now)
        _cancellation_queue(locked, was=BookingStatus.BOOKED, late=True)
        offer_next(event=event, now=now)
    return locked
