"""A round's results for the LOD Group: for each question, the answers across organisations
(counts and shares of the organisations that answered it; a rating's mean with n), free-text
answers with the organisation that gave them (returns are organisations', not people's: no
person is named), and beside them the demand seen on waiting lists and the courses asked for.

A fixed number of queries whatever the number of returns: the questions, every answer in one
query, the organisations asked, the waiting-list demand."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import F

from core.calendar import london_date
from evaluations.defaults import TNA_COURSES_ASKED_FOR
from evaluations.models import Answer, QuestionnaireQuestion, QuestionType

from ..figures.demand import unmet_demand_by_course
from . import policies, selectors

# Waiting-list demand (the quarterly report's own figure, reports.figures.demand) is shown
# over the year before the results are read.
DEMAND_DAYS = 365


@dataclass
class Option:
    label: str
    count: int
    share: float | None  # of the organisations that answered the question

    @property
    def percent(self):
        return percent(self.share)


@dataclass
class QuestionSummary:
    question: QuestionnaireQuestion
    answered: int  # organisations that answered it
    options: list = field(default_factory=list)  # choices and rating values
    mean: float | None = None  # ratings
    texts: list = field(default_factory=list)  # (organisation name, text)

    @property
    def kind(self):
        return self.question.type


@dataclass
class RoundSummary:
    tna_round: object
    asked: int
    returned: int
    questions: list
    demand: list  # {"course_id", "course": title, "people": n}, most people first
    demand_start: object
    demand_end: object
    courses_asked: list  # (organisation name, text)

    @property
    def return_rate(self):
        return policies.share(self.returned, self.asked)

    @property
    def return_percent(self):
        return percent(self.return_rate)


def question_summary(question, rows):
    """One question's answers across organisations. `rows`: the answer values of this
    question ({"value_int", "value_choices", "value_text", "organisation"}). Pure."""
    answered = len(rows)
    summary = QuestionSummary(question=question, answered=answered)
    if question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        counts = {choice: 0 for choice in question.choices}
        for row in rows:
            for choice in row["value_choices"] or []:
                counts[choice] = counts.get(choice, 0) + 1
        summary.options = [Option(label, n, policies.share(n, answered))
                           for label, n in counts.items()]
    elif question.type == QuestionType.RATING:
        top = question.scale_max or 5
        values = [row["value_int"] for row in rows if row["value_int"] is not None]
        summary.answered = len(values)
        counts = {n: 0 for n in range(1, top + 1)}
        for value in values:
            counts[value] = counts.get(value, 0) + 1
        summary.options = [Option(str(n), c, policies.share(c, len(values)))
                           for n, c in counts.items()]
        summary.mean = sum(values) / len(values) if values else None
    else:
        summary.texts = sorted(((row["organisation"], row["value_text"]) for row in rows
                                if (row["value_text"] or "").strip()),
                               key=lambda pair: (pair[0].lower(), pair[1]))
        summary.answered = len(summary.texts)
    return summary


def round_summary(tna_round, *, now):
    questions = list(QuestionnaireQuestion.objects.filter(version_id=tna_round.version_id)
                     .order_by("position", "id"))
    rows = list(Answer.objects.filter(response__tna_return__round=tna_round)
                .values("question_id", "value_int", "value_choices", "value_text",
                        organisation=F("response__tna_return__organisation__name"))
                .order_by("response__tna_return__organisation__name", "id"))
    returned_ids = set(tna_round.returns.values_list("organisation_id", flat=True))
    asked = len(selectors.organisations_asked_ids() | returned_ids)
    by_question = {}
    for row in rows:
        by_question.setdefault(row["question_id"], []).append(row)
    summaries = [question_summary(q, by_question.get(q.pk, [])) for q in questions]
    end = london_date(now)
    start = end - timedelta(days=DEMAND_DAYS)
    asked_for = next((s.texts for s in summaries
                      if s.question.key == TNA_COURSES_ASKED_FOR), [])
    return RoundSummary(tna_round=tna_round, asked=asked, returned=len(returned_ids),
                        questions=summaries, demand=unmet_demand_by_course(start, end),
                        demand_start=start, demand_end=end, courses_asked=asked_for)


def percent(value):
    return "" if value is None else f"{round(value * 100)}%"


def summary_rows(summary):
    """The summary as CSV rows (SUMMARY_COLUMNS): the returns, every question's answers
    across organisations, the free-text answers, and the waiting-list demand."""
    rows = [("Returns", "Returns received of organisations asked", "", "", summary.returned,
             percent(summary.return_rate), None, summary.asked)]
    for item in summary.questions:
        text = item.question.text
        for option in item.options:
            rows.append(("Answers", text, option.label, "", option.count,
                         percent(option.share), None, item.answered))
        if item.mean is not None:
            rows.append(("Answers", text, "Mean rating", "", None, "", round(item.mean, 2),
                         item.answered))
        for organisation, answer in item.texts:
            rows.append(("Written answers", text, answer, organisation, None, "", None, None))
    for row in summary.demand:
        rows.append(("Waiting lists", "People on a waiting list who found no place",
                     row["course"], "", row["people"], "", None, None))
    return rows


SUMMARY_COLUMNS = ["Part", "Question", "Answer", "Organisation", "Count",
                   "Share of organisations answering", "Mean rating", "Organisations answering"]
