"""The answering page (evaluations:request-answer) and response_submit: a delegate answers the
questionnaires one request holds, once; bad input is refused with a clear message and nothing
is saved; nobody reaches another person's request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.exceptions import DomainError
from core.models import AuditEntry
from evaluations import defaults
from evaluations.models import (
    Answer,
    EvaluationRequest,
    QuestionnaireKind,
    RequestKind,
    Response,
)
from evaluations.selectors.questionnaires import questionnaire_version_for
from evaluations.services.responses import ALREADY_ANSWERED, response_submit
from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

OUTCOMES = ["Recognise the signs of neglect", "Share a concern with the right agency"]


def make_request(kind=RequestKind.STAGE_1, *, user=None, event=None, **fields):
    now = timezone.now()
    if event is None:
        start = now - timedelta(days=2) if kind != RequestKind.PRE else now + timedelta(days=20)
        event = EventFactory(course=CourseFactory(learning_outcomes=OUTCOMES), start=start)
    user = user or UserFactory(roles=[Role.DELEGATE])
    booking = None
    if kind != RequestKind.FACILITATOR:
        booking = BookingFactory(event=event, delegate=user,
                                 status="attended" if kind != RequestKind.PRE else "booked")
    values = {"due_at": now - timedelta(hours=1), "requested_at": now - timedelta(hours=1)}
    values.update(fields)
    return EvaluationRequest.objects.create(kind=kind, user=user, course=event.course,
                                            event=event, booking=booking, **values)


def q(version, key):
    return next(question for question in version.questions.all() if question.key == key)


def stage_1_answers(request, **overrides):
    """A complete, valid POST for a Stage 1 request (post-course questionnaire + Stage 1)."""
    post = questionnaire_version_for(kind=QuestionnaireKind.POST, course=request.course)
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    outcomes = q(post, defaults.OUTCOMES)
    data = {
        "post-version_id": str(post.pk),
        f"post-q{outcomes.pk}-o0": "4",
        f"post-q{outcomes.pk}-o1": "5",
        "stage_1-version_id": str(stage_1.pk),
        f"stage_1-q{q(stage_1, defaults.SATISFACTION).pk}": "5",
        f"stage_1-q{q(stage_1, defaults.RELEVANCE).pk}": "4",
        f"stage_1-q{q(stage_1, defaults.KNOWLEDGE_IMPROVED).pk}": "3",
        f"stage_1-q{q(stage_1, defaults.DO_DIFFERENTLY).pk}": "Ask the child what they think.",
        f"stage_1-q{q(stage_1, defaults.COMMENTS).pk}": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    return (Response.objects.count(), Answer.objects.count(),
            EvaluationRequest.objects.filter(completed_at__isnull=False).count(),
            EvaluationRequest.objects.count())


def url(request):
    return reverse("evaluations:request-answer", kwargs={"uid": request.uid})


# The page shows what the request holds --------------------------------------------------------

def test_a_stage_1_request_shows_the_post_course_questionnaire_and_stage_1(client):
    request = make_request()
    client.force_login(request.user)
    page = client.get(url(request)).content.decode()
    assert "Post-course questionnaire" in page and "Stage 1 evaluation" in page
    # One rating per learning outcome, in a fieldset whose legend is the outcome.
    for outcome in OUTCOMES:
        assert f'<legend class="rating-outcome-legend">{outcome}</legend>' in page
    assert "1 is not at all confident; 5 is very confident." in page
    assert "Overall, how satisfied were you with the course?" in page
    assert "Any other comments on the course (optional)" in page


def test_the_pre_and_post_questionnaires_use_the_same_outcomes_and_scale(client):
    pre = questionnaire_version_for(kind=QuestionnaireKind.PRE, course=None)
    post = questionnaire_version_for(kind=QuestionnaireKind.POST, course=None)
    a, b = q(pre, defaults.OUTCOMES), q(post, defaults.OUTCOMES)
    assert (a.scale_max, a.scale_min_label, a.scale_max_label) == (
        b.scale_max, b.scale_min_label, b.scale_max_label)


def test_a_delegate_answers_stage_1_and_is_told_what_happens_next(client):
    request = make_request()
    client.force_login(request.user)
    response = client.post(url(request), stage_1_answers(request), follow=True)
    page = response.content.decode()
    assert "Thank you: your answers are saved." in page
    assert "What happens next" in page and "Stage 2 evaluation" in page
    request.refresh_from_db()
    assert request.completed_at is not None
    by_kind = {r.kind: r for r in Response.objects.filter(request=request)}
    assert set(by_kind) == {"post", "stage_1"}
    outcome_answers = list(by_kind["post"].answers.order_by("outcome_index"))
    assert [(a.outcome_index, a.outcome_text, a.value_int) for a in outcome_answers] == [
        (0, OUTCOMES[0], 4), (1, OUTCOMES[1], 5)]
    stage_1 = {a.question.key: a for a in by_kind["stage_1"].answers.select_related("question")}
    assert stage_1[defaults.SATISFACTION].value_int == 5
    assert stage_1[defaults.DO_DIFFERENTLY].value_text == "Ask the child what they think."
    assert defaults.COMMENTS not in stage_1  # optional, left empty: no answer row
    # The Stage 2 request follows (E1's request_complete), and the audit names no answer.
    assert EvaluationRequest.objects.filter(kind=RequestKind.STAGE_2, user=request.user).exists()
    entry = AuditEntry.objects.get(action="evaluations.request_answered")
    assert "Ask the child" not in str(entry.details)


def test_a_facilitator_answers_their_own_feedback(client, make_user):
    facilitator = make_user(Role.FACILITATOR)
    request = make_request(RequestKind.FACILITATOR, user=facilitator)
    version = questionnaire_version_for(kind=QuestionnaireKind.FACILITATOR, course=request.course)
    client.force_login(facilitator)
    data = {"facilitator-version_id": str(version.pk)}
    for key in defaults.FACILITATOR_RATING_KEYS:
        data[f"facilitator-q{q(version, key).pk}"] = "4"
    response = client.post(url(request), data)
    assert response.status_code == 302
    assert Response.objects.get(request=request).answers.count() == 3


# Bad input: refused with a clear message, nothing saved ---------------------------------------

BAD_RATINGS = [("0", "Choose a number from 1 to 5."), ("6", "Choose a number from 1 to 5."),
               ("abc", "Choose a number from 1 to 5."), ("-1", "Choose a number from 1 to 5."),
               ("9" * 30, "Choose a number from 1 to 5.")]


@pytest.mark.parametrize("value, message", BAD_RATINGS, ids=["0", "6", "abc", "-1", "huge"])
def test_an_out_of_range_rating_is_refused_and_nothing_is_saved(client, value, message):
    request = make_request()
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    client.force_login(request.user)
    before = counts()
    name = f"stage_1-q{q(stage_1, defaults.SATISFACTION).pk}"
    response = client.post(url(request), stage_1_answers(request, **{name: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert f'href="#id_{name}_0"' in page  # the summary links to the radio group
    assert counts() == before


def test_eleven_on_a_1_to_10_scale_is_refused(client, make_user):
    officer = make_user(Role.OFFICER)
    from evaluations.selectors.questionnaires import questionnaire_default_version
    from evaluations.services.questionnaires import (
        questionnaire_version_save,
        version_questions,
    )

    stage_1 = questionnaire_default_version(kind=QuestionnaireKind.STAGE_1)
    questions = version_questions(stage_1)
    questions[0]["scale_max"] = 10
    questionnaire_version_save(questionnaire=stage_1.questionnaire, title=stage_1.title,
                               introduction="", questions=questions, by=officer,
                               now=timezone.now())
    request = make_request()
    new = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    name = f"stage_1-q{q(new, defaults.SATISFACTION).pk}"
    client.force_login(request.user)
    before = counts()
    for value, ok in (("11", False), ("10", True)):
        data = stage_1_answers(request, **{name: value})
        response = client.post(url(request), data)
        if not ok:
            assert "Choose a number from 1 to 10." in response.content.decode()
            assert counts() == before
    assert Answer.objects.get(question__key=defaults.SATISFACTION).value_int == 10


def test_missing_required_answers_are_each_named(client):
    request = make_request()
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    post = questionnaire_version_for(kind=QuestionnaireKind.POST, course=request.course)
    satisfaction = f"stage_1-q{q(stage_1, defaults.SATISFACTION).pk}"
    text = f"stage_1-q{q(stage_1, defaults.DO_DIFFERENTLY).pk}"
    outcome = f"post-q{q(post, defaults.OUTCOMES).pk}-o1"
    client.force_login(request.user)
    before = counts()
    response = client.post(url(request), stage_1_answers(
        request, **{satisfaction: None, text: "   ", outcome: None}))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Overall, how satisfied were you with the course? Choose a number from 1 to 5." in page
    assert "What will you do differently in your practice after the course? Enter your answer." \
        in page
    assert f"{OUTCOMES[1]}: Choose a number from 1 to 5." in page
    assert counts() == before


def test_a_tampered_question_id_is_refused(client):
    request = make_request()
    client.force_login(request.user)
    before = counts()
    # The page's form ignores a field it did not offer, and the answer it needs is missing.
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    real = f"stage_1-q{q(stage_1, defaults.SATISFACTION).pk}"
    data = stage_1_answers(request, **{real: None, "stage_1-q999999": "5"})
    response = client.post(url(request), data)
    assert "Choose a number from 1 to 5." in response.content.decode()
    assert counts() == before
    # The service itself refuses an extra field that is no question of the version.
    with pytest.raises(DomainError, match="do not match the questions"):
        response_submit(request=request, user=request.user, now=timezone.now(),
                        data=stage_1_answers(request, **{"stage_1-q999999": "5"}))
    assert counts() == before


def test_a_question_of_another_version_is_refused(client):
    request = make_request()
    pre = questionnaire_version_for(kind=QuestionnaireKind.PRE, course=request.course)
    foreign = f"stage_1-q{q(pre, defaults.OUTCOMES).pk}"
    before = counts()
    with pytest.raises(DomainError, match="do not match the questions"):
        response_submit(request=request, user=request.user, now=timezone.now(),
                        data=stage_1_answers(request, **{foreign: "3"}))
    # A version id of another questionnaire is refused too.
    with pytest.raises(DomainError, match="changed since the page was opened"):
        response_submit(request=request, user=request.user, now=timezone.now(),
                        data=stage_1_answers(request, **{"stage_1-version_id": str(pre.pk)}))
    assert counts() == before


def test_an_unknown_choice_is_refused_by_the_service(make_user):
    officer = make_user(Role.OFFICER)
    from evaluations.selectors.questionnaires import questionnaire_default_version
    from evaluations.services.questionnaires import (
        questionnaire_version_save,
        version_questions,
    )

    stage_2 = questionnaire_default_version(kind=QuestionnaireKind.STAGE_2)
    questions = version_questions(stage_2) + [{
        "key": "who_benefited", "text": "Who has benefited?", "help_text": "",
        "type": "multiple", "required": True, "scale_max": None, "scale_min_label": "",
        "scale_max_label": "", "choices": ["Children", "Adults", "Families"]}]
    questionnaire_version_save(questionnaire=stage_2.questionnaire, title=stage_2.title,
                               introduction="", questions=questions, by=officer,
                               now=timezone.now())
    request = make_request(RequestKind.STAGE_2)
    version = questionnaire_version_for(kind=QuestionnaireKind.STAGE_2, course=request.course)
    data = {"stage_2-version_id": str(version.pk),
            f"stage_2-q{q(version, defaults.IMPACT_PRACTICE).pk}": "3",
            f"stage_2-q{q(version, defaults.IMPACT_OUTCOMES).pk}": "4",
            f"stage_2-q{q(version, defaults.EXAMPLES).pk}": "I escalated a concern sooner."}
    name = f"stage_2-q{q(version, 'who_benefited').pk}"
    with pytest.raises(DomainError, match="Choose only among the answers offered"):
        response_submit(request=request, user=request.user, now=timezone.now(),
                        data={**data, name: ["1", "7"]})
    assert not Response.objects.exists()
    response_submit(request=request, user=request.user, now=timezone.now(),
                    data={**data, name: ["3", "1"]})
    answer = Answer.objects.get(question__key="who_benefited")
    assert answer.value_choices == ["Children", "Families"]


def test_a_second_submission_is_refused_and_the_first_answers_kept(client):
    request = make_request()
    client.force_login(request.user)
    client.post(url(request), stage_1_answers(request))
    first = list(Answer.objects.order_by("pk").values_list("pk", "value_int", "value_text"))
    before = counts()
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    changed = stage_1_answers(request, **{
        f"stage_1-q{q(stage_1, defaults.SATISFACTION).pk}": "1"})
    response = client.post(url(request), changed)
    assert response.status_code == 200
    assert "You have already answered this questionnaire" in response.content.decode()
    assert counts() == before
    assert list(Answer.objects.order_by("pk").values_list("pk", "value_int", "value_text")) \
        == first
    with pytest.raises(DomainError, match="already answered"):
        response_submit(request=request, user=request.user, data=changed, now=timezone.now())


def test_another_persons_request_is_not_found_and_untouched(client, make_user):
    request = make_request()
    someone_else = UserFactory(roles=[Role.DELEGATE])
    before = counts()
    for person in (someone_else, make_user(Role.OFFICER), make_user(Role.FACILITATOR)):
        client.force_login(person)
        assert client.get(url(request)).status_code == 404
        assert client.post(url(request), stage_1_answers(request)).status_code == 404
    assert counts() == before
    with pytest.raises(DomainError, match="not yours"):
        response_submit(request=request, user=someone_else, data=stage_1_answers(request),
                        now=timezone.now())
    assert counts() == before


def test_the_page_asks_to_sign_in_first(client):
    request = make_request()
    response = client.get(url(request))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("fields, message", [
    ({"withdrawn_at": timezone.now()}, "no longer needed"),
    ({"requested_at": None, "due_at": timezone.now() + timedelta(days=3)}, "not open yet"),
], ids=["withdrawn", "not-yet-due"])
def test_a_withdrawn_or_not_yet_open_request_cannot_be_answered(client, fields, message):
    request = make_request(**fields)
    client.force_login(request.user)
    before = counts()
    assert message in client.get(url(request)).content.decode()
    response = client.post(url(request), stage_1_answers(request))
    assert message in response.content.decode()
    assert counts() == before


def test_the_pre_course_questionnaire_closes_when_the_course_begins(client):
    event = EventFactory(course=CourseFactory(learning_outcomes=OUTCOMES),
                         start=timezone.now() - timedelta(hours=1))
    request = make_request(RequestKind.PRE, event=event)
    client.force_login(request.user)
    assert "closed when the course began" in client.get(url(request)).content.decode()


def test_answers_keep_their_version_when_the_questionnaire_is_edited(client, make_user):
    request = make_request()
    client.force_login(request.user)
    client.post(url(request), stage_1_answers(request))
    answered = Response.objects.get(request=request, kind="stage_1")
    old_version = answered.version
    old_texts = {a.question.key: a.question.text for a in answered.answers.all()}
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    from evaluations.services.questionnaires import version_questions

    questions = version_questions(old_version)
    questions[0]["text"] = "How would you rate the course overall?"
    from evaluations.services.questionnaires import questionnaire_version_save

    questionnaire_version_save(questionnaire=old_version.questionnaire, title="Stage 1",
                               introduction="", questions=questions, by=officer,
                               now=timezone.now())
    answered.refresh_from_db()
    assert answered.version == old_version
    assert {a.question.key: a.question.text for a in answered.answers.all()} == old_texts
    # The next delegate is asked the new words.
    assert q(questionnaire_version_for(kind="stage_1", course=request.course),
             defaults.SATISFACTION).text == "How would you rate the course overall?"


def test_the_answering_page_runs_a_bounded_number_of_queries(client,
                                                             django_assert_max_num_queries):
    request = make_request()
    questionnaire_version_for(kind="post", course=None)  # the defaults exist
    client.force_login(request.user)
    with django_assert_max_num_queries(16):
        assert client.get(url(request)).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.post(url(request), {}).status_code == 200  # errors shown


def test_answers_to_a_version_replaced_while_the_page_was_open_are_asked_again(client,
                                                                               make_user):
    request = make_request()
    old_answers = stage_1_answers(request)  # the page as it was opened
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    from evaluations.services.questionnaires import (
        questionnaire_version_save,
        version_questions,
    )

    questionnaire_version_save(questionnaire=stage_1.questionnaire, title="Stage 1",
                               introduction="", questions=version_questions(stage_1),
                               by=make_user(Role.OFFICER), now=timezone.now())
    client.force_login(request.user)
    before = counts()
    response = client.post(url(request), old_answers)
    assert "This questionnaire has changed since the page was opened" in \
        response.content.decode()
    assert counts() == before
    with pytest.raises(DomainError, match="changed since the page was opened"):
        response_submit(request=request, user=request.user, data=old_answers,
                        now=timezone.now())
    assert counts() == before


def test_a_null_character_in_a_text_answer_is_refused_by_the_service():
    request = make_request()
    stage_1 = questionnaire_version_for(kind=QuestionnaireKind.STAGE_1, course=request.course)
    name = f"stage_1-q{q(stage_1, defaults.DO_DIFFERENTLY).pk}"
    with pytest.raises(DomainError, match="null characters"):
        response_submit(request=request, user=request.user, now=timezone.now(),
                        data=stage_1_answers(request, **{name: "a\x00b"}))
    assert not Response.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_the_same_moment_save_one_set_of_answers():
    """The request row is locked: the second waits, then finds it answered."""
    import threading

    from django.db import connection

    request = make_request()
    data = stage_1_answers(request)
    barrier, outcomes = threading.Barrier(2), []

    def submit():
        try:
            barrier.wait()
            response_submit(request=request, user=request.user, data=data, now=timezone.now())
            outcomes.append("saved")
        except DomainError as error:
            outcomes.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == sorted(["saved", ALREADY_ANSWERED])
    assert Response.objects.filter(request=request).count() == 2  # post + Stage 1, once


def test_choice_questions_are_radio_and_check_box_groups_with_a_legend(client, make_user):
    from evaluations.selectors.questionnaires import questionnaire_default_version
    from evaluations.services.questionnaires import (
        questionnaire_version_save,
        version_questions,
    )

    stage_2 = questionnaire_default_version(kind=QuestionnaireKind.STAGE_2)
    extra = {"help_text": "", "required": False, "scale_max": None, "scale_min_label": "",
             "scale_max_label": ""}
    questionnaire_version_save(
        questionnaire=stage_2.questionnaire, title=stage_2.title, introduction="",
        questions=version_questions(stage_2) + [
            {**extra, "key": "setting", "text": "Where do you work?", "type": "single",
             "choices": ["A school", "A hospital"]},
            {**extra, "key": "who", "text": "Who has benefited?", "type": "multiple",
             "choices": ["Children", "Adults"]}],
        by=make_user(Role.OFFICER), now=timezone.now())
    request = make_request(RequestKind.STAGE_2)
    version = questionnaire_version_for(kind=QuestionnaireKind.STAGE_2, course=request.course)
    client.force_login(request.user)
    page = client.get(url(request)).content.decode()
    single, multiple = q(version, "setting"), q(version, "who")
    assert '<legend class="question-legend">Where do you work? (optional)</legend>' in page
    assert page.count(f'type="radio" name="stage_2-q{single.pk}"') == 2
    assert '<legend class="question-legend">Who has benefited? (optional)</legend>' in page
    assert page.count(f'type="checkbox" name="stage_2-q{multiple.pk}"') == 2
    client.post(url(request), {
        "stage_2-version_id": version.pk, f"stage_2-q{single.pk}": "2",
        f"stage_2-q{multiple.pk}": ["1", "2"],
        f"stage_2-q{q(version, defaults.IMPACT_PRACTICE).pk}": "4",
        f"stage_2-q{q(version, defaults.IMPACT_OUTCOMES).pk}": "4",
        f"stage_2-q{q(version, defaults.EXAMPLES).pk}": "Earlier help for a family."})
    answers = {a.question.key: a for a in Answer.objects.select_related("question")}
    assert answers["setting"].value_choices == ["A hospital"]
    assert answers["who"].value_choices == ["Children", "Adults"]


def test_a_course_without_learning_outcomes_is_rated_as_a_whole(client):
    event = EventFactory(course=CourseFactory(title="Domestic abuse awareness",
                                              learning_outcomes=[]),
                         start=timezone.now() + timedelta(days=10))
    request = make_request(RequestKind.PRE, event=event)
    client.force_login(request.user)
    page = client.get(url(request)).content.decode()
    assert '<legend class="rating-outcome-legend">Domestic abuse awareness</legend>' in page
