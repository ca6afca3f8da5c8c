"""Report periods: financial-year quarters and years, the periods a report is compared with,
and when a quarter's report is due. Pure: every function takes its dates as arguments.

Quarters run from Partnership.financial_year_start_month (4: April to June, July to
September, October to December, January to March). Labels use the site's one date style
(core.dates): "July to September 2026", "April 2026 to March 2027"."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from core.calendar import LONDON, add_working_days
from core.dates import day, month, month_year


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str

    @property
    def days(self):
        return (self.end - self.start).days + 1

    @property
    def whole_months(self):
        """True when the period starts on a 1st and ends on a month's last day."""
        return self.start.day == 1 and self.end == _month_end(self.end.year, self.end.month)

    def bounds(self):
        """The aware datetimes [from, until) of the period in Europe/London: an event belongs
        to the period when its start's London date is inside it."""
        start = datetime.combine(self.start, time.min, tzinfo=LONDON)
        until = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LONDON)
        return start, until

    def as_dict(self):
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "label": self.label}


def _month_end(year, month):
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year, month, n):
    """(year, month) n months after (year, month); n may be negative."""
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def label_for(start, end):
    """"July to September 2026", "July 2026", "November 2026 to January 2027" for whole
    months; "Wednesday 1 July 2026 to Saturday 15 August 2026" for any other dates."""
    if start.day == 1 and end == _month_end(end.year, end.month):
        if (start.year, start.month) == (end.year, end.month):
            return month_year(start)
        if start.year == end.year:
            return f"{month(start)} to {month_year(end)}"
        return f"{month_year(start)} to {month_year(end)}"
    if start == end:
        return day(start)
    return f"{day(start)} to {day(end)}"


def period(start, end):
    """A period for any dates, labelled in the one date style."""
    if end < start:
        raise ValueError("A period cannot end before it starts.")
    return Period(start, end, label_for(start, end))


def months_period(year, month, months):
    """`months` whole months from the 1st of (year, month)."""
    end_year, end_month = _add_months(year, month, months - 1)
    return period(date(year, month, 1), _month_end(end_year, end_month))


def quarter_containing(day_, fy_start_month=4):
    """The financial-year quarter holding `day_`."""
    offset = (day_.month - fy_start_month) % 3
    year, month = _add_months(day_.year, day_.month, -offset)
    return months_period(year, month, 3)


def financial_year_containing(day_, fy_start_month=4):
    """The financial year holding `day_`: "April 2026 to March 2027" (a year starting in
    January is "January to December 2026")."""
    offset = (day_.month - fy_start_month) % 12
    year, month = _add_months(day_.year, day_.month, -offset)
    return months_period(year, month, 12)


def previous_period(p):
    """The period of the same length just before: whole months by months (the quarter
    before a quarter, the year before a year), any other dates by days."""
    if p.whole_months:
        months = (p.end.year - p.start.year) * 12 + p.end.month - p.start.month + 1
        year, month = _add_months(p.start.year, p.start.month, -months)
        return months_period(year, month, months)
    length = timedelta(days=p.days)
    return period(p.start - length, p.end - length)


def previous_quarter(p):
    """The quarter before a quarter (the three months before its start)."""
    return previous_period(p)


def _year_earlier(d):
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


def same_period_year_before(p):
    """The same dates a year earlier (a period ending on a month's last day still does)."""
    start = _year_earlier(p.start)
    end = _year_earlier(p.end)
    if p.end == _month_end(p.end.year, p.end.month):
        end = _month_end(end.year, end.month)
    return period(start, end)


def last_complete_quarter(today, fy_start_month=4):
    """The latest quarter that has ended before `today`."""
    return previous_quarter(quarter_containing(today, fy_start_month))


def first_working_day_after(p):
    """The first working day (England and Wales) after the period ends: when the beat
    schedule generates its report."""
    return add_working_days(p.end, 1)


def comparisons(p):
    """The periods a report's compared figures sit beside, as (key, period): the period
    just before and the same dates a year earlier; for a whole year they are the same
    period, so a year is compared with the year before only."""
    before, year_before = previous_period(p), same_period_year_before(p)
    if (before.start, before.end) == (year_before.start, year_before.end):
        return [("previous", before)]
    return [("previous", before), ("year_before", year_before)]
