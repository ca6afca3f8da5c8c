"""Pure rules of the evaluation timeline (DOMAIN.md, "Evaluation timeline"): when each request
is due, when it is reminded and which questionnaires it holds. No ORM and no clock: every
rule takes `now` and the partnership's numbers as arguments, so the boundary days are tested
without a database (tests/evaluations/test_timeline.py).

- Pre-course questionnaire: due when the place is booked; reminded once,
  `pre_course_reminder_days` before the event, if still unanswered; closes when the event
  starts.
- Post-course questionnaire and Stage 1: due when attendance is marked (or the knowledge check
  is passed); reminded every `evaluation_reminder_days`, at most `evaluation_reminder_max`
  times.
- Facilitator feedback: due at the end of the event; reminded as Stage 1.
- Stage 2: due `stage_2_days_after_stage_1` days after Stage 1 was *completed*; reminded as
  Stage 1.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from core.calendar import LONDON
from core.words import plural

from .models import QuestionnaireKind, RequestKind

# Which questionnaires one request holds, in the order they are asked. Stage 1 carries the
# post-course questionnaire with it (DOMAIN.md: "post-course questionnaire ... and Stage 1
# evaluation", right after attendance). The answering page (evaluations/views/answer.py) asks
# each of these; the request is complete when all are answered.
REQUEST_QUESTIONNAIRES = {
    RequestKind.PRE: (QuestionnaireKind.PRE,),
    RequestKind.STAGE_1: (QuestionnaireKind.POST, QuestionnaireKind.STAGE_1),
    RequestKind.STAGE_2: (QuestionnaireKind.STAGE_2,),
    RequestKind.FACILITATOR: (QuestionnaireKind.FACILITATOR,),
}


@dataclass(frozen=True)
class Due:
    """When a request is due, and why (the reason is shown to officers and audited)."""

    at: datetime
    reason: str


def pre_course_due(*, booked_at):
    """DOMAIN.md: "on booking, before the event": asked as soon as the place is booked."""
    return Due(at=booked_at, reason="Asked when the place was booked.")


def stage_1_due(*, marked_at):
    """DOMAIN.md: "right after attendance is marked" (or the knowledge check is passed)."""
    return Due(at=marked_at, reason="Asked when attendance was marked.")


def facilitator_feedback_due(*, event_end):
    """DOMAIN.md: facilitator feedback "at the end of the event"."""
    return Due(at=event_end, reason="Asked at the end of the event.")


def stage_2_due(*, stage_1_completed_at, days):
    """DOMAIN.md: Stage 2 "60 days after the delegate completed Stage 1" (DSPP: about 6
    weeks), not after the event. `days` days later at the same London time of day as Stage 1
    was completed: completed at 10:00 on day 0, nothing at 09:59 on day `days`, asked from
    10:00 (a clock change in between moves nothing). evaluations.services.requests refreshes
    unsent Stage 2 dates from this rule at every sweep, so a changed setting moves the
    requests not yet sent."""
    # Python adds a timedelta to an aware datetime on the wall clock of its zone.
    at = stage_1_completed_at.astimezone(LONDON) + timedelta(days=days)
    return Due(at=at, reason=f"Asked {plural(days, 'day')} after the Stage 1 evaluation was "
                             "completed.")


def request_closes_at(*, kind, event_start):
    """A pre-course questionnaire means nothing once the course has begun: it closes at the
    event's start (not sent, not reminded, not answerable, not listed after it). Every other
    request stays open until it is answered (or withdrawn). None: it never closes."""
    if kind == RequestKind.PRE:
        return event_start
    return None


def request_is_closed(*, kind, event_start, now):
    closes = request_closes_at(kind=kind, event_start=event_start)
    return closes is not None and now >= closes


def request_send_due(*, due_at, requested_at, withdrawn_at, completed_at, closed, now):
    """Send a request once: due, not sent yet, still open."""
    return (requested_at is None and withdrawn_at is None and completed_at is None
            and not closed and due_at <= now)


@dataclass(frozen=True)
class Reminder:
    due: bool
    number: int  # the reminder this would be: 1, 2, ... (part of the email's purpose key)
    at: datetime | None  # when it falls due (None: no reminder is owed any more)
    reason: str


def reminder_due(*, kind, requested_at, last_reminded_at, reminders_sent, now, reminder_days,
                 reminder_max, event_start=None, pre_course_reminder_days=None):
    """Whether an unanswered request is reminded now (the sweep asks this under the row's
    lock; the caller has checked it is open).

    - Pre-course questionnaire: one reminder, `pre_course_reminder_days` before the event
      starts, only if it was asked before that moment (booked within the last days, the
      request itself has just gone) and only until the event starts.
    - Every other request: every `reminder_days` after it was asked (or last reminded), at
      most `reminder_max` times (the issue: "a new setting, default 2")."""
    number = reminders_sent + 1
    if requested_at is None:
        return Reminder(False, number, None, "Not asked yet.")
    if kind == RequestKind.PRE:
        if reminders_sent >= 1:
            return Reminder(False, number, None, "The pre-course reminder has been sent.")
        at = event_start - timedelta(days=pre_course_reminder_days)
        if requested_at >= at:
            return Reminder(False, number, None,
                            f"Asked within {plural(pre_course_reminder_days, 'day')} of the "
                            "event: no reminder.")
        if now >= event_start:
            return Reminder(False, number, None, "The event has started.")
        return Reminder(now >= at, number, at,
                        f"Reminded {plural(pre_course_reminder_days, 'day')} before the event.")
    if reminders_sent >= reminder_max:
        return Reminder(False, number, None,
                        f"Reminded {plural(reminders_sent, 'time')} already "
                        f"(at most {reminder_max}).")
    at = (last_reminded_at or requested_at) + timedelta(days=reminder_days)
    return Reminder(now >= at, number, at,
                    f"Reminder {number} of {reminder_max}, {plural(reminder_days, 'day')} after "
                    "the "
                    f"{'last reminder' if last_reminded_at else 'request'}.")


def response_rate(*, asked, answered):
    """Whole per cent of those asked who answered; None when nobody was asked."""
    if not asked:
        return None
    return round(100 * answered / asked)
