from django.dispatch import Signal

# Sent (after commit) when a delegate is marked on the register: kwargs booking,
# previous_status. The evaluations app receives it to send the post-course questionnaire and
# Stage 1 evaluation "right after attendance is marked" (DOMAIN.md), so that bookings never
# imports evaluations (dependencies run one way).
attendance_marked = Signal()

# Sent (after commit) when a delegate's place is confirmed: booked at once, an offer accepted,
# the line manager agreed, or a colleague took the place over (substitution). kwargs booking.
# The evaluations app receives it to request the pre-course questionnaire ("on booking").
booking_confirmed = Signal()

# Sent (after commit) when a delegate cancels a place, in time or late: kwargs booking,
# previous_status. The evaluations app withdraws the pre-course questionnaire it asked for.
booking_cancelled = Signal()

# Sent INSIDE the transaction that records a booking's final state, so that what a higher app
# keeps about it (the charging app's charge) commits with the change or not at all: a charge
# can never be lost between a commit and a receiver. A receiver that raises a DomainError
# refuses the change (it rolls back and the person sees why).
# - booking_late_cancelled: kwargs booking (locked, with its event), by, now.
# - attendance_recorded: kwargs booking (locked), event, previous_status, by, now; sent each
#   time a mark changes (a correction too), before attendance_marked goes after commit.
booking_late_cancelled = Signal()
attendance_recorded = Signal()
