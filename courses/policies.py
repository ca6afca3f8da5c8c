"""Pure rules of the programme (no ORM): each returns an answer that explains itself."""

from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from .models import Format


@dataclass(frozen=True)
class CapacityRule:
    maximum: int | None
    default: int | None
    reason: str


def event_capacity_rule(*, course_format, partnership, venue=None):
    """Places on an event: virtual events hold up to thirty, conferences up to 250 (DDSCP;
    partnership settings); a classroom holds no more than its room."""
    if course_format == Format.VIRTUAL:
        n = partnership.capacity_virtual
        return CapacityRule(n, n, f"A virtual event has at most {n} places.")
    if course_format == Format.CONFERENCE:
        n = partnership.capacity_conference
        if venue is not None and venue.capacity < n:
            return CapacityRule(venue.capacity, venue.capacity,
                                f"{venue.name} holds at most {venue.capacity} people.")
        return CapacityRule(n, n, f"A conference has at most {n} places.")
    if venue is not None:
        return CapacityRule(venue.capacity, venue.capacity,
                            f"{venue.name} holds at most {venue.capacity} people.")
    return CapacityRule(None, None, "")


def capacity_problem(*, capacity, rule):
    """A message when `capacity` breaks the rule, else None."""
    if capacity is None or capacity < 1:
        return "An event needs at least 1 place."
    if rule.maximum is not None and capacity > rule.maximum:
        return f"{rule.reason} Enter {rule.maximum} or fewer."
    return None


def places_left_words(*, places_left, full_text="Full: join the waiting list"):
    if places_left <= 0:
        return full_text
    if places_left == 1:
        return "1 place left"
    return f"{places_left} places left"


@dataclass(frozen=True)
class PrerequisiteCheck:
    missing: tuple  # titles of courses still to complete

    @property
    def met(self):
        return not self.missing

    @property
    def reason(self):
        if self.met:
            return ""
        names = ", ".join(f"“{t}”" for t in self.missing)
        return f"Complete {names} before you book this course."


def prerequisites_check(*, required, completed_course_ids):
    """`required`: (id, title) pairs of the course's prerequisites."""
    return PrerequisiteCheck(
        missing=tuple(title for cid, title in required if cid not in completed_course_ids)
    )


def review_due_on(*, last_reviewed: date | None, months: int, created: date) -> date:
    """The content of every course is reviewed at least annually (DSPP)."""
    return (last_reviewed or created) + relativedelta(months=months)


def refresher_due_on(*, completed_on: date, years: int) -> date:
    """Safeguarding training is refreshed every three years (DSPP) by default."""
    return completed_on + relativedelta(years=years)


def knowledge_check_score(*, answers: dict, correct: dict):
    """answers/correct map question id -> chosen / correct choice id; returns percent."""
    if not correct:
        return 100
    right = sum(1 for qid, cid in correct.items() if answers.get(qid) == cid)
    return round(100 * right / len(correct))


# Programme management ------------------------------------------------------------------------

def event_times_problem(*, start, end):
    """A message when an event would not end after it starts, else None."""
    if start is None or end is None:
        return None
    if end <= start:
        return "The event must end after it starts: check the end time (and the end date)."
    return None


def capacity_reduction_problem(*, capacity, places_taken):
    """Places already taken stay taken: an event cannot shrink below them."""
    if capacity is not None and capacity < places_taken:
        taken = "1 place is" if places_taken == 1 else f"{places_taken} places are"
        needs = "1 place" if places_taken == 1 else f"{places_taken} places"
        return (f"{taken} already taken, so the event needs at least {needs}. "
                "Cancel or move bookings first.")
    return None


TOOK_PLACE = "This event took place: it cannot be cancelled."


def event_cancel_problem(*, status, start=None, now=None, register_marked=False):
    """Only a scheduled event can be cancelled, and only before it starts (issue 12,
    decision 3): once it has started, or its register has a mark, it took place."""
    if status == "cancelled":
        return "This event is already cancelled."
    if status == "completed" or register_marked:
        return TOOK_PLACE
    if start is not None and now is not None and start <= now:
        return TOOK_PLACE
    return None


def duplicate_times(*, start, end, on, tz):
    """Start and end of a copy of an event on the date `on`: the same times of day (in `tz`,
    Europe/London) and the same number of days between start and end, so a 09:30-16:00 event
    in winter stays 09:30-16:00 in summer."""
    from datetime import datetime

    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    new_start = datetime.combine(on, local_start.time().replace(tzinfo=None), tzinfo=tz)
    new_end = datetime.combine(on + (local_end.date() - local_start.date()),
                               local_end.time().replace(tzinfo=None), tzinfo=tz)
    return new_start, new_end


# E-learning ----------------------------------------------------------------------------------

def completion_renews(*, last_completed_on: date, today: date, years: int,
                      reminder_days: int) -> bool:
    """Does passing a module again today add a new line to the training record? Not while the
    last completion is current (a second pass the same day adds nothing): only once the
    training is due again, or within the reminder period before that (DSPP: refreshed every
    three years; the delegate is reminded `reminder_days` before)."""
    from datetime import timedelta

    if today <= last_completed_on:
        return False
    due = refresher_due_on(completed_on=last_completed_on, years=years)
    return today >= due - timedelta(days=reminder_days)
