"""The site's one date and time style (GOV.UK): "Tuesday 8 December 2026, 9:30am", in
Europe/London."""

from django.utils import timezone


def clock(moment):
    """9:30am, 4pm, midday, midnight (GOV.UK style)."""
    if moment.minute == 0 and moment.hour in (0, 12):
        return "midnight" if moment.hour == 0 else "midday"
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def day(moment):
    """Tuesday 3 March 2027."""
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def day_and_time(moment):
    """Tuesday 8 December 2026, 9:30am (London time)."""
    moment = timezone.localtime(moment)
    return f"{day(moment)}, {clock(moment)}"
