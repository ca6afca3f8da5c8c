"""The site's one date and time style (GOV.UK), in Europe/London, for pages and emails alike:
"Tuesday 8 December 2026, 9:30am", "9:30am to 4:30pm", and "Tue 8 Dec 2026" in tables.
Templates use the filters in core/templatetags/dates.py (`long_date`, `short_date`); Python
(email subjects, messages) calls these functions."""

from datetime import date, datetime

from django.utils import timezone


def _local(moment):
    if isinstance(moment, datetime) and timezone.is_aware(moment):
        return timezone.localtime(moment)
    return moment


def clock(moment):
    """9:30am, 4pm, midday, midnight (GOV.UK style)."""
    moment = _local(moment)
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day(moment):
    """Tuesday 3 March 2027 (a date, or the London day of a datetime)."""
    moment = _local(moment)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def month_year(moment):
    """December 2026 (calendar headings)."""
    moment = _local(moment)
    return f"{moment:%B %Y}"


def month(moment):
    """December (the first month of a range within one year: "July to September 2026")."""
    return f"{_local(moment):%B}"


def day_short(moment):
    """Tue 3 Mar 2027, for tables."""
    moment = _local(moment)
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def day_and_time(moment):
    """Tuesday 8 December 2026, 9:30am (London time)."""
    return f"{day(moment)}, {clock(moment)}"


def span(start, end):
    """Tuesday 8 December 2026, 9:30am to 4:30pm; across days both ends in full."""
    start, end = _local(start), _local(end)
    if start.date() == end.date():
        return f"{day_and_time(start)} to {clock(end)}"
    return f"{day_and_time(start)} to {day_and_time(end)}"


def long_date(value, end=None):
    """A datetime in full with its time, a date as its day; with `end`, the span."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        return span(value, end) if end else day_and_time(value)
    if isinstance(value, date):
        return day(value)
    return str(value)


def short_date(value):
    """Tue 8 Dec 2026 (a date or the London day of a datetime)."""
    if value in (None, ""):
        return ""
    if isinstance(value, (date, datetime)):
        return day_short(value)
    return str(value)
