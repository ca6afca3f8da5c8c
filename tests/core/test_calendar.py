"""Working days and notice (DOMAIN.md, "Working days and notice"), at the boundaries.

Pure functions: no database. Dates are Europe/London; a working day is Monday to Friday and not
an England and Wales bank holiday."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.calendar import (
    Notice,
    add_working_days,
    cancellation_notice,
    is_bank_holiday,
    is_working_day,
    london_date,
    working_days_between,
)

LONDON = ZoneInfo("Europe/London")
REQUIRED = 5  # the shipped default: 5 working days' notice for a free cancellation


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 12, 24), True),  # Thursday before Christmas
        (date(2026, 12, 25), False),  # Christmas Day, Friday
        (date(2026, 12, 26), False),  # Boxing Day, Saturday
        (date(2026, 12, 28), False),  # Boxing Day (substitute), Monday
        (date(2026, 12, 29), True),
        (date(2027, 1, 1), False),  # New Year's Day, Friday
        (date(2027, 1, 4), True),
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 3, 30), True),
        (date(2027, 12, 27), False),  # Christmas Day (substitute)
        (date(2027, 12, 28), False),  # Boxing Day (substitute)
        (date(2026, 6, 6), False),  # an ordinary Saturday
        (date(2026, 6, 7), False),  # an ordinary Sunday
        (date(2026, 6, 8), True),  # an ordinary Monday
    ],
    ids=[
        "thu-24-dec-2026", "christmas-2026", "boxing-day-saturday-2026",
        "boxing-day-substitute-mon-28-dec-2026", "tue-29-dec-2026", "new-year-2027",
        "mon-4-jan-2027", "good-friday-2027", "easter-monday-2027", "tue-after-easter-2027",
        "christmas-substitute-2027", "boxing-day-substitute-2027", "saturday", "sunday",
        "monday",
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "day",
    [date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1), date(2027, 3, 26),
     date(2027, 3, 29)],
    ids=["christmas-2026", "boxing-day-substitute-2026", "new-year-2027", "good-friday-2027",
         "easter-monday-2027"],
)
def test_bank_holidays_of_england_and_wales(day):
    assert is_bank_holiday(day)


# (cancelled on, event date, expected notice)
NOTICE_CASES = [
    # DOMAIN.md: event Tuesday 29 December 2026.
    (date(2026, 12, 17), date(2026, 12, 29), 6),
    (date(2026, 12, 18), date(2026, 12, 29), 5),  # 18, 21, 22, 23, 24: in time
    (date(2026, 12, 21), date(2026, 12, 29), 4),  # 25 and 28 are bank holidays: late
    (date(2026, 12, 24), date(2026, 12, 29), 1),
    (date(2026, 12, 28), date(2026, 12, 29), 0),  # cancelled on the bank holiday before
    # New Year 2027 (Friday 1 January a bank holiday): event Thursday 7 January 2027.
    (date(2026, 12, 30), date(2027, 1, 7), 5),  # 30, 31, 4, 5, 6
    (date(2026, 12, 31), date(2027, 1, 7), 4),
    # Easter 2027 (Good Friday 26 March, Easter Monday 29 March): event Thursday 1 April.
    (date(2027, 3, 23), date(2027, 4, 1), 5),  # 23, 24, 25, 30, 31
    (date(2027, 3, 24), date(2027, 4, 1), 4),
    (date(2027, 3, 25), date(2027, 4, 1), 3),
    (date(2027, 3, 29), date(2027, 4, 1), 2),  # cancelled on Easter Monday
    # Weekends: event Monday 8 June 2026 (no bank holiday near).
    (date(2026, 6, 1), date(2026, 6, 8), 5),
    (date(2026, 5, 30), date(2026, 6, 8), 5),  # Saturday counts from the Monday
    (date(2026, 5, 31), date(2026, 6, 8), 5),  # Sunday too
    (date(2026, 6, 2), date(2026, 6, 8), 4),
    (date(2026, 6, 7), date(2026, 6, 8), 0),  # Sunday before a Monday event
    # Same day, and after the event.
    (date(2026, 6, 8), date(2026, 6, 8), 0),
    (date(2026, 6, 9), date(2026, 6, 8), 0),
]
NOTICE_IDS = [
    "xmas-thu-17-dec-6", "xmas-fri-18-dec-5-in-time", "xmas-mon-21-dec-4-late",
    "xmas-thu-24-dec-1", "xmas-bank-holiday-28-dec-0",
    "new-year-wed-30-dec-5-in-time", "new-year-thu-31-dec-4-late",
    "easter-tue-23-mar-5-in-time", "easter-wed-24-mar-4-late", "easter-thu-25-mar-3-late",
    "easter-monday-2",
    "weekend-mon-before-5", "weekend-saturday-5", "weekend-sunday-5", "weekend-tue-4",
    "weekend-sunday-before-monday-event-0",
    "same-day-0", "after-the-event-0",
]


@pytest.mark.parametrize("cancelled_on, event_on, expected", NOTICE_CASES, ids=NOTICE_IDS)
def test_working_days_between(cancelled_on, event_on, expected):
    assert working_days_between(cancelled_on, event_on) == expected


@pytest.mark.parametrize("cancelled_on, event_on, expected", NOTICE_CASES, ids=NOTICE_IDS)
def test_cancellation_notice_in_time_only_with_five_working_days(cancelled_on, event_on, expected):
    notice = cancellation_notice(cancelled_on=cancelled_on, event_starts=event_on,
                                 required=REQUIRED)
    assert notice.working_days == expected
    assert notice.in_time is (expected >= REQUIRED)


def test_required_notice_is_the_partnerships_number_not_a_constant():
    # An officer who asks for 6 days makes Friday 18 December late for Tuesday 29 December.
    notice = cancellation_notice(cancelled_on=date(2026, 12, 18), event_starts=date(2026, 12, 29),
                                 required=6)
    assert notice.working_days == 5
    assert not notice.in_time


def _utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    "cancelled_at, event_starts, expected_days, in_time",
    [
        # BST: 23:30 UTC on Friday 23 October 2026 is 00:30 on Saturday 24 October in London;
        # event Friday 30 October: from the Friday 5 days, from the Saturday only 4.
        (_utc(2026, 10, 23, 22, 59), datetime(2026, 10, 30, 9, 30, tzinfo=LONDON), 5, True),
        (_utc(2026, 10, 23, 23, 30), datetime(2026, 10, 30, 9, 30, tzinfo=LONDON), 4, False),
        # BST, spring: 23:30 UTC Monday 5 April 2027 is 00:30 Tuesday 6 April in London;
        # event Monday 12 April: 5 from the Monday, 4 from the Tuesday.
        (_utc(2027, 4, 5, 22, 59), datetime(2027, 4, 12, 9, 30, tzinfo=LONDON), 5, True),
        (_utc(2027, 4, 5, 23, 30), datetime(2027, 4, 12, 9, 30, tzinfo=LONDON), 4, False),
        # GMT: London is UTC in winter, so 23:30 UTC on Friday 18 December 2026 is still the
        # Friday: 5 working days before Tuesday 29 December, in time.
        (_utc(2026, 12, 18, 23, 30), datetime(2026, 12, 29, 9, 30, tzinfo=LONDON), 5, True),
        (_utc(2026, 12, 19, 0, 0), datetime(2026, 12, 29, 9, 30, tzinfo=LONDON), 4, False),
        # The clocks go forward at 01:00 UTC on 28 March 2027: 23:30 UTC that Sunday is
        # 00:30 on Easter Monday; event Thursday 1 April: 30 and 31 March only.
        (_utc(2027, 3, 28, 23, 30), datetime(2027, 4, 1, 9, 30, tzinfo=LONDON), 2, False),
        # The event's date is the London date too: 00:30 BST on Tuesday 13 April 2027 is
        # 23:30 UTC on the Monday; cancelled Tuesday 6 April: 6, 7, 8, 9, 12 = 5.
        (datetime(2027, 4, 6, 9, 0, tzinfo=LONDON), _utc(2027, 4, 12, 23, 30), 5, True),
    ],
    ids=[
        "bst-autumn-2259utc-friday-in-time", "bst-autumn-2330utc-is-saturday-late",
        "bst-spring-2259utc-monday-in-time", "bst-spring-2330utc-is-tuesday-late",
        "gmt-2330utc-friday-in-time", "gmt-midnight-saturday-late",
        "clocks-forward-night-easter-monday", "event-date-in-london-not-utc",
    ],
)
def test_cancellation_notice_uses_the_london_date(cancelled_at, event_starts, expected_days,
                                                  in_time):
    notice = cancellation_notice(cancelled_on=cancelled_at, event_starts=event_starts,
                                 required=REQUIRED)
    assert notice.working_days == expected_days
    assert notice.in_time is in_time


@pytest.mark.parametrize(
    "moment, expected",
    [
        (_utc(2027, 3, 28, 0, 59), date(2027, 3, 28)),  # 00:59 GMT
        (_utc(2027, 3, 28, 23, 30), date(2027, 3, 29)),  # 00:30 BST the next day
        (_utc(2026, 10, 25, 23, 30), date(2026, 10, 25)),  # back on GMT after 25 October
        (_utc(2026, 10, 24, 23, 0), date(2026, 10, 25)),  # 00:00 BST exactly
        (date(2027, 3, 28), date(2027, 3, 28)),  # a date passes through
    ],
    ids=["gmt-before-clocks-change", "bst-after-midnight", "gmt-after-clocks-back",
         "bst-midnight-exactly", "plain-date"],
)
def test_london_date(moment, expected):
    assert london_date(moment) == expected


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 12, 24), 1, date(2026, 12, 29)),  # over Christmas and the substitute day
        (date(2026, 12, 18), 5, date(2026, 12, 29)),
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # over New Year's Day and the weekend
        (date(2027, 3, 25), 1, date(2027, 3, 30)),  # over Easter
        (date(2026, 6, 5), 1, date(2026, 6, 8)),  # Friday to Monday
        (date(2026, 6, 6), 1, date(2026, 6, 8)),  # from a Saturday
        (date(2026, 6, 8), 0, date(2026, 6, 8)),
    ],
    ids=["christmas-2026", "five-from-fri-18-dec", "new-year-2027", "easter-2027",
         "friday-to-monday", "from-saturday", "zero-days"],
)
def test_add_working_days(start, n, expected):
    assert add_working_days(start, n) == expected


def test_add_working_days_is_the_inverse_of_counting_notice():
    """For every working day of 2026-2027, the n-th working day after it is the first event
    date that still gives n days' notice: so 'latest free cancellation' and 'notice' agree."""
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        if is_working_day(day):
            for n in (1, 5, 10):
                end = add_working_days(day, n)
                assert is_working_day(end)
                assert working_days_between(day, end) == n, (day, n)
        day += timedelta(days=1)


@pytest.mark.parametrize(
    "days, required, starts, contains",
    [
        (5, 5, "5 working days' notice", "so cancelling is free"),
        (6, 5, "6 working days' notice", "so cancelling is free"),
        (4, 5, "4 working days' notice", "late cancellation"),
        (1, 5, "1 working day's notice", "late cancellation"),
        (0, 5, "0 working days' notice", "late cancellation"),
    ],
    ids=["five-free", "six-free", "four-late", "one-late-singular", "zero-late"],
)
def test_notice_reason_says_free_or_late(days, required, starts, contains):
    notice = Notice(working_days=days, required=required)
    assert notice.reason.startswith(starts)
    assert contains in notice.reason
    assert f"{required}" in notice.reason
    if notice.in_time:
        assert "late" not in notice.reason
    else:
        assert "free" not in notice.reason
        assert "charge" in notice.reason
