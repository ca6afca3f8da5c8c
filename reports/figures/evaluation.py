"""Evaluation and impact: learning gain per course, Stage 1 scores, response rates, the
Stage 2 impact answers and the themes officers tagged.

Where a row belongs (London dates, both ends of the period included):
- learning gain and Stage 1 scores: the start of the EVENT the answers were given for (an
  event in the period, whenever its delegates answered);
- response rates: the day the request was SENT (requested_at), answered at any time up to
  the moment the report was made;
- Stage 2 impact answers and themes: the day the answer was GIVEN (as
  evaluations.selectors.themes.theme_counts counts them).

Fixed queries whatever the data: one for learning gain, one for Stage 1, one for response
rates, one for the impact answers, three (whole programme) or four (a part) for themes.
Everything is read through Answer, Response and EvaluationRequest counts: no person."""

from collections import defaultdict
from fractions import Fraction

from django.db.models import Count, Q, Sum

from courses.models import Course
from evaluations import defaults, scores
from evaluations.models import (
    Answer,
    EvaluationRequest,
    QuestionnaireKind,
    QuestionType,
    RequestKind,
)
from evaluations.selectors.summaries import pairs_from_rows
from evaluations.selectors.themes import theme_counts, theme_counts_by_course
from reports.tables import COUNT, RATE, SCORE, column, rate, row, table

_EVENT = "response__request__booking__event__"


def _events_in(period, audience):
    since, until = period.bounds()
    query = Q(**{f"{_EVENT}start__gte": since, f"{_EVENT}start__lt": until})
    if audience:
        query &= Q(**{f"{_EVENT}course__audience": audience})
    return query


def _mean(total, n):
    return float(Fraction(total, n)) if n else None


# Learning gain --------------------------------------------------------------------------------

# What evaluations.selectors.summaries.pairs_from_rows reads, and the course of each answer.
_GAIN_FIELDS = (
    "response__kind", "response__request__booking_id", "response__request__user_id",
    "question__type", "question__scale_max", "outcome_index", "outcome_text", "value_int",
    f"{_EVENT}course_id", f"{_EVENT}course__title",
)


def _gain_cells(summary, threshold):
    """The cells of one GainSummary; means only when at least `threshold` pairs from at least
    `threshold` delegates stand behind them (fewer could show one delegate's ratings)."""
    enough = summary.pairs >= threshold and summary.delegates >= threshold
    return {
        "pairs": summary.pairs,
        "delegates": summary.delegates,
        "mean_change": summary.mean_change if enough else None,
        "gain_pairs": summary.gain_pairs,
        "mean_gain": summary.mean_gain if enough and summary.gain_pairs else None,
    }


# For reports.privacy: pairs are delegates times the outcomes, which everyone knows.
LEARNING_GAIN_HINTS = {"tied": {"delegates": ["pairs", "gain_pairs"]}}


def learning_gain_table(period, *, audience, threshold):
    """One query for every course of the period's events; the pairing and the means are
    evaluations.scores' (the rules of course_learning_gain, for all courses at once)."""
    answers = list(Answer.objects.filter(
        _events_in(period, audience),
        response__kind__in=(QuestionnaireKind.PRE, QuestionnaireKind.POST),
        question__type=QuestionType.OUTCOMES,
    ).order_by().values(*_GAIN_FIELDS))
    by_course, titles = defaultdict(list), {}
    for a in answers:
        course_id = a[f"{_EVENT}course_id"]
        by_course[course_id].append(a)
        titles[course_id] = a[f"{_EVENT}course__title"]
    rows, everyone = [], []
    for course_id in sorted(by_course, key=lambda c: (titles[c].casefold(), c)):
        pairs = pairs_from_rows(by_course[course_id])
        if not pairs:
            continue
        everyone += pairs
        rows.append(row(titles[course_id], **_gain_cells(scores.learning_gain(pairs),
                                                        threshold)))
    # Delegate keys include the booking, so pairs of different courses never merge.
    total = row("All courses", **_gain_cells(scores.learning_gain(everyone), threshold))
    return {**table(
        "learning-gain", "Learning gain by course", row_header="Course",
        description=("Confidence on each learning outcome before and after the course, for "
                     "events that started in the period."),
        columns=[
            column("pairs", "Pre/post pairs", COUNT, compare=True),
            column("delegates", "Delegates", COUNT),
            column("mean_change", "Mean change (post - pre)", SCORE, compare=True),
            column("gain_pairs", "Pairs in normalised gain", COUNT),
            column("mean_gain", "Mean normalised gain", SCORE, compare=True),
        ],
        rows=rows, total=total if rows else None, small_groups=True,
        chart={"column": "mean_gain"},
        notes=[
            "A pair is one delegate's confidence rating of one learning outcome before and "
            "after the course, on the same scale.",
            "Mean change is the mean of post - pre over all pairs. Normalised gain is "
            "(post - pre) / (highest score - pre); pairs already at the highest score before "
            "the course are left out of it (but count in the mean change).",
            f"Means are shown only for at least {threshold} pairs from at least {threshold} "
            "delegates. The means of all courses are over every pair, those of courses whose "
            "own figures are withheld too.",
            "Pairs are withheld with the number of delegates: everyone rates the same "
            "outcomes, so the pairs would give it away.",
        ],
    ), **LEARNING_GAIN_HINTS}


# Stage 1 scores -------------------------------------------------------------------------------

def _ordered_keys(keys, preferred, position):
    order = {k: i for i, k in enumerate(preferred)}
    return sorted(keys, key=lambda k: (order.get(k[0], len(order)), position.get(k, 0),
                                      str(k)))


def stage_1_table(period, *, audience, threshold):
    """Mean score and number of answers per Stage 1 rating question (its stable key: every
    version's answers together, worded as the newest version asks it), one query."""
    groups = (Answer.objects.filter(
        _events_in(period, audience), response__kind=QuestionnaireKind.STAGE_1,
        question__type=QuestionType.RATING, value_int__isnull=False)
        .order_by()
        .values("question__key", "question__scale_max", "question__version_id",
                "question__text", "question__position")
        .annotate(n=Count("pk"), total=Sum("value_int")))
    merged, newest, position = {}, {}, {}
    for g in groups:
        key = (g["question__key"], g["question__scale_max"])
        n, total = merged.get(key, (0, 0))
        merged[key] = (n + g["n"], total + g["total"])
        if key not in newest or g["question__version_id"] > newest[key][0]:
            newest[key] = (g["question__version_id"], g["question__text"])
            position[key] = g["question__position"]
    scales = defaultdict(set)
    for key_, scale in merged:
        scales[key_].add(scale)
    rows = []
    for key in _ordered_keys(merged, defaults.STAGE_1_RATING_KEYS, position):
        n, total = merged[key]
        label = newest[key][1]
        if len(scales[key[0]]) > 1:
            label = f"{label} (out of {key[1]})"
        rows.append(row(label, responses=n, mean=_mean(total, n) if n >= threshold else None,
                        scale_max=key[1]))
    return table(
        "stage-1-scores", "Stage 1 scores", row_header="Question",
        description=("Delegates' ratings right after the course, for events that started in "
                     "the period."),
        columns=[
            column("responses", "Answers", COUNT, compare=True),
            column("mean", "Mean score", SCORE, compare=True),
            column("scale_max", "Highest score", COUNT),
        ],
        rows=rows, small_groups=True, chart={"column": "mean"},
        notes=["Each question is found by its key in every version of the questionnaire, "
               "worded as the newest version asks it.",
               f"A mean is shown only when at least {threshold} answered."],
    )


# Response rates -------------------------------------------------------------------------------

RATE_ROWS = ((RequestKind.STAGE_1, "Stage 1 evaluation"), (RequestKind.STAGE_2,
                                                            "Stage 2 evaluation"))


def response_rate_table(period, *, audience):
    """Requests sent in the period (requested_at) and how many have been answered: one
    query. A request withdrawn unanswered (the booking cancelled, the place handed over) is
    not counted as sent."""
    since, until = period.bounds()
    requests = EvaluationRequest.objects.filter(
        kind__in=[k for k, _ in RATE_ROWS], requested_at__gte=since, requested_at__lt=until,
    ).exclude(withdrawn_at__isnull=False, completed_at__isnull=True)
    if audience:
        requests = requests.filter(course__audience=audience)
    counts = {r["kind"]: r for r in requests.order_by().values("kind").annotate(
        sent=Count("pk"), answered=Count("pk", filter=Q(completed_at__isnull=False)))}
    rows = []
    for kind, label in RATE_ROWS:
        c = counts.get(kind, {"sent": 0, "answered": 0})
        rows.append(row(label, sent=c["sent"], answered=c["answered"],
                        response_rate=rate(c["answered"], c["sent"])))
    return table(
        "evaluation-response-rates", "Evaluation response rates", row_header="Evaluation",
        columns=[
            column("sent", "Requests sent", COUNT, compare=True),
            column("answered", "Answered", COUNT, compare=True),
            column("response_rate", "Response rate", RATE, of=["answered", "sent"],
                   compare=True),
        ],
        rows=rows, chart={"column": "response_rate"},
        notes=["Requests sent in the period (the day the email went), answered at any time "
               "before this report was made: the rate of the latest weeks can still rise.",
               "Requests withdrawn before they were answered (a cancelled booking, a place "
               "handed to a colleague) are not counted.",
               "Stage 1 includes the requests after e-learning modules."],
    )


# Stage 2 impact answers -----------------------------------------------------------------------

def _impact_questions(period, audience):
    """The Stage 2 rating and choice answers given in the period, counted per question and
    answer value (one query), merged by the question's stable key (and scale)."""
    since, until = period.bounds()
    answers = Answer.objects.filter(
        response__kind=QuestionnaireKind.STAGE_2, response__submitted_at__gte=since,
        response__submitted_at__lt=until,
        question__type__in=(QuestionType.RATING, QuestionType.SINGLE, QuestionType.MULTIPLE))
    if audience:
        answers = answers.filter(response__course__audience=audience)
    groups = answers.order_by().values(
        "question__key", "question__version_id", "question__text", "question__type",
        "question__position", "question__scale_max", "question__scale_min_label",
        "question__scale_max_label", "question__choices", "value_int", "value_choices",
    ).annotate(n=Count("pk"))
    questions = {}
    for g in groups:
        is_rating = g["question__type"] == QuestionType.RATING
        key = (g["question__key"], g["question__scale_max"] if is_rating else None)
        q = questions.setdefault(key, {"version": -1, "values": [], "position": 0})
        if g["question__version_id"] > q["version"]:
            q.update(version=g["question__version_id"], text=g["question__text"],
                     type=g["question__type"], position=g["question__position"],
                     scale_max=g["question__scale_max"],
                     min_label=g["question__scale_min_label"],
                     max_label=g["question__scale_max_label"],
                     choices=g["question__choices"] or [])
        q["values"].append(g)
    return questions


def _rating_rows(q):
    scale = q["scale_max"]
    counts = defaultdict(int)
    for g in q["values"]:
        if g["value_int"] is not None and 1 <= g["value_int"] <= scale:
            counts[g["value_int"]] += g["n"]
    n = sum(counts.values())
    points = []
    for value in range(scale, 0, -1):
        label = str(value)
        if value == scale and q["max_label"]:
            label = f"{value} ({q['max_label']})"
        elif value == 1 and q["min_label"]:
            label = f"{value} ({q['min_label']})"
        points.append((label, counts[value]))
    total = sum(v * c for v, c in counts.items())
    top = counts[scale] + counts[scale - 1]
    return n, total, top, points


def _choice_rows(q):
    counted, respondents = defaultdict(int), 0
    for g in q["values"]:
        chosen = g["value_choices"] or []
        if isinstance(chosen, str):
            chosen = [chosen]
        if chosen:
            respondents += g["n"]
        for option in chosen:
            counted[option] += g["n"]
    # Offered options in their order (zeros too), then any no longer offered.
    ordered = scores.choice_counts([list(counted)], choices=q["choices"])
    return respondents, [(option, counted.get(option, 0)) for option, _ in ordered]


def _answers_table(key, title, points, respondents, *, multiple=False):
    """Count and share of respondents per answer. The respondents sit in every row (not only
    in a total) so that a share is withheld with its count or its respondents
    (reports.privacy suppresses a rate whose parts are suppressed)."""
    notes = ["Share of those who answered this question in the period."]
    if multiple:
        notes.append("More than one answer could be chosen, so the shares add up to more "
                     "than 100%.")
    return table(
        f"stage-2-answers-{key}", title, row_header="Answer",
        columns=[column("count", "Answers", COUNT, compare=True),
                 column("respondents", "Respondents to the question", COUNT, compare=True),
                 column("share", "Share of respondents", RATE, of=["count", "respondents"],
                        compare=True)],
        rows=[row(label, count=c, respondents=respondents, share=rate(c, respondents))
              for label, c in points],
        small_groups=True, chart={"column": "count"}, notes=notes,
    )


def impact_tables(period, *, audience, threshold):
    """The Stage 2 questions as figures: one summary row per rating question (respondents,
    mean, how many rated it in the top two points of the scale and their share), then the
    distribution of each rating question and each choice question (count and share of
    respondents per answer, e.g. "improved information sharing 49%")."""
    questions = _impact_questions(period, audience)
    summary_rows, details = [], []
    ordered = _ordered_keys(questions, defaults.STAGE_2_RATING_KEYS,
                            {k: q["position"] for k, q in questions.items()})
    scales = defaultdict(set)
    for key, scale in questions:
        scales[key].add(scale)
    for key in ordered:
        q = questions[key]
        slug = key[0] if len(scales[key[0]]) == 1 else f"{key[0]}-{key[1]}"
        if q["type"] == QuestionType.RATING:
            n, total, top, points = _rating_rows(q)
            label = q["text"] if len(scales[key[0]]) == 1 else f"{q['text']} (out of {key[1]})"
            # The top two points and the mean are sums of the answer counts beside them:
            # when one of those is under the threshold (shown as "fewer than 3"), either
            # would give it back (8 rated 4 or 5, 6 rated 4: 2 rated 5), so neither is shown.
            small = any(0 < c < threshold for _label, c in points)
            summary_rows.append(row(
                label, respondents=n,
                mean=_mean(total, n) if n >= threshold and not small else None,
                top=None if small else top, top_share=None if small else rate(top, n)))
            details.append(_answers_table(slug, label, points, n))
        else:
            respondents, points = _choice_rows(q)
            details.append(_answers_table(slug, q["text"], points, respondents,
                                          multiple=q["type"] == QuestionType.MULTIPLE))
    summary = table(
        "stage-2-impact", "Impact on practice (Stage 2)", row_header="Question",
        description="Answers given in the period, some weeks after the course.",
        columns=[
            column("respondents", "Respondents", COUNT, compare=True),
            column("mean", "Mean score", SCORE, compare=True),
            column("top", "Rated in the top two points", COUNT, compare=True),
            column("top_share", "Share rating it in the top two points", RATE,
                   of=["top", "respondents"], compare=True),
        ],
        rows=summary_rows, small_groups=True, chart={"column": "top_share"},
        notes=["The top two points are 4 and 5 on a scale of 5 (9 and 10 on a scale of 10): "
               "for example \"a great deal\".",
               f"A mean is shown only when at least {threshold} answered. The mean and the "
               f"top two points are not shown when an answer's count is under {threshold}, "
               "since they would give it away."],
    )
    return [summary, *details]


# Themes ---------------------------------------------------------------------------------------

def themes_table(period, *, audience):
    """Confirmed theme tags in the period (evaluations.selectors.themes rules: a Stage 2 answer
    on the day it was given, a session comment on the day of its event)."""
    if audience is None:
        counts = theme_counts(start=period.start, end=period.end)
        rows = [row(c["theme"].name, answers=c["answers"], comments=c["comments"],
                    total=c["total"])
                for c in counts if c["total"] or c["theme"].active]
        columns = [column("answers", "Stage 2 answers", COUNT),
                   column("comments", "Session comments", COUNT),
                   column("total", "Times tagged", COUNT, compare=True)]
    else:
        courses = set(Course.objects.filter(audience=audience).values_list("pk", flat=True))
        totals = defaultdict(int)
        for c in theme_counts_by_course(start=period.start, end=period.end):
            if c["course_id"] in courses:
                totals[c["theme_name"]] += c["total"]
        rows = [row(name, total=n) for name, n in sorted(totals.items(),
                                                         key=lambda kv: kv[0].casefold())]
        columns = [column("total", "Times tagged", COUNT, compare=True)]
    return table(
        "themes", "Themes in Stage 2 answers and session comments", row_header="Theme",
        columns=columns, rows=rows, small_groups=True, chart={"column": "total"},
        notes=["Only themes an officer confirmed count. A Stage 2 answer counts on the day it "
               "was given, a session comment on the day of its event."],
    )


def tables(period, *, audience=None, partnership):
    threshold = partnership.report_small_count_threshold
    return [
        learning_gain_table(period, audience=audience, threshold=threshold),
        stage_1_table(period, audience=audience, threshold=threshold),
        response_rate_table(period, audience=audience),
        *impact_tables(period, audience=audience, threshold=threshold),
        themes_table(period, audience=audience),
    ]
