"""The facilitator summary report: learning gain and Stage 1 figures against hand-computed
values, the threshold that hides distributions and comments, no name anywhere (page and PDF),
who may see it, and the day-10 sweep with a controlled clock."""

import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from bookings.models import BookingStatus
from core.models import OutgoingEmail, Partnership
from evaluations import defaults
from evaluations.models import (
    Answer,
    EvaluationRequest,
    Questionnaire,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    RequestKind,
    Response,
    SummaryReport,
)
from evaluations.selectors.summaries import course_learning_gain, event_summary
from evaluations.services.summaries import summary_due_on, summary_reports_send
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
OUTCOMES = ["Recognise the signs of neglect", "Share information lawfully"]


def version(kind):
    """The newest version of the default questionnaire of `kind` (made from
    evaluations.defaults if there is none yet)."""
    questionnaire, _ = Questionnaire.objects.get_or_create(kind=kind, course=None)
    found = questionnaire.versions.order_by("-number").first()
    if found is not None and found.questions.exists():
        return found
    spec = defaults.DEFAULT_QUESTIONNAIRES[kind]
    v = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=(found.number + 1 if found else 1),
        title=spec["title"])
    for position, q in enumerate(spec["questions"]):
        QuestionnaireQuestion.objects.create(version=v, position=position, **q)
    return v


def respond(booking, kind, answers, *, user=None, event=None):
    """A response of `kind` for the booking's request (PRE for pre, STAGE_1 for post and Stage
    1, FACILITATOR for a facilitator's feedback): answers is {key: value} and, for the
    outcomes question, a list of ratings in outcome order."""
    request_kind = {"pre": RequestKind.PRE, "post": RequestKind.STAGE_1,
                    "stage_1": RequestKind.STAGE_1, "facilitator": RequestKind.FACILITATOR}[kind]
    event = event or booking.event
    if request_kind == RequestKind.FACILITATOR:
        request, _ = EvaluationRequest.objects.get_or_create(
            kind=request_kind, event=event, user=user,
            defaults={"course": event.course, "due_at": timezone.now()})
    else:
        request, _ = EvaluationRequest.objects.get_or_create(
            kind=request_kind, booking=booking,
            defaults={"user": booking.delegate, "course": event.course, "event": event,
                      "due_at": timezone.now()})
    v = version(kind)
    response = Response.objects.create(request=request, version=v, kind=kind,
                                       course=event.course, event=event)
    for key, value in answers.items():
        question = v.questions.get(key=key)
        if isinstance(value, list):
            for i, rating in enumerate(value):
                Answer.objects.create(response=response, question=question, outcome_index=i,
                                      outcome_text=OUTCOMES[i], value_int=rating)
        elif isinstance(value, int):
            Answer.objects.create(response=response, question=question, value_int=value)
        else:
            Answer.objects.create(response=response, question=question, value_text=value)
    return response


@pytest.fixture
def people(make_user):
    return {
        "facilitator": make_user(Role.FACILITATOR, first_name="Fiona", last_name="Facilitator"),
        "other_facilitator": make_user(Role.FACILITATOR),
        "officer": make_user(Role.OFFICER, first_name="Olive", last_name="Officer"),
    }


def build_event(people, *, end=None):
    """The event of the hand-computed figures (see each test)."""
    end = end or timezone.now() - timedelta(days=2)
    course = CourseFactory(title="Neglect and information sharing", learning_outcomes=OUTCOMES)
    event = EventFactory(course=course, start=end - timedelta(hours=7), end=end,
                         facilitators=[people["facilitator"]], officer=people["officer"])
    names = {}

    def delegate(first, last, status):
        user = UserFactory(first_name=first, last_name=last,
                           email=f"{first.lower()}.{event.pk}@example.org")
        names[first] = user.email
        return BookingFactory(event=event, delegate=user, status=status)

    ann = delegate("Annunziata", "Xylophone", BookingStatus.ATTENDED)
    bob = delegate("Bartholomew", "Quagmire", BookingStatus.ATTENDED)
    cat = delegate("Catriona", "Zephyrine", BookingStatus.ATTENDED)
    dan = delegate("Dunstan", "Wolfenden", BookingStatus.ATTENDED)
    delegate("Evangeline", "Nobody", BookingStatus.NO_SHOW)
    delegate("Florian", "Latecomer", BookingStatus.NOT_ADMITTED)
    delegate("Gwendolyn", "Unmarked", BookingStatus.BOOKED)
    delegate("Horatio", "Cancelled", BookingStatus.CANCELLED)
    # Pre and post confidence on outcomes A and B (1 to 5):
    respond(ann, "pre", {defaults.OUTCOMES: [2, 3]})
    respond(ann, "post", {defaults.OUTCOMES: [4, 4]})
    respond(bob, "pre", {defaults.OUTCOMES: [5, 1]})  # A at the maximum: left out of g
    respond(bob, "post", {defaults.OUTCOMES: [5, 3]})
    respond(cat, "pre", {defaults.OUTCOMES: [1, 1]})  # only a pre answer: no pair
    respond(dan, "pre", {defaults.OUTCOMES: [4, 2]})
    respond(dan, "post", {defaults.OUTCOMES: [3, 5]})
    # Stage 1: three delegates answered.
    for booking, (sat, rel, know), doing in (
            (ann, (5, 3, 4), "Share information sooner with the designated lead"),
            (bob, (4, 4, 4), "Ask the child directly what is happening"),
            (dan, (5, 5, 2), "Escalate concerns when nothing changes")):
        respond(booking, "stage_1", {defaults.SATISFACTION: sat, defaults.RELEVANCE: rel,
                                     defaults.KNOWLEDGE_IMPROVED: know,
                                     defaults.DO_DIFFERENTLY: doing})
    respond(None, "facilitator", {defaults.SESSION_WENT: 4,
                                  defaults.WHAT_TO_CHANGE: "More time for the case studies"},
            user=people["facilitator"], event=event)
    event.names = names
    return event


# Hand-computed figures --------------------------------------------------------------------------
# Pairs (outcome A, outcome B): Ann 2->4, 3->4; Bob 5->5 (pre at max), 1->3; Dan 4->3, 2->5.
# Cat has only a pre answer: no pair. Changes 2, 1, 0, 2, -1, 3: mean 7/6 = 1.17 over 6 pairs.
# g: 2/3, 1/2, (Bob's A left out), 1/2, -1/1, 3/3: sum 5/3 over 5 pairs = 1/3 = 0.33.
# A: changes 2, 0, -1 -> 0.33; g 2/3, -1 -> -1/6 = -0.17 (2 pairs, 1 left out).
# B: changes 1, 2, 3 -> 2.00; g 1/2, 1/2, 1 -> 2/3 = 0.67 (3 pairs).
# Stage 1 means: satisfaction 5, 4, 5 = 4.67; relevance 3, 4, 5 = 4.00; knowledge 4, 4, 2 = 3.33.

def test_event_summary_hand_computed(people):
    event = build_event(people)
    s = event_summary(event=event)
    assert s.attendance == {"booked": 7, "attended": 4, "no_show": 1, "not_admitted": 1,
                            "not_marked": 1}
    assert (s.gain.pairs, s.gain.delegates, s.gain.gain_pairs) == (6, 3, 5)
    assert s.gain.mean_change == pytest.approx(7 / 6)
    assert s.gain.mean_gain == pytest.approx(1 / 3)
    a, b = s.gain_by_outcome
    assert (a.outcome_text, a.pairs, a.gain_pairs) == (OUTCOMES[0], 3, 2)
    assert a.mean_change == pytest.approx(1 / 3) and a.mean_gain == pytest.approx(-1 / 6)
    assert (b.pairs, b.gain_pairs) == (3, 3)
    assert b.mean_change == pytest.approx(2) and b.mean_gain == pytest.approx(2 / 3)
    assert s.stage_1_answered == 3
    means = {d.key: (d.n, d.mean, d.counts) for d, _svg in s.distributions}
    assert means[defaults.SATISFACTION] == (3, pytest.approx(14 / 3), (0, 0, 0, 1, 2))
    assert means[defaults.RELEVANCE] == (3, pytest.approx(4.0), (0, 0, 1, 1, 1))
    assert means[defaults.KNOWLEDGE_IMPROVED] == (3, pytest.approx(10 / 3), (0, 1, 0, 2, 0))
    [(_question, comments)] = s.comments
    assert comments == ["Ask the child directly what is happening",
                        "Escalate concerns when nothing changes",
                        "Share information sooner with the designated lead"]
    assert s.facilitator_feedback == [("How well did the session go?", ["4 out of 5"]),
                                      ("What would you change for the next session?",
                                       ["More time for the case studies"])]


def test_the_answers_read_apart_are_the_answers_read_with_one_or(people):
    """event_summary reads the delegates' and the facilitators' answers as two SELECTs joined
    by UNION ALL (issue 14: one OR across two joins kept PostgreSQL from its indexes): the
    same rows, in the same order, as the one query with OR."""
    from django.db.models import Q

    from evaluations.models import QuestionnaireKind, RequestKind
    from evaluations.selectors.summaries import _answer_rows

    event = build_event(people)
    build_event(people)  # another event's answers stay out
    delegates = Q(response__request__booking__event=event,
                  response__kind__in=(QuestionnaireKind.PRE, QuestionnaireKind.POST,
                                      QuestionnaireKind.STAGE_1))
    facilitators = Q(response__request__event=event,
                     response__kind=QuestionnaireKind.FACILITATOR,
                     response__request__kind=RequestKind.FACILITATOR)
    apart = _answer_rows(delegates, facilitators)
    assert apart == _answer_rows(delegates | facilitators)
    assert {r["response__kind"] for r in apart} == {"pre", "post", "stage_1", "facilitator"}


def test_course_learning_gain_spans_its_events(people):
    event = build_event(people)
    other = EventFactory(course=event.course, start=event.start - timedelta(days=30),
                         end=event.end - timedelta(days=30))
    eve = BookingFactory(event=other, status=BookingStatus.ATTENDED)
    respond(eve, "pre", {defaults.OUTCOMES: [1, 5]})
    respond(eve, "post", {defaults.OUTCOMES: [5, 5]})  # A: +4, g 1; B: 0, left out
    gain, by_outcome, events = course_learning_gain(course=event.course)
    # Changes 2, 1, 0, 2, -1, 3, 4, 0 = 11 / 8; g 2/3, 1/2, 1/2, -1, 1, 1 = 8/3 / 6 = 4/9
    assert (gain.pairs, gain.delegates, gain.gain_pairs, events) == (8, 4, 6, 2)
    assert gain.mean_change == pytest.approx(11 / 8)
    assert gain.mean_gain == pytest.approx(4 / 9)
    # Only the later event, by date:
    gain, _, events = course_learning_gain(course=event.course,
                                           start=timezone.localdate(event.start))
    assert (gain.pairs, events) == (6, 1)


# The page and the PDF ----------------------------------------------------------------------------

def page_text(response):
    from html import unescape

    return " ".join(unescape(response.content.decode()).split())


def pdf_text(content, tmp_path):
    assert content.startswith(b"%PDF")
    path = tmp_path / "summary.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                         check=True, timeout=60)
    return " ".join(out.stdout.decode().split())


def test_page_and_pdf_show_the_figures_and_no_name(people, client, tmp_path):
    event = build_event(people)
    client.force_login(people["facilitator"])
    html = page_text(client.get(reverse("evaluations:summary-detail", args=[event.pk])))
    pdf = pdf_text(client.get(reverse("evaluations:summary-pdf", args=[event.pk])).content,
                   tmp_path)
    for text in (html, pdf):
        assert "Learning gain from 6 pre/post pairs (3 delegates)" in text
        assert "1.17" in text and "0.33" in text and "-0.17" in text and "0.67" in text
        assert "5 (1 left out: already at the top)" in text
        assert "Mean 4.67 out of 5, from 3 answers." in text
        assert "Mean 3.33 out of 5" in text
        assert "Ask the child directly what is happening" in text
        assert "More time for the case studies" in text
        assert "3 delegates have answered the Stage 1 evaluation." in text
        for first, email in event.names.items():
            assert first not in text, f"{first}'s name appears in the summary"
            assert first.lower() not in text.lower() and email not in text
    assert "<svg" in client.get(reverse("evaluations:summary-detail", args=[event.pk])
                                ).content.decode()


def test_threshold_hides_distributions_comments_and_gain(people, client, tmp_path):
    event = build_event(people)
    Partnership.objects.filter(pk=Partnership.load().pk).update(summary_min_responses=4)
    client.force_login(people["officer"])
    html = page_text(client.get(reverse("evaluations:summary-detail", args=[event.pk])))
    pdf = pdf_text(client.get(reverse("evaluations:summary-pdf", args=[event.pk])).content,
                   tmp_path)
    for text in (html, pdf):
        assert ("Fewer than 4 delegates answered, so score distributions and comments are "
                "not shown") in text
        assert "Fewer than 4 delegates answered both the pre- and post-course" in text
        assert "Ask the child directly" not in text
        assert "Mean 4.67" not in text and "1.17" not in text
        # Attendance and the facilitators' own feedback are still there.
        assert "More time for the case studies" in text
    s = event_summary(event=event)
    assert s.distributions == [] and s.comments == [] and s.gain_by_outcome == []


@pytest.mark.parametrize("who, status", [
    ("facilitator", 200), ("officer", 200), ("other_facilitator", 404), ("delegate", 403),
], ids=["own-facilitator", "officer", "other-facilitator-404", "delegate-403"])
def test_who_may_see_the_summary(people, client, who, status):
    event = build_event(people)
    user = people.get(who) or UserFactory()
    client.force_login(user)
    for name in ("evaluations:summary-detail", "evaluations:summary-pdf"):
        assert client.get(reverse(name, args=[event.pk])).status_code == status
    list_status = 200 if who == "officer" else 403
    assert client.get(reverse("evaluations:summary-list")).status_code == list_status


def test_page_queries_are_bounded(people, client, django_assert_max_num_queries):
    event = build_event(people)
    client.force_login(people["facilitator"])
    url = reverse("evaluations:summary-detail", args=[event.pk])
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
    client.force_login(people["officer"])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("evaluations:summary-list"),
                              {"course": event.course.pk})
    assert response.status_code == 200
    assert "From 6 pre/post pairs, 3 delegates, 1 event" in page_text(response)


def test_summary_list_refuses_a_made_up_course(people, client):
    client.force_login(people["officer"])
    for bad in ("nonsense", "²", "9" * 30, "-1"):
        response = client.get(reverse("evaluations:summary-list"), {"course": bad})
        assert response.status_code == 200
        assert "Choose a course from the list." in page_text(response)


# The day-10 sweep -------------------------------------------------------------------------------

def london(*args):
    return datetime(*args, tzinfo=LONDON)


def summary_rows(event):
    return OutgoingEmail.objects.filter(purpose=f"summary:{event.pk}:sent")


def test_due_on_is_the_london_date_of_the_end_plus_the_setting():
    # Ends 23:30 London on 1 October (22:30 UTC): day 10 is 11 October.
    assert summary_due_on(event_end=london(2026, 10, 1, 23, 30), days=10).isoformat() == (
        "2026-10-11")


def test_sent_on_day_10_not_day_9_and_once(people):
    event = build_event(people, end=london(2026, 10, 1, 16, 30))
    # Day 9, one minute before midnight London time: nothing.
    assert summary_reports_send(now=london(2026, 10, 10, 23, 59)) == 0
    report = SummaryReport.objects.get(event=event)
    assert report.due_on.isoformat() == "2026-10-11" and report.sent_at is None
    assert not summary_rows(event).exists()
    # Day 10, just after midnight London time (still 10 October in UTC): sent.
    assert summary_reports_send(now=london(2026, 10, 11, 0, 5)) == 1
    assert sorted(summary_rows(event).values_list("recipient", flat=True)) == sorted(
        [people["facilitator"].email, people["officer"].email])
    report.refresh_from_db()
    assert report.sent_at is not None
    # A second sweep (the same day, or later) sends nothing.
    assert summary_reports_send(now=london(2026, 10, 11, 9, 0)) == 0
    assert summary_reports_send(now=london(2026, 10, 12, 9, 0)) == 0
    assert summary_rows(event).count() == 2
    sent = [m for m in mail.outbox if "Summary evaluation" in m.subject]
    assert len(sent) == 2
    assert sent[0].attachments[0][0].endswith(".pdf")
    assert sent[0].attachments[0][1][:4] == b"%PDF"
    assert "3 delegates answered" in sent[0].body
    for first, email in event.names.items():
        assert first not in sent[0].body and email not in sent[0].body


def test_changing_the_setting_changes_the_day(people):
    event = build_event(people, end=london(2026, 10, 1, 16, 30))
    assert summary_reports_send(now=london(2026, 10, 5, 9, 0)) == 0  # scheduled for the 11th
    partnership = Partnership.load()
    partnership.summary_report_days_after_event = 12
    partnership.save()
    assert summary_reports_send(now=london(2026, 10, 11, 9, 0)) == 0
    assert summary_reports_send(now=london(2026, 10, 12, 23, 0)) == 0
    assert SummaryReport.objects.get(event=event).due_on.isoformat() == "2026-10-13"
    assert summary_reports_send(now=london(2026, 10, 13, 7, 20)) == 1
    assert summary_rows(event).count() == 2


def test_cancelled_and_long_past_events_are_not_sent(people):
    event = build_event(people, end=london(2026, 10, 1, 16, 30))
    event.status = "cancelled"
    event.save(update_fields=["status"])
    old = build_event(people, end=london(2026, 8, 1, 16, 30))
    assert summary_reports_send(now=london(2026, 10, 11, 9, 0)) == 0
    assert not summary_rows(event).exists() and not summary_rows(old).exists()


def test_my_events_links_to_the_summary_of_a_past_event(people, client):
    event = build_event(people)
    client.force_login(people["facilitator"])
    url = reverse("evaluations:summary-detail", args=[event.pk])
    recent = client.get(reverse("bookings:facilitator-event-list"), {"show": "recent"})
    assert url in recent.content.decode()
    detail = client.get(reverse("bookings:facilitator-event-detail", args=[event.pk]))
    assert url in detail.content.decode()
