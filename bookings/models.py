# Models arrive with the bookings issue.
