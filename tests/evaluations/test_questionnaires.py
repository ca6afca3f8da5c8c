"""The questionnaire engine: default questionnaires, versions, courses' own questionnaires, and
the officers' pages that edit, preview, add and remove them."""

import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from core.exceptions import DomainError
from evaluations import defaults
from evaluations.models import (
    Questionnaire,
    QuestionnaireKind,
    QuestionnaireQuestion,
    QuestionnaireVersion,
    Response,
)
from evaluations.selectors.questionnaires import (
    questionnaire_default_version,
    questionnaire_version_for,
)
from evaluations.services.questionnaires import (
    questionnaire_override_create,
    questionnaire_override_remove,
    questionnaire_version_save,
    questionnaires_ensure_defaults,
    version_questions,
)
from tests.factories import CourseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def keys(version):
    return [q.key for q in version.questions.all()]


def formset_data(version, *, title=None, change=None, extra=None):
    """What the editing page posts: the version's questions as they are, with `change`
    ({index: {field: value}}) applied, and `extra` (a new question's fields) in the blank
    row."""
    questions = version_questions(version)
    rows = [*questions, extra or {}]
    data = {"title": title or version.title, "introduction": version.introduction,
            "questions-TOTAL_FORMS": str(len(rows)),
            "questions-INITIAL_FORMS": str(len(questions)),
            "questions-MIN_NUM_FORMS": "0", "questions-MAX_NUM_FORMS": "60"}
    for index, question in enumerate(rows):
        question = {**question, **(change or {}).get(index, {})}
        if not question:
            data.update({f"questions-{index}-type": "rating", f"questions-{index}-required": "on"})
            continue
        prefix = f"questions-{index}-"
        for name in ("text", "help_text", "type", "scale_min_label", "scale_max_label"):
            data[prefix + name] = question.get(name) or ""
        if question.get("key") and index >= len(questions):
            data[prefix + "key"] = question["key"]
        data[prefix + "scale_max"] = str(question.get("scale_max") or "")
        data[prefix + "choices"] = "\n".join(question.get("choices") or [])
        if question.get("required"):
            data[prefix + "required"] = "on"
        data[prefix + "ORDER"] = str(question.get("ORDER", index + 1))
        if question.get("DELETE"):
            data[prefix + "DELETE"] = "on"
    return data


# Defaults and versions -------------------------------------------------------------------------

def test_the_defaults_are_made_once_with_the_seeds_questions():
    questionnaires_ensure_defaults()
    questionnaires_ensure_defaults()
    # Pre, post, Stage 1, Stage 2, facilitator feedback and the training needs analysis.
    assert Questionnaire.objects.filter(course__isnull=True).count() == 6
    assert QuestionnaireVersion.objects.count() == 6
    stage_1 = questionnaire_default_version(kind=QuestionnaireKind.STAGE_1)
    assert keys(stage_1) == [defaults.SATISFACTION, defaults.RELEVANCE,
                             defaults.KNOWLEDGE_IMPROVED, defaults.DO_DIFFERENTLY,
                             defaults.COMMENTS]
    assert keys(questionnaire_default_version(kind="stage_2")) == [
        defaults.IMPACT_PRACTICE, defaults.IMPACT_OUTCOMES, defaults.EXAMPLES]
    assert keys(questionnaire_default_version(kind="facilitator")) == [
        defaults.SESSION_WENT, defaults.ENGAGEMENT, defaults.CONTENT, defaults.WHAT_TO_CHANGE]
    for kind in ("pre", "post"):
        [outcomes] = questionnaire_default_version(kind=kind).questions.all()
        assert (outcomes.key, outcomes.type, outcomes.scale_max) == ("outcomes", "outcomes", 5)


@pytest.mark.django_db(transaction=True)
def test_two_requests_making_the_defaults_at_once_make_them_once():
    barrier, errors = threading.Barrier(2), []

    def make():
        try:
            barrier.wait()
            questionnaires_ensure_defaults()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=make) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Questionnaire.objects.filter(course__isnull=True).count() == 6
    assert QuestionnaireVersion.objects.count() == 6


def test_a_course_with_its_own_questionnaire_is_asked_it_and_others_the_default(officer):
    course, other = CourseFactory(), CourseFactory()
    own = questionnaire_override_create(kind="stage_1", course=course, by=officer,
                                        now=timezone.now())
    questions = version_questions(own.versions.get())
    questions[0]["text"] = "How useful was this course on neglect?"
    questionnaire_version_save(questionnaire=own, title="Stage 1 (neglect)", introduction="",
                               questions=questions, by=officer, now=timezone.now())
    asked = questionnaire_version_for(kind="stage_1", course=course)
    assert (asked.questionnaire, asked.number) == (own, 2)
    assert asked.questions.first().text == "How useful was this course on neglect?"
    assert questionnaire_version_for(kind="stage_1", course=other) == \
        questionnaire_default_version(kind="stage_1")
    # Removed: the course falls back to the default.
    questionnaire_override_remove(questionnaire=own, by=officer, now=timezone.now())
    assert questionnaire_version_for(kind="stage_1", course=course) == \
        questionnaire_default_version(kind="stage_1")


def test_a_course_gets_its_own_pre_and_post_together_and_their_scales_move_together(officer):
    course = CourseFactory()
    pre = questionnaire_override_create(kind="pre", course=course, by=officer,
                                        now=timezone.now())
    post = Questionnaire.objects.get(kind="post", course=course)
    questions = version_questions(pre.versions.get())
    questions[0].update(scale_max=10, scale_min_label="Not confident",
                        scale_max_label="Completely confident")
    questionnaire_version_save(questionnaire=pre, title="Before", introduction="",
                               questions=questions, by=officer, now=timezone.now())
    post_now = questionnaire_version_for(kind="post", course=course)
    assert post_now.questionnaire == post and post_now.number == 2
    assert post_now.questions.get().scale_max == 10
    assert post_now.questions.get().scale_max_label == "Completely confident"
    # The defaults are untouched.
    assert questionnaire_default_version(kind="post").questions.get().scale_max == 5


@pytest.mark.parametrize("change, message", [
    ({"type": "rating", "scale_max": 5}, "Keep the question on confidence"),
    ({"scale_max": 7}, "1 to 5 or 1 to 10"),
    ({"scale_min_label": ""}, "Label both ends"),
], ids=["outcomes-removed", "scale-7", "unlabelled"])
def test_the_service_refuses_questions_that_break_the_rules(officer, change, message):
    pre = questionnaire_default_version(kind="pre")
    questions = version_questions(pre)
    questions[0].update(change)
    with pytest.raises(DomainError, match=message):
        questionnaire_version_save(questionnaire=pre.questionnaire, title="x", introduction="",
                                   questions=questions, by=officer, now=timezone.now())
    assert pre.questionnaire.versions.count() == 1


# The officers' pages ---------------------------------------------------------------------------

def test_an_officer_edits_adds_removes_and_reorders_questions(client, officer):
    stage_1 = questionnaire_default_version(kind="stage_1")
    client.force_login(officer)
    page = client.get(reverse("evaluations:questionnaire-update",
                              kwargs={"pk": stage_1.questionnaire.pk}))
    assert page.status_code == 200 and "Save as a new version" in page.content.decode()
    data = formset_data(stage_1, change={
        0: {"text": "How satisfied were you overall?", "ORDER": "3"},
        2: {"ORDER": "1"},
        4: {"DELETE": True},  # comments
    }, extra={"text": "Which part helped most?", "type": "single", "required": True,
              "choices": ["The case study", "The group work"], "ORDER": "6"})
    response = client.post(reverse("evaluations:questionnaire-update",
                                   kwargs={"pk": stage_1.questionnaire.pk}), data, follow=True)
    assert "Saved as version 2" in response.content.decode()
    new = questionnaire_default_version(kind="stage_1")
    assert new.number == 2
    assert keys(new) == [defaults.KNOWLEDGE_IMPROVED, defaults.RELEVANCE, defaults.SATISFACTION,
                         defaults.DO_DIFFERENTLY, "which_part_helped_most"]
    assert new.questions.get(key=defaults.SATISFACTION).text == "How satisfied were you overall?"
    assert new.questions.get(key="which_part_helped_most").choices == [
        "The case study", "The group work"]
    # Version 1 is as it was.
    assert keys(stage_1) == [defaults.SATISFACTION, defaults.RELEVANCE,
                             defaults.KNOWLEDGE_IMPROVED, defaults.DO_DIFFERENTLY,
                             defaults.COMMENTS]


def test_a_question_s_reference_cannot_be_changed_from_the_page(client, officer):
    stage_1 = questionnaire_default_version(kind="stage_1")
    client.force_login(officer)
    data = formset_data(stage_1)
    data["questions-0-key"] = "tampered"
    client.post(reverse("evaluations:questionnaire-update",
                        kwargs={"pk": stage_1.questionnaire.pk}), data)
    assert keys(questionnaire_default_version(kind="stage_1"))[0] == defaults.SATISFACTION


@pytest.mark.parametrize("change, message", [
    ({0: {"text": ""}}, "Enter the question."),
    ({0: {"scale_max": ""}}, "Choose a scale of 1 to 5 or 1 to 10."),
    ({0: {"scale_max_label": ""}}, "Label the top of the scale."),
    ({0: {"type": "single", "choices": ["Only one"]}}, "Give at least two choices"),
    ({0: {"type": "outcomes"}}, "Only the pre- and post-course questionnaires"),
    ({0: {"ORDER": "abc"}}, "Enter the position as a number."),
], ids=["no-text", "no-scale", "unlabelled", "one-choice", "outcomes-elsewhere", "order"])
def test_a_bad_edit_is_refused_on_the_page_and_saves_nothing(client, officer, change, message):
    stage_1 = questionnaire_default_version(kind="stage_1")
    client.force_login(officer)
    before = (QuestionnaireVersion.objects.count(), QuestionnaireQuestion.objects.count())
    response = client.post(reverse("evaluations:questionnaire-update",
                                   kwargs={"pk": stage_1.questionnaire.pk}),
                           formset_data(stage_1, change=change))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert (QuestionnaireVersion.objects.count(),
            QuestionnaireQuestion.objects.count()) == before


def test_removing_every_question_is_refused(client, officer):
    stage_2 = questionnaire_default_version(kind="stage_2")
    client.force_login(officer)
    data = formset_data(stage_2, change={i: {"DELETE": True} for i in range(3)})
    page = client.post(reverse("evaluations:questionnaire-update",
                               kwargs={"pk": stage_2.questionnaire.pk}), data).content.decode()
    assert "Add at least one question." in page
    assert stage_2.questionnaire.versions.count() == 1


def test_the_preview_shows_the_outcomes_of_the_chosen_course(client, officer):
    course = CourseFactory(learning_outcomes=["Spot county lines grooming",
                                              "Make a referral to the NRM"])
    pre = questionnaire_default_version(kind="pre")
    client.force_login(officer)
    url = reverse("evaluations:questionnaire-preview", kwargs={"pk": pre.questionnaire.pk})
    page = client.get(url, {"course": course.pk}).content.decode()
    assert "Spot county lines grooming" in page and "Make a referral to the NRM" in page
    assert "1 is not at all confident; 5 is very confident." in page
    assert "Send your answers" not in page  # nothing to send from a preview
    page = client.get(url, {"course": "not-a-course"}).content.decode()
    assert "Recognise the signs of abuse and neglect" in page  # the example course
    stage_1 = questionnaire_default_version(kind="stage_1")
    page = client.get(reverse("evaluations:questionnaire-preview",
                              kwargs={"pk": stage_1.questionnaire.pk})).content.decode()
    assert "Overall, how satisfied were you with the course?" in page


def test_an_officer_gives_a_course_its_own_questionnaire_and_removes_it(client, officer):
    course = CourseFactory(title="Neglect: the graded care profile")
    client.force_login(officer)
    create = reverse("evaluations:questionnaire-override-create")
    response = client.post(create, {"kind": "stage_2", "course": course.pk})
    own = Questionnaire.objects.get(kind="stage_2", course=course)
    assert response["Location"] == reverse("evaluations:questionnaire-update",
                                           kwargs={"pk": own.pk})
    assert keys(own.versions.get()) == keys(questionnaire_default_version(kind="stage_2"))
    # Twice: refused on the page.
    page = client.post(create, {"kind": "stage_2", "course": course.pk}).content.decode()
    assert "already has its own stage 2 evaluation" in page
    listing = client.get(reverse("evaluations:questionnaire-list")).content.decode()
    assert "Neglect: the graded care profile" in listing
    remove = reverse("evaluations:questionnaire-override-remove", kwargs={"pk": own.pk})
    assert client.post(remove).status_code == 302
    assert not Questionnaire.objects.filter(course=course).exists()


def test_a_course_questionnaire_delegates_answered_is_not_removed(client, officer):
    from tests.evaluations.test_answer import make_request

    request = make_request(__import__("evaluations.models").models.RequestKind.STAGE_2)
    own = questionnaire_override_create(kind="stage_2", course=request.course, by=officer,
                                        now=timezone.now())
    version = questionnaire_version_for(kind="stage_2", course=request.course)
    from evaluations.services.responses import response_submit

    response_submit(request=request, user=request.user, now=timezone.now(), data={
        "stage_2-version_id": str(version.pk),
        **{f"stage_2-q{q.pk}": ("3" if q.type == "rating" else "An example")
           for q in version.questions.all()}})
    client.force_login(officer)
    remove = reverse("evaluations:questionnaire-override-remove", kwargs={"pk": own.pk})
    assert "Use the default's questions again" in client.get(remove).content.decode()
    page = client.post(remove).content.decode()
    assert "Delegates have already answered" in page
    assert Questionnaire.objects.filter(pk=own.pk).exists()
    # Instead: the default's questions again, as a new version; the answers keep theirs.
    own_questions = version_questions(version)
    client.post(remove, {"action": "reset"})
    newest = questionnaire_version_for(kind="stage_2", course=request.course)
    assert (newest.questionnaire, newest.number) == (own, 2)
    assert version_questions(newest) == version_questions(
        questionnaire_default_version(kind="stage_2"))
    assert version_questions(version) == own_questions
    assert Response.objects.get(request=request).version == version


def test_a_default_questionnaire_cannot_be_removed(client, officer):
    default = questionnaire_default_version(kind="stage_1").questionnaire
    client.force_login(officer)
    url = reverse("evaluations:questionnaire-override-remove", kwargs={"pk": default.pk})
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Questionnaire.objects.filter(pk=default.pk).exists()


# Who may use the pages -------------------------------------------------------------------------

def _urls():
    stage_1 = questionnaire_default_version(kind="stage_1").questionnaire
    return [reverse("evaluations:questionnaire-list"),
            reverse("evaluations:questionnaire-override-create"),
            reverse("evaluations:questionnaire-update", kwargs={"pk": stage_1.pk}),
            reverse("evaluations:questionnaire-preview", kwargs={"pk": stage_1.pk})]


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.BUSINESS_SUPPORT,
                                  Role.LOD_MEMBER, Role.SAFEGUARDING_LEAD])
def test_only_officers_reach_the_questionnaire_pages(client, make_user, role):
    client.force_login(make_user(role))
    stage_1 = questionnaire_default_version(kind="stage_1")
    for url in _urls():
        assert client.get(url).status_code == 403, url
    response = client.post(_urls()[2], formset_data(stage_1, title="Hacked"))
    assert response.status_code == 403
    assert questionnaire_default_version(kind="stage_1").number == 1


def test_officers_reach_them_and_the_menu_links_them(client, officer):
    client.force_login(officer)
    for url in _urls():
        assert client.get(url).status_code == 200, url
    home = client.get(reverse("home")).content.decode()
    assert "Evaluation questionnaires" in home


def test_the_list_runs_a_bounded_number_of_queries(client, officer,
                                                   django_assert_max_num_queries):
    for _ in range(12):
        questionnaire_override_create(kind="stage_1", course=CourseFactory(), by=officer,
                                      now=timezone.now())
    client.force_login(officer)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("evaluations:questionnaire-list")).status_code == 200
    stage_1 = questionnaire_default_version(kind="stage_1")
    with django_assert_max_num_queries(14):
        client.get(reverse("evaluations:questionnaire-update",
                           kwargs={"pk": stage_1.questionnaire.pk}))


def test_the_preview_and_override_pages_run_a_bounded_number_of_queries(
        client, officer, django_assert_max_num_queries):
    for n in range(15):
        CourseFactory(learning_outcomes=[f"Outcome {n}"])
    own = questionnaire_override_create(kind="pre", course=CourseFactory(), by=officer,
                                        now=timezone.now())
    client.force_login(officer)
    for url in (reverse("evaluations:questionnaire-preview", kwargs={"pk": own.pk}),
                reverse("evaluations:questionnaire-override-remove", kwargs={"pk": own.pk}),
                reverse("evaluations:questionnaire-override-create")):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
