"""Counted nouns in sentences, the plural right ("1 working day", "2 working days"). Templates
use Django's `pluralize` (`day{{ n|pluralize }}`, possessive: `day{{ n|pluralize:"’s,s’" }}`)."""


def plural(count, singular, plural_form=None):
    """plural(1, "day") -> "1 day"; plural(2, "working day") -> "2 working days"."""
    word = singular if count == 1 else (plural_form or f"{singular}s")
    return f"{count} {word}"


def notice(working_days):
    """1 working day's notice, 2 working days' notice (the apostrophe follows the plural)."""
    days = "working day's" if working_days == 1 else "working days'"
    return f"{working_days} {days} notice"
