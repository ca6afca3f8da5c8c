"""Checks other apps register to refuse a booking, so that bookings never imports them
(STYLE.md: dependencies run one way; a higher app answers a lower one's question by
registering a check).

The charging app registers "organisation has an overdue invoice" (DOMAIN.md, Invoices: an
organisation with an invoice unpaid more than a month after issue cannot book; its delegates
see why, and who to contact):

    from bookings.checks import register_booking_check

    @register_booking_check
    def overdue_invoice(*, delegate, event, now):
        return "Your organisation has an unpaid invoice ..." or None

A check takes `delegate`, `event` and `now` and returns the reason it refuses (shown to the
delegate as is, so it says what to do next), or None / "" when it does not.

A check registered with `new_places_only=True` (`@register_booking_check(new_places_only=True)`)
refuses new places only: it is skipped when a place the organisation already holds changes
hands (a substitution), since "places already held are kept"."""

_CHECKS = []


def register_booking_check(func=None, *, new_places_only=False):
    """Add a check (usable as a decorator, with or without arguments). Registering the same
    function twice keeps one."""
    if func is None:
        return lambda f: register_booking_check(f, new_places_only=new_places_only)
    if new_places_only:
        func.new_places_only = True
    if func not in _CHECKS:
        _CHECKS.append(func)
    return func


def unregister_booking_check(func):
    """Remove a check (for tests, or an app that is switched off)."""
    if func in _CHECKS:
        _CHECKS.remove(func)


def booking_refusals(*, delegate, event, now, place_held=False):
    """Every registered check's reason for refusing this delegate a place on this event, in
    the order the checks were registered; an empty list when none refuses. With
    `place_held=True` (a place already held passing to this delegate) checks registered with
    `new_places_only=True` are skipped."""
    reasons = []
    for check in list(_CHECKS):
        if place_held and getattr(check, "new_places_only", False):
            continue
        reason = check(delegate=delegate, event=event, now=now)
        if reason:
            reasons.append(str(reason))
    return reasons
