"""Signal receivers: charges follow bookings' final states (attendance marked, late
cancellation), so that bookings never imports charging."""
