"""Pure rules of the Training Checklist: no database, `today` passed in.

A requirement (a staff group needs a course, or any course at a level, optionally for an
audience) is met by a completion (any source: attended, e-learning, recorded by the training
team) of that course, or of any course at that level (and audience, when the requirement names
one; a joint course counts for children and for adults), whose due-again date
(completed_on + the course's refresher years, else the partnership's) is after today. It is
"due a refresher" when that date is within the partnership's reminder days, and "overdue" when
the date has come (due again today or before). The latest matching completion counts."""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from courses.models import Audience
from courses.policies import refresher_due_on


class RequirementStatus(StrEnum):
    MET = "met"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_COMPLETED = "not_completed"


class DelegateStatus(StrEnum):
    """One word for a delegate, the worst of their requirements' states."""

    UP_TO_DATE = "up_to_date"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_COMPLETED = "not_completed"
    NO_STAFF_GROUP = "no_staff_group"


DELEGATE_STATUS_LABELS = {
    DelegateStatus.UP_TO_DATE: "Fully up to date",
    DelegateStatus.DUE_SOON: "Due a refresher",
    DelegateStatus.OVERDUE: "Overdue",
    DelegateStatus.NOT_COMPLETED: "Not completed required training",
    DelegateStatus.NO_STAFF_GROUP: "Staff group not set",
}


@dataclass(frozen=True)
class Done:
    """One completion as the rules see it (the latest of a delegate's for one course)."""

    course_id: int
    course_title: str
    level: str
    audience: str
    completed_on: date
    refresher_years: int | None  # the course's own; None: the partnership's


@dataclass(frozen=True)
class Rule:
    """A requirement as the rules see it."""

    id: int
    course_id: int | None
    course_title: str
    level: str
    audience: str
    note: str = ""


@dataclass(frozen=True)
class RequirementState:
    rule: Rule
    status: RequirementStatus
    due_on: date | None = None  # when the training that meets it falls due again
    met_by: Done | None = None


def requirement_label(*, course_title, level, audience, level_labels, audience_labels):
    """"Safeguarding Children Level 2" or "Any Level 2 course for children"."""
    if course_title:
        return course_title
    words = f"Any {level_labels.get(level, level)} course"
    if level == "all":
        words = "Any course for all levels"
    if audience:
        words += f" ({audience_labels.get(audience, audience).lower()})"
    return words


def meets(rule: Rule, done: Done) -> bool:
    """Does a completion of `done`'s course count towards `rule`?"""
    if rule.course_id is not None:
        return done.course_id == rule.course_id
    if done.level != rule.level:
        return False
    if not rule.audience:
        return True
    return done.audience == rule.audience or (
        done.audience == Audience.JOINT and rule.audience != Audience.JOINT)


def due_again_on(done: Done, *, default_years: int) -> date:
    return refresher_due_on(completed_on=done.completed_on,
                            years=done.refresher_years or default_years)


def requirement_state(rule: Rule, completions, *, today: date, reminder_days: int,
                      default_years: int) -> RequirementState:
    """The state of one requirement for one delegate, from their completions: the matching
    completion that falls due last decides."""
    best, best_due = None, None
    for done in completions:
        if not meets(rule, done):
            continue
        due = due_again_on(done, default_years=default_years)
        if best_due is None or due > best_due:
            best, best_due = done, due
    if best is None:
        return RequirementState(rule=rule, status=RequirementStatus.NOT_COMPLETED)
    if best_due <= today:
        status = RequirementStatus.OVERDUE
    elif best_due <= today + timedelta(days=reminder_days):
        status = RequirementStatus.DUE_SOON
    else:
        status = RequirementStatus.MET
    return RequirementState(rule=rule, status=status, due_on=best_due, met_by=best)


def delegate_status(*, has_staff_group: bool, states) -> DelegateStatus:
    """The worst state: not completed, then overdue, then due a refresher. A delegate with no
    staff group cannot be checked (their safeguarding lead sets it); one whose staff group has
    no requirements is up to date."""
    if not has_staff_group:
        return DelegateStatus.NO_STAFF_GROUP
    found = {state.status for state in states}
    if RequirementStatus.NOT_COMPLETED in found:
        return DelegateStatus.NOT_COMPLETED
    if RequirementStatus.OVERDUE in found:
        return DelegateStatus.OVERDUE
    if RequirementStatus.DUE_SOON in found:
        return DelegateStatus.DUE_SOON
    return DelegateStatus.UP_TO_DATE


def summary_counts(statuses) -> dict:
    """{DelegateStatus: count} for every status (0 where none), and "delegates": the total."""
    counts = dict.fromkeys(DelegateStatus, 0)
    total = 0
    for status in statuses:
        counts[status] += 1
        total += 1
    return {"delegates": total, **counts}


def requirement_problem(*, course, level, audience):
    """A message when a requirement names neither a course nor a level, or both; else None.
    Returns (field, message)."""
    if course is None and not level:
        return "course", "Select a course or a level"
    if course is not None and level:
        return "level", "Select a course or a level, not both"
    if course is not None and audience:
        return "audience", ("Select an audience only with a level: a course already has "
                            "its audience")
    return None
