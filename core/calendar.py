"""Working days and notice (DOMAIN.md, "Working days and notice").

A working day is Monday to Friday and not an England and Wales bank holiday. Pure functions:
each takes its dates as arguments and never reads the clock."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year):
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: date) -> bool:
    return day in _bank_holidays(day.year)


def bank_holiday_name(day: date) -> str | None:
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def working_days_between(start: date, end: date) -> int:
    """The number of working days d with start <= d < end (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        if is_working_day(day):
            count += 1
        day += timedelta(days=1)
    return count


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (n >= 1); `start` itself is not counted."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def london_date(moment: datetime | date) -> date:
    """The Europe/London calendar date of an aware datetime (a date passes through)."""
    if isinstance(moment, datetime):
        return moment.astimezone(LONDON).date()
    return moment


@dataclass(frozen=True)
class Notice:
    working_days: int
    required: int

    @property
    def in_time(self) -> bool:
        return self.working_days >= self.required

    @property
    def reason(self) -> str:
        n = self.working_days
        days = f"{n} working day's" if n == 1 else f"{n} working days'"
        if self.in_time:
            return f"{days} notice: at least {self.required}, so cancelling is free."
        return (
            f"{days} notice: fewer than {self.required}, so this is a late cancellation "
            "and the training team decides whether a charge applies."
        )


def cancellation_notice(*, cancelled_on, event_starts, required: int) -> Notice:
    """Notice = working days d with cancellation date <= d < event date (Europe/London).

    Example (DOMAIN.md): event Tuesday 29 December 2026; cancelled Friday 18 December gives
    5 (18, 21, 22, 23, 24) and is in time; Monday 21 December gives 4 and is late."""
    return Notice(
        working_days=working_days_between(london_date(cancelled_on), london_date(event_starts)),
        required=required,
    )
