"""The facilitator summary's finer rules: a facilitator sees it only once the event has ended,
each question (and each learning outcome) needs its own minimum of answers, and pre/post
ratings pair only when the outcome is the same one (same place AND same wording)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.models import Partnership
from evaluations import defaults, scores
from evaluations.models import Answer, QuestionnaireKind, QuestionnaireQuestion, QuestionType
from evaluations.scores import OutcomeRating as R
from evaluations.selectors.summaries import event_summary
from tests.evaluations.test_summaries import (
    OUTCOMES,
    build_event,
    page_text,
    pdf_text,
    respond,
    version,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {"facilitator": make_user(Role.FACILITATOR), "officer": make_user(Role.OFFICER)}


# 1. Not before the event has ended -------------------------------------------------------------

def test_facilitator_sees_no_summary_before_the_event_ends(people, client):
    event = build_event(people, end=timezone.now() + timedelta(hours=1))  # running now
    urls = [reverse(n, args=[event.pk])
            for n in ("evaluations:summary-detail", "evaluations:summary-pdf")]
    client.force_login(people["facilitator"])
    for url in urls:
        assert client.get(url).status_code == 404
    listing = client.get(reverse("bookings:facilitator-event-list")).content.decode()
    detail = client.get(reverse("bookings:facilitator-event-detail", args=[event.pk]))
    assert urls[0] not in listing and urls[0] not in detail.content.decode()
    # Officers may look at any time.
    client.force_login(people["officer"])
    for url in urls:
        assert client.get(url).status_code == 200


def test_facilitator_sees_the_summary_once_the_event_has_ended(people, client):
    event = build_event(people, end=timezone.now() - timedelta(minutes=1))
    client.force_login(people["facilitator"])
    assert client.get(reverse("evaluations:summary-detail", args=[event.pk])).status_code == 200


# 2. A minimum of answers for each question and each outcome ------------------------------------

def test_an_optional_question_few_answered_is_hidden_and_a_thin_outcome_too(people, client,
                                                                            tmp_path):
    event = build_event(people)
    Partnership.objects.filter(pk=Partnership.load().pk).update(summary_min_responses=3)
    stage_1 = version(QuestionnaireKind.STAGE_1)
    QuestionnaireQuestion.objects.create(
        version=stage_1, position=90, key="pace", text="How was the pace of the day?",
        type=QuestionType.RATING, required=False, scale_max=5, scale_min_label="Too slow",
        scale_max_label="Too fast")
    cat = event.bookings.get(delegate__first_name="Catriona")
    # Four delegates answered Stage 1; only Catriona the optional question on the pace.
    respond(cat, "stage_1", {defaults.SATISFACTION: 3, defaults.RELEVANCE: 3,
                             defaults.KNOWLEDGE_IMPROVED: 3,
                             defaults.DO_DIFFERENTLY: "Write things down", "pace": 1})
    # Dunstan's post rating of outcome A is lost: outcome A has 2 pairs, B still 3.
    Answer.objects.filter(response__request__booking__delegate__first_name="Dunstan",
                          response__kind=QuestionnaireKind.POST, outcome_index=0).delete()
    s = event_summary(event=event)
    assert s.stage_1_answered == 4 and s.enough_answers and s.enough_pairs
    assert [d.key for d, _ in s.distributions] == [
        defaults.SATISFACTION, defaults.RELEVANCE, defaults.KNOWLEDGE_IMPROVED]
    assert [g.outcome_index for g in s.gain_by_outcome] == [1]
    client.force_login(people["officer"])
    html = page_text(client.get(reverse("evaluations:summary-detail", args=[event.pk])))
    pdf = pdf_text(client.get(reverse("evaluations:summary-pdf", args=[event.pk])).content,
                   tmp_path)
    for text in (html, pdf):
        assert ("Fewer than 3 delegates answered “How was the pace of the day?”, so its "
                "answers are not shown") in text
        assert "Too slow" not in text
        assert ("Fewer than 3 delegates rated “Recognise the signs of neglect” before and "
                "after the course, so it is not shown") in text
        assert "Mean 3.75 out of 5" in text  # relevance 3, 4, 5, 3: four answered
        assert "Share information lawfully" in text


# 3. Pairs only of the same outcome --------------------------------------------------------------

def test_reordered_outcomes_make_no_pair():
    pre = [R(delegate="ann", outcome_index=0, value=2, scale_max=5, outcome_text="Neglect"),
           R(delegate="ann", outcome_index=1, value=4, scale_max=5, outcome_text="Sharing")]
    post = [R(delegate="ann", outcome_index=0, value=5, scale_max=5, outcome_text="Sharing"),
            R(delegate="ann", outcome_index=1, value=3, scale_max=5, outcome_text="Neglect"),
            ]
    assert scores.pairs_make(pre, post) == []
    same = [R(delegate="ann", outcome_index=0, value=5, scale_max=5, outcome_text="Neglect")]
    assert [(p.pre, p.post) for p in scores.pairs_make(pre, same)] == [(2, 5)]


def test_summary_does_not_pair_outcomes_an_officer_reordered(people):
    event = build_event(people)
    # Ann's post answers were given after the outcomes were swapped round.
    for a in Answer.objects.filter(response__request__booking__delegate__first_name="Annunziata",
                                   response__kind=QuestionnaireKind.POST):
        a.outcome_text = OUTCOMES[1 - OUTCOMES.index(a.outcome_text)]
        a.save(update_fields=["outcome_text"])
    s = event_summary(event=event)
    assert s.gain.delegates == 2 and s.gain.pairs == 4  # Bob and Dan only
