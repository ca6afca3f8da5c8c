"""Signal receivers: the evaluations app answers the bookings and courses apps here (a booking
made, attendance marked, an e-learning knowledge check passed), so they never import it."""
