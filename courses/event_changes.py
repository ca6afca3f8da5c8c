"""What changed when an officer saved an event, and who will be told (issue 11, "event changes
reach people").

Courses never imports bookings (dependencies run one way): the bookings app registers an
*audience* function here that counts the people it will email, and receives the
`courses.signals.event_changed` signal (sent inside the event's transaction) to email them.

    from courses.event_changes import register_event_change_audience

    @register_event_change_audience
    def delegates(*, event):
        return [Audience("delegate", "delegates with a place or an offer", 12), ...]
"""

from dataclasses import dataclass

# The fields whose change is news to the people on an event (DOMAIN.md, "Event changes").
TOLD_FIELDS = ("start", "end", "venue", "joining_link")


@dataclass(frozen=True)
class Audience:
    key: str
    words: str  # "12 delegates with a place or an offer": already counted and pluralised
    count: int


_AUDIENCES = []


def register_event_change_audience(func):
    if func not in _AUDIENCES:
        _AUDIENCES.append(func)
    return func


def event_change_audience(*, event):
    """Everyone an event change would be emailed to, as Audience rows with a count above 0."""
    rows = []
    for func in list(_AUDIENCES):
        rows.extend(a for a in func(event=event) if a.count)
    return rows


def event_changes(*, before, after):
    """{field: (old, new)} for the told fields that differ. `before` and `after` map field
    names to values (start and end aware datetimes, venue a Venue or None, joining_link a
    string); the same instant in another time zone is no change."""
    changes = {}
    for name in TOLD_FIELDS:
        old, new = before.get(name), after.get(name)
        if name == "venue":
            same = getattr(old, "pk", None) == getattr(new, "pk", None)
        elif name == "joining_link":
            same = (old or "").strip() == (new or "").strip()
        else:
            same = old == new
        if not same:
            changes[name] = (old, new)
    return changes


def words_and(items):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
