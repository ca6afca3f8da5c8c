"""Line manager approval of a booking (Partnership.line_manager_approval_required)."""

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError
from courses.models import EventStatus

from ..emails import booking_email_queue
from ..models import (
    BookingStatus,
)
from .places import _confirmation_queue, _event_and_booking_locked, _place_free
from .waiting_list import offer_next


def line_manager_decide(*, booking, approve, now):
    """With Partnership.line_manager_approval_required, the line manager agrees (the place is
    confirmed and the confirmation goes to the delegate) or declines (the place is freed and
    offered to the waiting list) from a signed link, without an account."""
    with transaction.atomic():
        event, locked = _event_and_booking_locked(booking)
        if locked.status != BookingStatus.PENDING_APPROVAL:
            raise DomainError(f"This booking has already been decided: it is "
                              f"{locked.get_status_display().lower()}.", code="decided")
        # The address the approval link was sent to (the profile may have changed since).
        manager = locked.approval_sent_to or locked.delegate.line_manager_email
        if approve:
            if event.status != EventStatus.SCHEDULED or event.start <= now:
                raise DomainError("This event has started or is cancelled, so the booking can "
                                  "no longer be agreed.", code="closed")
            locked.status = BookingStatus.BOOKED
            locked.approved_at = locked.booked_at = now
            locked.save(update_fields=["status", "approved_at", "booked_at"])
            audit_record(actor=None, action="booking.line_manager_approve", target=locked,
                         details={"line_manager": manager})
            _confirmation_queue(locked, was=BookingStatus.PENDING_APPROVAL)
        else:
            locked.status = BookingStatus.NOT_APPROVED
            locked.cancelled_at = now
            locked.save(update_fields=["status", "cancelled_at"])
            _place_free(event)
            audit_record(actor=None, action="booking.line_manager_decline", target=locked,
                         details={"line_manager": manager})
            booking_email_queue(booking=locked, template="booking_not_approved")
            offer_next(event=event, now=now)
    return locked
