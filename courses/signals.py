from django.dispatch import Signal

# Sent inside the transaction that cancels an event (kwargs event, by, reason, now), so the
# places are cancelled and the delegates' emails queued (core.outbox) with the cancellation or
# not at all. The bookings app receives it to cancel the places and tell the booked delegates,
# so that courses never imports bookings (dependencies run one way: courses <- bookings).
event_cancelled = Signal()

# Sent (after commit) when an officer adds places to an event: kwargs event, by. The bookings
# app offers them to the waiting list at once.
event_places_added = Signal()

# Sent (after commit) when a delegate passes an e-learning module's knowledge check and it is
# added to their training record: kwargs completion. The evaluations app receives it to ask
# for the Stage 1 evaluation ("or passes an e-learning knowledge check").
elearning_passed = Signal()
