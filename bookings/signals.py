from django.dispatch import Signal

# Sent (after commit) when a delegate is marked on the register: kwargs booking,
# previous_status. The evaluations app receives it to send the post-course questionnaire and
# Stage 1 evaluation "right after attendance is marked" (DOMAIN.md), so that bookings never
# imports evaluations (dependencies run one way).
attendance_marked = Signal()
