"""Reads for the facilitator summary report and learning gain, scoped to who asks.

Answers are read through Response and Answer only (with the booking id as an opaque key to
pair a delegate's pre and post ratings): nothing here reads a person, so a summary cannot put
a name beside an answer."""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.models import Partnership
from courses.models import Event, EventStatus
from evaluations import charts, scores
from evaluations.models import Answer, QuestionnaireKind, QuestionType, RequestKind

RESULTS_PERMISSION = "evaluations.view_evaluation_results"
FACILITATE_PERMISSION = "courses.facilitate"

_ANSWER_FIELDS = (
    "response_id", "response__kind", "response__request__booking_id",
    "response__request__user_id",
    "question_id", "question__version_id", "question__key", "question__text", "question__type",
    "question__position", "question__scale_max", "question__scale_min_label",
    "question__scale_max_label", "question__choices",
    "outcome_index", "outcome_text", "value_int", "value_choices", "value_text",
)


# Who sees which summaries ----------------------------------------------------------------------

def summary_events_visible_to(*, user, now=None):
    """Officers (evaluation results) see every event's summary, at any time; a facilitator
    only those of the events they deliver (as a facilitator or as the event's L&D officer),
    and only once the event has ended (end <= now: no watching the answers come in during the
    day); nobody else any."""
    events = Event.objects.select_related("course", "venue", "officer")
    if not user.is_authenticated:
        return events.none()
    if user.has_perm(RESULTS_PERMISSION):
        return events
    if user.has_perm(FACILITATE_PERMISSION):
        now = now or timezone.now()
        return events.filter(Q(facilitators=user) | Q(officer=user),
                             end__lte=now).distinct()
    return events.none()


def summary_event(*, user, pk, now=None):
    """One event whose summary the user may see now, or None (the view answers 404)."""
    return summary_events_visible_to(user=user, now=now).filter(pk=pk).first()


def summary_events_list(*, user, now, course=None):
    """Events that have ended (not cancelled), latest first, with their summary report row
    (due, sent) and how many delegates answered Stage 1: the officers' summaries page."""
    events = (summary_events_visible_to(user=user, now=now)
              .filter(end__lte=now).exclude(status=EventStatus.CANCELLED)
              .select_related("summary_report")
              .annotate(stage_1_answered=Count(
                  "bookings__evaluation_requests__responses",
                  filter=Q(bookings__evaluation_requests__responses__kind=QuestionnaireKind.STAGE_1),
                  distinct=True))
              .order_by("-start", "-pk"))
    if course is not None:
        events = events.filter(course=course)
    return events


# Answers ----------------------------------------------------------------------------------------

_ANSWER_ORDER = ("response__submitted_at", "response_id", "question__position", "outcome_index",
                 "pk")


def _answer_rows(query, *more):
    """The answers matching `query`, or any of `query` and `more` (kept apart: no answer
    matches two), in _ANSWER_ORDER. Each is its own SELECT, joined by UNION ALL: one OR
    across the booking's event and the request's event kept PostgreSQL from every index
    (sequential scans of all responses, requests and bookings, 375 ms at bench scale 1,
    against about 2 ms through the indexes; issue 14)."""
    if not more:
        return list(Answer.objects.filter(query).order_by(*_ANSWER_ORDER)
                    .values(*_ANSWER_FIELDS))
    # A compound query orders by columns it selects: the sort keys come and go again.
    extra = ("response__submitted_at", "pk")
    # Each part unordered (SQLite refuses ORDER BY inside a compound query): the union is.
    parts = [Answer.objects.filter(each).order_by().values(*_ANSWER_FIELDS, *extra)
             for each in (query, *more)]
    rows = parts[0].union(*parts[1:], all=True).order_by(*_ANSWER_ORDER)
    return [{key: row[key] for key in _ANSWER_FIELDS} for row in rows]


def _delegate_key(row):
    """Opaque: the booking the pre and post questionnaires share AND the person who answered
    (a place handed to a colleague keeps its booking: their answers are no pair)."""
    return (row["response__request__booking_id"], row["response__request__user_id"])


def _ratings(rows, kind):
    return [
        scores.OutcomeRating(delegate=_delegate_key(r),
                             outcome_index=r["outcome_index"], value=r["value_int"],
                             scale_max=r["question__scale_max"], outcome_text=r["outcome_text"])
        for r in rows
        if r["response__kind"] == kind and r["question__type"] == QuestionType.OUTCOMES
        and r["outcome_index"] is not None and r["value_int"] is not None
        and r["question__scale_max"] and r["response__request__booking_id"] is not None
    ]


def pairs_from_rows(rows):
    return scores.pairs_make(_ratings(rows, QuestionnaireKind.PRE),
                             _ratings(rows, QuestionnaireKind.POST))


def _questions(rows):
    """The questions answered, one per stable key (the newest version's wording), in order."""
    by_key = {}
    for r in rows:
        seen = by_key.get(r["question__key"])
        if seen is None or r["question__version_id"] > seen["question__version_id"]:
            by_key[r["question__key"]] = r
    return sorted(by_key.values(), key=lambda r: (r["question__position"], r["question__key"]))


def _display(row):
    if row["question__type"] in (QuestionType.RATING, QuestionType.OUTCOMES):
        if row["value_int"] is None:
            return ""
        return f"{row['value_int']} out of {row['question__scale_max']}"
    if row["question__type"] in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return ", ".join(str(c) for c in row["value_choices"] or [])
    return row["value_text"]


@dataclass
class EventSummary:
    """Everything the summary page, its PDF and its email show: counts and answers, no names."""

    event: Event
    partnership: Partnership
    attendance: dict
    stage_1_answered: int
    min_responses: int
    gain: scores.GainSummary
    gain_by_outcome: list
    gain_chart: str = ""
    distributions: list = field(default_factory=list)  # (Distribution, svg)
    choices: list = field(default_factory=list)  # (question text, [(option, count)])
    comments: list = field(default_factory=list)  # (question text, [text, ...])
    facilitator_feedback: list = field(default_factory=list)  # (question text, [answer, ...])
    hidden_questions: list = field(default_factory=list)  # texts of Stage 1 questions too few
    hidden_outcomes: list = field(default_factory=list)  # texts of outcomes too few rated
    facilitator_responses: int = 0

    @property
    def enough_answers(self):
        return self.stage_1_answered >= self.min_responses

    @property
    def enough_pairs(self):
        return self.gain.delegates >= self.min_responses


ATTENDANCE_ROWS = (
    ("booked", "Booked"),
    ("attended", "Attended"),
    ("no_show", "Did not attend"),
    ("not_admitted", "Not admitted (late)"),
    ("not_marked", "Not marked on the register"),
)


def _attendance(event):
    counts = dict(Booking.objects.filter(event=event).values("status")
                  .annotate(n=Count("pk")).values_list("status", "n"))
    attended = counts.get(BookingStatus.ATTENDED, 0)
    no_show = counts.get(BookingStatus.NO_SHOW, 0)
    not_admitted = counts.get(BookingStatus.NOT_ADMITTED, 0)
    not_marked = counts.get(BookingStatus.BOOKED, 0)
    return {"booked": attended + no_show + not_admitted + not_marked, "attended": attended,
            "no_show": no_show, "not_admitted": not_admitted, "not_marked": not_marked}


def event_summary(*, event, partnership=None):
    """The facilitator summary of one event (DOMAIN.md's timeline: "summary evaluation report,
    emailed to every facilitator of the event").

    Distributions, means and comments are filled only when at least
    Partnership.summary_min_responses delegates answered Stage 1 AND that question, and learning
    gain only when at least that many delegates answered both the pre- and post-course
    questionnaires (each outcome's row only when that many rated that outcome both times): with
    fewer, a facilitator who knows who answered could tell what each said. The data left out
    is never loaded into the summary, so neither the page, the PDF nor the email can show it."""
    partnership = partnership or Partnership.load()
    minimum = partnership.summary_min_responses
    delegate_kinds = (QuestionnaireKind.PRE, QuestionnaireKind.POST, QuestionnaireKind.STAGE_1)
    rows = _answer_rows(
        Q(response__request__booking__event=event, response__kind__in=delegate_kinds),
        Q(response__request__event=event, response__kind=QuestionnaireKind.FACILITATOR,
          response__request__kind=RequestKind.FACILITATOR))
    stage_1 = [r for r in rows if r["response__kind"] == QuestionnaireKind.STAGE_1]
    feedback = [r for r in rows if r["response__kind"] == QuestionnaireKind.FACILITATOR]
    pairs = pairs_from_rows(rows)
    summary = EventSummary(
        event=event, partnership=partnership, attendance=_attendance(event),
        stage_1_answered=len({r["response_id"] for r in stage_1}), min_responses=minimum,
        gain=scores.learning_gain(pairs), gain_by_outcome=scores.learning_gain_by_outcome(pairs),
        facilitator_responses=len({r["response_id"] for r in feedback}),
    )
    if not summary.enough_pairs:
        summary.gain_by_outcome = []
    else:
        # Each outcome needs its own minimum of delegates who rated it before and after.
        summary.hidden_outcomes = [g.outcome_text or "Outcome" for g in summary.gain_by_outcome
                                   if g.delegates < minimum]
        summary.gain_by_outcome = [g for g in summary.gain_by_outcome
                                   if g.delegates >= minimum]
    if summary.gain_by_outcome:
        summary.gain_chart = charts.gain_svg(summary.gain_by_outcome, chart_id="gain-chart")
    if summary.enough_answers:
        for i, q in enumerate(_questions(stage_1)):
            answers = [r for r in stage_1 if r["question__key"] == q["question__key"]]
            # Each question needs its own minimum: an optional question few answered would
            # tell a facilitator what those few said, however many answered the rest.
            if len({r["response_id"] for r in answers if _display(r).strip()}) < minimum:
                summary.hidden_questions.append(q["question__text"])
                continue
            if q["question__type"] == QuestionType.RATING and q["question__scale_max"]:
                d = scores.rating_distribution(
                    [r["value_int"] for r in answers], scale_max=q["question__scale_max"],
                    key=q["question__key"], text=q["question__text"],
                    min_label=q["question__scale_min_label"],
                    max_label=q["question__scale_max_label"])
                summary.distributions.append((d, charts.distribution_svg(
                    d, chart_id=f"stage-1-chart-{i}")))
            elif q["question__type"] in (QuestionType.SINGLE, QuestionType.MULTIPLE):
                summary.choices.append((q["question__text"], scores.choice_counts(
                    [r["value_choices"] or [] for r in answers],
                    choices=q["question__choices"] or [])))
            elif q["question__type"] == QuestionType.TEXT:
                # Sorted, not in the order given: the order of answers could tell a facilitator
                # who wrote which (the first to leave the room, the last to answer...).
                texts = sorted({r["value_text"].strip() for r in answers
                                if r["value_text"].strip()}, key=str.casefold)
                if texts:
                    summary.comments.append((q["question__text"], texts))
    for q in _questions(feedback):
        answers = [_display(r) for r in feedback if r["question__key"] == q["question__key"]]
        answers = [a for a in answers if a]
        if answers:
            summary.facilitator_feedback.append((q["question__text"], answers))
    return summary


# Learning gain per course -----------------------------------------------------------------------

def _day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min), LONDON)


def course_learning_gain(*, course, start=None, end=None):
    """Learning gain over every event of a course (optionally those starting between the
    London dates `start` and `end`, both included): (overall, by outcome, events with pairs)."""
    query = Q(response__request__booking__event__course=course,
              response__kind__in=(QuestionnaireKind.PRE, QuestionnaireKind.POST),
              question__type=QuestionType.OUTCOMES)
    if start is not None:
        query &= Q(response__request__booking__event__start__gte=_day_start(start))
    if end is not None:
        query &= Q(response__request__booking__event__start__lt=_day_start(end + timedelta(days=1)))
    rows = list(Answer.objects.filter(query).values(
        *_ANSWER_FIELDS, "response__request__booking__event_id"))
    pairs = pairs_from_rows(rows)
    paired = {p.delegate for p in pairs}
    events = {r["response__request__booking__event_id"] for r in rows
              if _delegate_key(r) in paired}
    return scores.learning_gain(pairs), scores.learning_gain_by_outcome(pairs), len(events)


def event_learning_gain(*, event):
    """Learning gain of one event: (overall, by outcome). For other parts (reports, demo)."""
    rows = _answer_rows(Q(response__request__booking__event=event,
                          response__kind__in=(QuestionnaireKind.PRE, QuestionnaireKind.POST),
                          question__type=QuestionType.OUTCOMES))
    pairs = pairs_from_rows(rows)
    return scores.learning_gain(pairs), scores.learning_gain_by_outcome(pairs)
