from django.dispatch import Signal

# Sent inside the transaction that cancels an event (kwargs event, by, reason, now), so the
# places are cancelled and the delegates' emails queued (core.outbox) with the cancellation or
# not at all. The bookings app receives it to cancel the places and tell the booked delegates,
# so that courses never imports bookings (dependencies run one way: courses <- bookings).
event_cancelled = Signal()

# Asked (inside the cancelling transaction) whether an event's register has a mark: kwargs
# event. A receiver returns True when it has (the bookings app: an attendance marked), so
# courses can refuse to cancel an event that took place without importing bookings.
event_register_marked = Signal()

# Sent (after commit) when an officer adds places to an event: kwargs event, by. The bookings
# app offers them to the waiting list at once.
event_places_added = Signal()

# Sent (after commit) when a delegate passes an e-learning module's knowledge check and it is
# added to their training record: kwargs completion. The evaluations app receives it to ask
# for the Stage 1 evaluation ("or passes an e-learning knowledge check").
elearning_passed = Signal()

# Sent INSIDE the transaction that saves an event whose start, end, venue or joining link
# changed: kwargs event (locked, saved), changes ({field: (old, new)}, courses.event_changes),
# by, now. The bookings app receives it to email the booked delegates (with the updated
# calendar invitation), those with an offer or waiting for approval, the facilitators and the
# people on the waiting list who asked, and to let booked delegates cancel free when the event
# moved far (bookings/services/event_changes.py). The emails commit with the change or not at
# all (core.outbox).
event_changed = Signal()
