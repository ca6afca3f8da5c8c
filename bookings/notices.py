"""Notices other apps add to a delegate's booking pages, so that bookings never imports them
(STYLE.md: a higher app answers a lower one by registering; like bookings/checks.py).

The charging app registers what a place costs: the attendance fee on the booking page of a
private organisation's delegate, what cancelling now would cost on the cancellation pages,
and the charge and its decision on a booking's page, each with a link to the charging policy:

    from bookings.notices import BookingNotice, register_booking_notice

    @register_booking_notice
    def charge_notice(*, page, event, delegate, booking, now):
        return BookingNotice(text="...", link_url="/charging/policy/", link_text="...")

My training's list of past bookings carries short labels the same way
(register_booking_labels: "Charged £100", "Charge waived").

`page` is "book" (booking a place: the booking page and the event page's panel), "booking" (a
booking's own page) or "cancel" (the cancellation and late cancellation pages); `booking` is
None when booking. A notice returns None when it has nothing to say."""

from dataclasses import dataclass

PAGES = ("book", "booking", "cancel")


@dataclass(frozen=True)
class BookingNotice:
    text: str
    link_url: str = ""
    link_text: str = ""
    warning: bool = False  # shown as a warning (it may cost money), else as an inset


_NOTICES = []
_LABELS = []


def register_booking_notice(func):
    """Add a notice (usable as a decorator). Registering the same function twice keeps one."""
    if func not in _NOTICES:
        _NOTICES.append(func)
    return func


def unregister_booking_notice(func):
    if func in _NOTICES:
        _NOTICES.remove(func)


def booking_notices(*, page, event, delegate, booking=None, now):
    """Every registered notice for this page, in the order they were registered."""
    assert page in PAGES, page
    notices = []
    for func in list(_NOTICES):
        notice = func(page=page, event=event, delegate=delegate, booking=booking, now=now)
        if notice:
            notices.append(notice)
    return notices


# Short words beside each booking of a list (My training's past bookings): a function taking
# `bookings` (one page of them) and returning {booking pk: "words"}, in one query.

def register_booking_labels(func):
    if func not in _LABELS:
        _LABELS.append(func)
    return func


def unregister_booking_labels(func):
    if func in _LABELS:
        _LABELS.remove(func)


def booking_labels(*, bookings):
    """{booking pk: [words, ...]} from every registered function."""
    bookings = list(bookings)
    labels = {}
    for func in list(_LABELS):
        for pk, words in (func(bookings=bookings) or {}).items():
            if words:
                labels.setdefault(pk, []).append(str(words))
    return labels
