"""The one pair of date filters every template uses (core.dates has the rules):

    {{ event.start|long_date }}             Tuesday 8 December 2026, 9:30am
    {{ event.start|long_date:event.end }}   Tuesday 8 December 2026, 9:30am to 4:30pm
    {{ completion.completed_on|long_date }} Tuesday 8 December 2026
    {{ booking.created_at|short_date }}     Tue 8 Dec 2026        (tables)
    {{ event.start|clock }}                 9:30am                (a time alone)
    {{ booking.booked_at|long_day }}        Tuesday 8 December 2026 (the London day of a datetime)
    {{ month|month_year }}                  December 2026         (calendar headings)
"""

from django import template

from core import dates

register = template.Library()


@register.filter
def long_date(value, end=None):
    return dates.long_date(value, end)


@register.filter
def short_date(value):
    return dates.short_date(value)


@register.filter
def clock(value):
    return dates.clock(value) if value else ""


@register.filter
def long_day(value):
    """The day in full without the time, for a datetime where the time would be noise."""
    return dates.day(value) if value else ""


@register.filter
def month_year(value):
    return dates.month_year(value) if value else ""
