"""Writes of the bookings app (STYLE.md: one function per user-visible action, keyword-only,
atomic, locking what it decides on, audited; side effects queued with transaction.on_commit),
kept by the part of the lifecycle they hold. Lock order in every service: the event row
first, then the booking rows."""

from .approval import line_manager_decide, self_approval_problem  # noqa: F401
from .attendance import ATTENDANCE_OUTCOMES, attendance_mark  # noqa: F401
from .booking import booking_create  # noqa: F401
from .cancellation import booking_cancel, cancellation_notice_for, late_cancellation_request  # noqa: F401
from .moving import booking_move  # noqa: F401
from .places import EventFull, LateCancellationRequired, _may_act_for, booking_refusal_for  # noqa: F401
from .substitution import (  # noqa: F401
    booking_substitute,
    substitution_accept,
    substitution_decline,
    substitution_lapse_reason,
    substitution_record_on_the_day,
    substitution_withdraw,
)
from .sweeps import (  # noqa: F401
    approvals_expire,
    event_reminders_send,
    events_complete,
    joining_links_send,
    refresher_reminders_send,
)
from .waiting_list import (  # noqa: F401
    offer_accept,
    offer_decline,
    offer_next,
    offers_expire,
    waitlist_join,
    waitlist_leave,
)
