"""The evaluation section of the quarterly report (reports.figures.evaluation) for a seeded
quarter, July to September 2026, against hand-computed figures; answers of the quarter
before must not count; the same number of queries for ten times the data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import BookingStatus
from core.models import Partnership
from courses.models import Audience
from evaluations import defaults
from evaluations.models import (
    Answer,
    EvaluationRequest,
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    QuestionType,
    RequestKind,
    Response,
    SessionComment,
    Theme,
    ThemeTag,
)
from reports.figures import evaluation
from reports.periods import Period
from tests.factories import BookingFactory, CourseFactory, EventFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
QUARTER = Period(date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")
OUTCOMES = ["Recognise the signs of neglect", "Share information lawfully"]
IMPROVED = ["Improved joint working", "Improved information sharing", "No change yet"]


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def version(kind, *, questions=None):
    """A new version of the default questionnaire of `kind` (the defaults' questions unless
    given)."""
    questionnaire, _ = Questionnaire.objects.get_or_create(kind=kind, course=None)
    number = questionnaire.versions.count() + 1
    spec = defaults.DEFAULT_QUESTIONNAIRES[kind]
    v = QuestionnaireVersion.objects.create(questionnaire=questionnaire, number=number,
                                            title=spec["title"])
    for position, q in enumerate(questions or spec["questions"]):
        QuestionnaireQuestion.objects.create(version=v, position=position, **q)
    return v


@pytest.fixture
def versions(db):
    return {kind: version(kind) for kind in (QuestionnaireKind.PRE, QuestionnaireKind.POST,
                                             QuestionnaireKind.STAGE_1,
                                             QuestionnaireKind.STAGE_2)}


def request_for(booking, kind, **fields):
    request, _ = EvaluationRequest.objects.get_or_create(
        kind=kind, booking=booking,
        defaults={"user": booking.delegate, "course": booking.event.course,
                  "event": booking.event, "due_at": booking.event.end, **fields})
    return request


def respond(booking, v, answers, *, submitted_at=None):
    """A response to version `v` for the booking: answers {key: value}; the outcomes question
    takes a list of ratings in outcome order, a choice question a list of options."""
    kind = v.questionnaire.kind
    request_kind = {QuestionnaireKind.PRE: RequestKind.PRE,
                    QuestionnaireKind.POST: RequestKind.STAGE_1,
                    QuestionnaireKind.STAGE_1: RequestKind.STAGE_1,
                    QuestionnaireKind.STAGE_2: RequestKind.STAGE_2}[kind]
    request = request_for(booking, request_kind)
    response = Response.objects.create(
        request=request, version=v, kind=kind, course=booking.event.course,
        event=booking.event, submitted_at=submitted_at or booking.event.end)
    made = []
    for key, value in answers.items():
        question = v.questions.get(key=key)
        if question.type == QuestionType.OUTCOMES:
            for i, rating in enumerate(value):
                made.append(Answer(response=response, question=question, outcome_index=i,
                                   outcome_text=OUTCOMES[i], value_int=rating))
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            made.append(Answer(response=response, question=question, value_choices=value))
        elif isinstance(value, int):
            made.append(Answer(response=response, question=question, value_int=value))
        else:
            made.append(Answer(response=response, question=question, value_text=value))
    Answer.objects.bulk_create(made)
    return response


def pre_post(booking, versions, pre, post):
    respond(booking, versions[QuestionnaireKind.PRE], {defaults.OUTCOMES: pre})
    respond(booking, versions[QuestionnaireKind.POST], {defaults.OUTCOMES: post})


def stage_1(booking, versions, satisfaction, relevance, knowledge):
    respond(booking, versions[QuestionnaireKind.STAGE_1], {
        defaults.SATISFACTION: satisfaction, defaults.RELEVANCE: relevance,
        defaults.KNOWLEDGE_IMPROVED: knowledge, defaults.DO_DIFFERENTLY: "Share sooner"})


def attended(event):
    return BookingFactory(event=event, status=BookingStatus.ATTENDED)


@pytest.fixture
def quarter(versions):
    """Neglect (joint): 3 delegates, 2 outcomes each, in the quarter; one delegate of the
    quarter before. Online safety (children): 1 delegate in the quarter (2 pairs)."""
    neglect = CourseFactory(title="Neglect", learning_outcomes=OUTCOMES,
                            audience=Audience.JOINT)
    online = CourseFactory(title="Online safety", learning_outcomes=OUTCOMES,
                           audience=Audience.CHILDREN)
    august = EventFactory(course=neglect, start=at(2026, 8, 10, 9, 30),
                          end=at(2026, 8, 10, 16, 30))
    # 1 July, 00:30 in London is still 30 June in UTC: in the quarter all the same.
    first_night = EventFactory(course=online, start=at(2026, 7, 1, 0, 30),
                               end=at(2026, 7, 1, 3, 30))
    june = EventFactory(course=neglect, start=at(2026, 6, 30, 23, 0),
                        end=at(2026, 6, 30, 23, 50))
    ann, bob, cat = attended(august), attended(august), attended(august)
    pre_post(ann, versions, [2, 3], [4, 4])
    pre_post(bob, versions, [5, 1], [5, 3])  # A at the maximum: out of g, in the change
    pre_post(cat, versions, [3, 4], [4, 5])
    stage_1(ann, versions, 5, 5, 4)
    stage_1(bob, versions, 4, 5, 4)
    stage_1(cat, versions, 3, 4, 4)
    dot = attended(first_night)
    pre_post(dot, versions, [1, 2], [3, 2])
    old = attended(june)
    pre_post(old, versions, [1, 1], [5, 5])
    stage_1(old, versions, 1, 1, 1)
    return {"neglect": neglect, "online": online, "august": august, "june": june,
            "bookings": [ann, bob, cat, dot], "old": old}


def figures(period=QUARTER, audience=None, partnership=None):
    partnership = partnership or Partnership.load()
    return {t["key"]: t for t in evaluation.tables(period, audience=audience,
                                                  partnership=partnership)}


def cells(tbl, label):
    return next(r["cells"] for r in tbl["rows"] if r["label"] == label)


def test_learning_gain_per_course_hand_computed(quarter):
    gain = figures()["learning-gain"]
    # Neglect in the quarter, (pre, post) per outcome A, B:
    #   ann (2,4) (3,4): change +2 +1; g 2/3, 1/2
    #   bob (5,5) (1,3): change  0 +2; g left out (pre = 5), 2/4 = 1/2
    #   cat (3,4) (4,5): change +1 +1; g 1/2, 1/1
    # 6 pairs from 3 delegates: mean change 7/6; g over 5 pairs: (2/3 + 1/2 + 1/2 + 1/2 + 1)
    # / 5 = 19/30. The June delegate's +4 +4 is the quarter before: not counted.
    assert cells(gain, "Neglect") == {"pairs": 6, "delegates": 3, "gain_pairs": 5,
                                      "mean_change": pytest.approx(7 / 6),
                                      "mean_gain": pytest.approx(19 / 30)}
    # Online safety: one delegate, 2 pairs (1,3) (2,2): fewer than 3, so no means.
    assert cells(gain, "Online safety") == {"pairs": 2, "delegates": 1, "gain_pairs": 2,
                                            "mean_change": None, "mean_gain": None}
    assert gain["small_groups"] is True
    # All courses: 8 pairs, change (7 + 2 + 0) / 8; g (19/6 + 2/4 + 0/3) / 7 = 11/21.
    assert gain["total"]["cells"] == {"pairs": 8, "delegates": 4, "gain_pairs": 7,
                                      "mean_change": pytest.approx(9 / 8),
                                      "mean_gain": pytest.approx(11 / 21)}
    assert {c["key"] for c in gain["columns"] if c["compare"]} == {
        "pairs", "mean_change", "mean_gain"}


def test_the_quarter_before_has_only_its_own_pairs(quarter):
    before = Period(date(2026, 4, 1), date(2026, 6, 30), "April to June 2026")
    gain = figures(before)["learning-gain"]
    assert [r["label"] for r in gain["rows"]] == ["Neglect"]
    assert cells(gain, "Neglect")["pairs"] == 2
    assert cells(gain, "Neglect")["mean_change"] is None  # one delegate


def test_an_annual_part_keeps_its_audience(quarter):
    gain = figures(audience=Audience.CHILDREN)["learning-gain"]
    assert [r["label"] for r in gain["rows"]] == ["Online safety"]


def test_stage_1_means_hand_computed(quarter):
    scores = figures()["stage-1-scores"]
    # Satisfaction 5, 4, 3 -> 4; relevance 5, 5, 4 -> 14/3; knowledge 4, 4, 4 -> 4 (the June
    # delegate's 1s are the quarter before).
    assert [r["label"] for r in scores["rows"]] == [
        "Overall, how satisfied were you with the course?",
        "How relevant was the course to your role?",
        "How much has the course improved your knowledge?"]
    assert [(r["cells"]["responses"], r["cells"]["mean"]) for r in scores["rows"]] == [
        (3, pytest.approx(4)), (3, pytest.approx(14 / 3)), (3, pytest.approx(4))]


def test_stage_2_response_rate_counts_requests_sent_in_the_quarter(quarter):
    ann, bob, cat, dot = quarter["bookings"]
    sent = at(2026, 9, 20, 10, 0)
    for booking in (ann, bob, cat):
        request_for(booking, RequestKind.STAGE_2, requested_at=sent,
                    completed_at=at(2026, 10, 2, 9, 0))  # answered after the quarter: counts
    request_for(dot, RequestKind.STAGE_2, requested_at=sent)  # not answered
    withdrawn = attended(quarter["august"])
    request_for(withdrawn, RequestKind.STAGE_2, requested_at=sent,
                withdrawn_at=at(2026, 9, 21, 9, 0))  # withdrawn unanswered: not counted
    request_for(quarter["old"], RequestKind.STAGE_2, requested_at=at(2026, 6, 29, 10, 0),
                completed_at=at(2026, 7, 3, 10, 0))  # sent the quarter before
    rates = figures()["evaluation-response-rates"]
    # 3 answered of 4 sent: 75%.
    assert cells(rates, "Stage 2 evaluation") == {"sent": 4, "answered": 3,
                                                  "response_rate": 0.75}


@pytest.fixture
def stage_2(quarter, versions):
    """Version 1 of Stage 2 (ratings only) answered twice in the quarter; version 2 rewords
    the practice question and adds a multiple choice question, answered three times; one
    answer in June."""
    v1 = versions[QuestionnaireKind.STAGE_2]
    spec = defaults.DEFAULT_QUESTIONNAIRES[QuestionnaireKind.STAGE_2]["questions"]
    reworded = {**spec[0], "text": "How much has the course changed how you work?"}
    improved = {"key": "improved", "text": "What has improved since the course?",
                "help_text": "", "type": QuestionType.MULTIPLE, "required": True,
                "scale_max": None, "scale_min_label": "", "scale_max_label": "",
                "choices": IMPROVED}
    v2 = version(QuestionnaireKind.STAGE_2, questions=[reworded, spec[1], improved, spec[2]])
    ann, bob, cat, dot = quarter["bookings"]
    extra = attended(quarter["august"])
    given = at(2026, 9, 15, 12, 0)
    answers = [
        respond(ann, v1, {defaults.IMPACT_PRACTICE: 5, defaults.EXAMPLES: "Shared a concern "
                          "with the school"}, submitted_at=given),
        respond(bob, v1, {defaults.IMPACT_PRACTICE: 2, defaults.EXAMPLES: "Asked the child"},
                submitted_at=given),
        respond(cat, v2, {defaults.IMPACT_PRACTICE: 4, "improved": [IMPROVED[1]],
                          defaults.EXAMPLES: "Called the MASH"}, submitted_at=given),
        respond(dot, v2, {defaults.IMPACT_PRACTICE: 3, "improved": [IMPROVED[0], IMPROVED[1]],
                          defaults.EXAMPLES: "Joint visit"}, submitted_at=given),
        respond(extra, v2, {defaults.IMPACT_PRACTICE: 5, "improved": [IMPROVED[2]],
                            defaults.EXAMPLES: "Not yet"}, submitted_at=given),
    ]
    june = respond(quarter["old"], v1, {defaults.IMPACT_PRACTICE: 1, defaults.EXAMPLES: "None"},
                   submitted_at=at(2026, 6, 30, 12, 0))
    return {"responses": answers, "june": june}


def test_stage_2_impact_answers_hand_computed(stage_2):
    tables = figures()
    impact = tables["stage-2-impact"]
    # Practice: 5, 2 (version 1) and 4, 3, 5 (version 2) = 5 respondents, mean 19/5, rated 4
    # or 5 by 3 = 60%; worded as the newest version asks it. The June 1 is not counted.
    # (Reviewer R1: with answer counts of 2 and 1 beside them, the mean and the top two
    # points would give those counts away, so they are not shown.)
    assert cells(impact, "How much has the course changed how you work?") == {
        "respondents": 5, "mean": None, "top": None, "top_share": None}
    practice = tables["stage-2-answers-impact_practice"]
    assert [(r["label"], r["cells"]["count"]) for r in practice["rows"]] == [
        ("5 (A great deal)", 2), ("4", 1), ("3", 1), ("2", 1), ("1 (Not at all)", 0)]
    # Improved (version 2 only, 3 respondents): information sharing 2 of 3, joint working 1.
    improved = tables["stage-2-answers-improved"]
    assert [(r["label"], r["cells"]["count"]) for r in improved["rows"]] == [
        ("Improved joint working", 1), ("Improved information sharing", 2),
        ("No change yet", 1)]
    assert cells(improved, "Improved information sharing")["share"] == pytest.approx(2 / 3)
    assert {r["cells"]["respondents"] for r in improved["rows"]} == {3}
    assert improved["small_groups"] is True


def test_themes_count_confirmed_tags_of_the_quarter(stage_2, quarter):
    sharing = Theme.objects.create(name="Information sharing")
    voice = Theme.objects.create(name="Voice of the child")
    Theme.objects.create(name="Escalation", active=False)  # never used, retired: not shown
    confirmed = at(2026, 10, 1, 9, 0)

    def examples(response):
        return response.answers.get(question__key=defaults.EXAMPLES)

    ann, bob, cat, dot, _extra = stage_2["responses"]
    ThemeTag.objects.create(theme=sharing, answer=examples(ann), confirmed_at=confirmed)
    ThemeTag.objects.create(theme=voice, answer=examples(dot), confirmed_at=confirmed)
    ThemeTag.objects.create(theme=sharing, answer=examples(cat), confirmed_at=confirmed)
    ThemeTag.objects.create(theme=voice, answer=examples(bob), confirmed_at=confirmed)
    ThemeTag.objects.create(theme=voice, answer=examples(cat), suggested=True)  # unconfirmed
    ThemeTag.objects.create(theme=sharing, answer=examples(stage_2["june"]),
                            confirmed_at=confirmed)  # given in June
    comment = SessionComment.objects.create(event=quarter["august"], text="What would Jo say?")
    ThemeTag.objects.create(theme=voice, comment=comment, confirmed_at=confirmed)
    themes = figures()["themes"]
    assert [(r["label"], r["cells"]) for r in themes["rows"]] == [
        ("Information sharing", {"answers": 2, "comments": 0, "total": 2}),
        ("Voice of the child", {"answers": 2, "comments": 1, "total": 3}),
    ]
    assert themes["small_groups"] is True
    # The children's part: only Online safety's answer (dot's); the rest are joint courses.
    children = figures(audience=Audience.CHILDREN)["themes"]
    assert [(r["label"], r["cells"]) for r in children["rows"]] == [
        ("Voice of the child", {"total": 1})]


def _more(quarter, versions, n):
    """n more delegates on a new event of each course, each with pre, post, Stage 1 and Stage
    2 answers and a Stage 2 request."""
    for course in (quarter["neglect"], quarter["online"]):
        event = EventFactory(course=course, start=at(2026, 9, 1, 9, 30),
                             end=at(2026, 9, 1, 16, 30))
        for i in range(n):
            booking = attended(event)
            pre_post(booking, versions, [1 + i % 5, 2], [5, 3])
            stage_1(booking, versions, 1 + i % 5, 4, 5)
            request_for(booking, RequestKind.STAGE_2, requested_at=at(2026, 9, 5, 9, 0),
                        completed_at=at(2026, 9, 6, 9, 0))
            respond(booking, versions[QuestionnaireKind.STAGE_2],
                    {defaults.IMPACT_PRACTICE: 1 + i % 5, defaults.IMPACT_OUTCOMES: 3,
                     defaults.EXAMPLES: "Used it"}, submitted_at=at(2026, 9, 6, 9, 0))


def test_the_same_queries_for_ten_times_the_data(quarter, versions):
    Theme.objects.create(name="Information sharing")
    _more(quarter, versions, 1)
    partnership = Partnership.load()
    with CaptureQueriesContext(connection) as small:
        figures(partnership=partnership)
    _more(quarter, versions, 10)
    with CaptureQueriesContext(connection) as large:
        tables = figures(partnership=partnership)
    assert len(large) == len(small) <= 7
    assert cells(tables["learning-gain"], "Neglect")["pairs"] == 6 + 2 * 11
    with CaptureQueriesContext(connection) as part:
        figures(audience=Audience.CHILDREN, partnership=partnership)
    assert len(part) <= 7


def test_no_name_in_any_table(stage_2, quarter):
    names = set()
    for booking in quarter["bookings"]:
        names |= {booking.delegate.first_name, booking.delegate.last_name,
                  booking.delegate.email}
    text = repr(evaluation.tables(QUARTER, partnership=Partnership.load()))
    assert not [n for n in names if n in text]
