"""The overdue-invoice booking check, registered with bookings.checks."""
