"""Cancelling a place, in time or late (with a reason)."""

from django.db import transaction
from django.urls import reverse

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership

from .. import policies
from ..emails import booking_email_queue
from ..models import (
    Booking,
    BookingStatus,
    LateCancellationReason,
    ReportedBy,
)
from ..signals import (
    booking_cancelled,
    booking_late_cancelled,
)
from .places import LateCancellationRequired, _event_and_booking_locked, _may_act_for, _place_free
from .waiting_list import offer_next


def cancellation_notice_for(*, booking, now):
    """The notice a cancellation now would give (bookings.policies.booking_notice); free
    whatever the notice when the partnership moved the event (free_cancellation_reason)."""
    notice = policies.booking_notice(cancelled_on=now, event_start=booking.event.start,
                                     required=Partnership.load().notice_working_days)
    return policies.cancellation_notice_moved(
        notice=notice, free_cancellation_reason=booking.free_cancellation_reason)


def _locked_to_cancel(booking, *, by, now, required):
    """The event and the booking locked, once `by` may act for it and it may still be
    cancelled, with the notice it would be cancelled with now (inside a transaction)."""
    event, locked = _event_and_booking_locked(booking)
    _may_act_for(by=by, booking=locked)
    if problem := policies.cancel_problem(status=locked.status, event_start=event.start,
                                          now=now):
        raise DomainError(problem, code="state")
    notice = policies.booking_notice(cancelled_on=now, event_start=event.start,
                                     required=required)
    return event, locked, notice


def booking_cancel(*, booking, by, now):
    """Cancel a place in time (DOMAIN.md, "Working days and notice"): with at least
    Partnership.notice_working_days (5) working days' notice the delegate cancels online,
    free; the delegate and the line manager are emailed (the delegate with a calendar
    cancellation) and the place is offered to the waiting list. With less notice,
    LateCancellationRequired: the delegate gives a reason instead. A place still waiting for
    the line manager's agreement is not confirmed yet, so withdrawing it is always free."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked, notice = _locked_to_cancel(booking, by=by, now=now,
                                                  required=partnership.notice_working_days)
        was = locked.status
        # An event moved by the partnership (bookings/services/event_changes.py): free,
        # whatever the notice, since the delegate did not choose the new date.
        moved = bool(locked.free_cancellation_reason)
        if was == BookingStatus.BOOKED and not notice.in_time and not moved:
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
                     details={"was": was, "notice_working_days": notice.working_days},
                     on_behalf_of=locked.delegate, changes={"status": [was, locked.status]})
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


def late_cancellation_request(*, booking, by, reason, detail, now, reported_by=ReportedBy.SITE):
    """A late cancellation (notice below Partnership.notice_working_days): the delegate gives
    a reason (DSPP: service users or illness; "other" explained) and the L&D officer decides
    whether the charge applies. The place is freed at once and offered on (DSPP: "the DSPP may
    be able to offer the place to other candidates"). The charging app raises the charge from
    the booking_late_cancelled signal, sent inside this transaction (a charge is never lost),
    and its queue is the officer's review. An officer records one the delegate reported by
    telephone or email (`reported_by`; DSPP: "you must email or telephone ... stating the
    reason"), audited "by the officer for the delegate"."""
    partnership = Partnership.load()
    if problem := policies.late_cancellation_problem(reason=reason, detail=detail,
                                                     reasons=LateCancellationReason.values):
        raise DomainError(problem, code="invalid",
                          field="detail" if reason == LateCancellationReason.OTHER else "reason")
    with transaction.atomic():
        event, locked, notice = _locked_to_cancel(booking, by=by, now=now,
                                                  required=partnership.notice_working_days)
        if locked.status != BookingStatus.BOOKED or notice.in_time:
            raise DomainError(f"{notice.reason} Cancel the place instead: no reason is needed.",
                              code="in_time")
        if locked.free_cancellation_reason:
            raise DomainError(f"{locked.free_cancellation_reason} Cancelling is free whatever "
                              "the notice: cancel the place instead, no reason is needed.",
                              code="in_time")
        locked.status = BookingStatus.LATE_CANCELLED
        locked.cancelled_at, locked.cancelled_by = now, by
        locked.notice_working_days = notice.working_days
        locked.late_cancellation_reason = reason
        locked.late_cancellation_detail = (detail or "").strip()
        locked.late_cancellation_reported_by = reported_by
        locked.ics_sequence += 1
        locked.save(update_fields=["status", "cancelled_at", "cancelled_by",
                                   "notice_working_days", "late_cancellation_reason",
                                   "late_cancellation_detail", "late_cancellation_reported_by",
                                   "ics_sequence"])
        _place_free(event)
        audit_record(actor=by, action="booking.late_cancel", target=locked, details={
            "notice_working_days": notice.working_days, "reason": reason,
            "reported_by": reported_by}, on_behalf_of=locked.delegate,
            changes={"status": [BookingStatus.BOOKED, locked.status]})
        booking_late_cancelled.send(sender=Booking, booking=locked, by=by, now=now)
        _cancellation_queue(locked, was=BookingStatus.BOOKED, late=True)
        _late_cancellation_team_queue(locked, partnership=partnership)
        offer_next(event=event, now=now)
    return locked


def _late_cancellation_team_queue(booking, *, partnership):
    """The training team hears of each late cancellation at the partnership's contact address
    (issue 11): the officer decides on the charge. Its own purpose key
    (booking:<uid>:late_cancellation_team:<sequence>), so it goes once."""
    if not partnership.contact_email:
        return
    booking_email_queue(booking=booking, template="late_cancellation_team",
                        to=[partnership.contact_email],
                        extra={"reported_by": booking.get_late_cancellation_reported_by_display(),
                               "decide_path": reverse("charging:charge-list")})
