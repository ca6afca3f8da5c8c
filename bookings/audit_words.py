"""The bookings app's codes in the audit log's words (core.audit_words): a booking's states,
a late cancellation's reasons and how it was reported."""

from core.audit_words import register_action_words, register_value_words

from .models import BookingStatus, LateCancellationReason, ReportedBy

register_value_words(BookingStatus.choices)
register_value_words(LateCancellationReason.choices)
register_value_words(ReportedBy.choices)
# Issue 11's actions (an officer moving a place; an event change reaching its people).
register_action_words({
    "booking.move": "Booking moved to another date",
    "booking.free_cancellation": "Free cancellation allowed: the event moved",
    "event.change_told": "Event change emailed to the people on it",
})
# Issue 12's actions (substitution with consent, on the day; places not agreed in time).
register_action_words({
    "booking.approval_expire": "Released: not agreed by the line manager in time",
    "booking.substitute_offer": "Place offered to a colleague",
    "booking.substitute_withdraw": "Offer to a colleague withdrawn",
    "booking.substitute_decline": "Colleague declined the place",
    "booking.substitute_replaced": "Offer to a colleague replaced by a newer one",
    "booking.substitute_on_the_day": "Colleague attended instead (recorded on the day)",
    "account.invite_on_the_day": "Account made for a colleague who attended instead",
})
