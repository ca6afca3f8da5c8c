"""The bookings app's codes in the audit log's words (core.audit_words): a booking's states,
a late cancellation's reasons and how it was reported."""

from core.audit_words import register_value_words

from .models import BookingStatus, LateCancellationReason, ReportedBy

register_value_words(BookingStatus.choices)
register_value_words(LateCancellationReason.choices)
register_value_words(ReportedBy.choices)
