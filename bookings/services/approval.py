"""Line manager approval of a booking (Partnership.line_manager_approval_required)."""

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from courses.models import EventStatus

from .. import policies
from ..emails import booking_email_queue
from ..models import (
    BookingStatus,
)
from .places import _confirmation_queue, _event_and_booking_locked, _place_free
from .waiting_list import offer_next


def self_approval_problem(*, booking, by):
    """DOMAIN.md: a delegate cannot approve their own booking. Refused when the person signed
    in on the approval link is the delegate, or when the address asked is one of the
    delegate's own (accounts.services.user_own_addresses), whoever opens the link."""
    from accounts.services import user_own_addresses

    if by is not None and getattr(by, "is_authenticated", False) and by.pk == booking.delegate_id:
        return ("This is your own booking: only your line manager can agree to it. Forward "
                "them the email with the link.")
    manager = (booking.approval_sent_to or booking.delegate.line_manager_email or "")
    if manager.strip().lower() in user_own_addresses(user=booking.delegate):
        return ("The line manager's address on this booking is one of the delegate's own, so it "
                "cannot be agreed here. Contact the training team.")
    return None


def line_manager_decide(*, booking, approve, now, by=None):
    """With Partnership.line_manager_approval_required, the line manager agrees (the place is
    confirmed and the confirmation goes to the delegate) or declines (the place is freed and
    offered to the waiting list) from a signed link, without an account. `by` is whoever is
    signed in on the link (None without an account): a delegate cannot approve their own
    booking. Agreement is refused once the place is due to be released (approvals_expire)."""
    partnership = Partnership.load()
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        if locked.status != BookingStatus.PENDING_APPROVAL:
            raise DomainError(f"This booking has already been decided: it is "
                              f"{locked.get_status_display().lower()}.", code="decided")
        if (problem := self_approval_problem(booking=locked, by=by)):
            raise DomainError(problem, code="self_approval")
        # The address the approval link was sent to (the profile may have changed since).
        manager = locked.approval_sent_to or locked.delegate.line_manager_email
        if approve and locked.approval_requested_at and policies.approval_released(
                requested_at=locked.approval_requested_at, event_start=event.start,
                link_days=partnership.line_manager_link_days,
                release_working_days=partnership.approval_release_working_days, now=now):
            release = policies.approval_release(
                requested_at=locked.approval_requested_at, event_start=event.start,
                link_days=partnership.line_manager_link_days,
                release_working_days=partnership.approval_release_working_days)
            raise DomainError(f"This booking can no longer be agreed: {release.reason}, so the "
                              "place is being released for someone else.", code="expired")
        if approve:
            if event.status != EventStatus.SCHEDULED or event.start <= now:
                raise DomainError("This event has started or is cancelled, so the booking can "
                                  "no longer be agreed.", code="closed")
            locked.status = BookingStatus.BOOKED
            locked.approved_at = locked.booked_at = now
            locked.save(update_fields=["status", "approved_at", "booked_at"])
            audit_record(actor=by if getattr(by, "is_authenticated", False) else None,
                         action="booking.line_manager_approve", target=locked,
                         details={"line_manager": manager},
                         changes={"status": [BookingStatus.PENDING_APPROVAL, locked.status]})
            _confirmation_queue(locked, was=BookingStatus.PENDING_APPROVAL)
        else:
            locked.status = BookingStatus.NOT_APPROVED
            locked.cancelled_at = now
            locked.save(update_fields=["status", "cancelled_at"])
            _place_free(event)
            audit_record(actor=by if getattr(by, "is_authenticated", False) else None,
                         action="booking.line_manager_decline", target=locked,
                         details={"line_manager": manager},
                         changes={"status": [BookingStatus.PENDING_APPROVAL, locked.status]})
            booking_email_queue(booking=locked, template="booking_not_approved")
            offer_next(event=event, now=now)
    return locked
