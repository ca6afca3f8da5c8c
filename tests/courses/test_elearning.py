"""E-learning modules and their knowledge checks, the prerequisite rule they unlock (DDSCP: "e-
learning modules, designed for delegates to complete before attending level 3 courses") and
the delegate's training record (DSPP: refreshed every three years)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses import selectors, services
from courses.models import (
    Choice,
    Completion,
    CourseStatus,
    Format,
    KnowledgeCheckAttempt,
    Level,
    Question,
)
from courses.policies import completion_renews
from tests.factories import CourseFactory, UserFactory

LONDON_NOW = timezone.make_aware(datetime(2026, 3, 10, 14, 0))


def add_question(course, text, choices, correct, position=0):
    """A question with its choices; `correct` is the index of the right one."""
    question = Question.objects.create(course=course, text=text, position=position)
    for i, choice in enumerate(choices):
        Choice.objects.create(question=question, text=choice, correct=(i == correct), position=i)
    return question


@pytest.fixture
def module(db):
    """The child exploitation e-learning: four questions, pass mark 75%."""
    course = CourseFactory(
        title="Child Exploitation", format=Format.E_LEARNING, level=Level.LEVEL_1, pass_mark=75,
        module_content="Child exploitation is abuse.\n\nIt can happen online or in person.",
    )
    add_question(course, "Can a child consent to their own exploitation?",
                 ["Yes, if they are over 16", "No: it is always abuse", "Only if paid"], 1, 1)
    add_question(course, "What is county lines?",
                 ["A bus route", "Gangs using children to move drugs", "A postcode area"], 1, 2)
    add_question(course, "Which is a sign of exploitation?",
                 ["Unexplained gifts or money", "Good attendance", "A new hobby club"], 0, 3)
    add_question(course, "Who should you tell about a concern?",
                 ["Nobody", "The child's friends", "Your designated safeguarding lead"], 2, 4)
    return course


@pytest.fixture
def level3(module):
    course = CourseFactory(title="Child Exploitation: Multi-Agency Response",
                           format=Format.CLASSROOM, level=Level.LEVEL_3)
    course.prerequisites.add(module)
    return course


def right_answers(course):
    return {q.pk: q.choices.get(correct=True).pk for q in course.questions.all()}


def wrong_answer(question):
    return question.choices.filter(correct=False).first().pk


def answers_with_wrong(course, how_many):
    answers = right_answers(course)
    for question in list(course.questions.order_by("position"))[:how_many]:
        answers[question.pk] = wrong_answer(question)
    return answers


def post_data(answers):
    return {f"question_{qid}": str(cid) for qid, cid in answers.items()}


# The rule for a new line in the training record (pure) ----------------------------------------

@pytest.mark.parametrize(
    "today, renews",
    [
        (date(2026, 3, 10), False),   # passed again the same day
        (date(2026, 3, 11), False),   # the next day: the training is current
        (date(2029, 2, 7), False),    # 31 days before it falls due: not yet in the reminder window
        (date(2029, 2, 8), True),     # 30 days before: the delegate was reminded, refreshes now
        (date(2029, 3, 10), True),    # due again
        (date(2030, 1, 1), True),     # overdue
    ],
    ids=["same-day", "next-day", "31-days-before-due", "30-days-before-due", "due-day", "overdue"],
)
def test_a_pass_renews_the_record_only_when_the_training_is_due_again(today, renews):
    assert completion_renews(last_completed_on=date(2026, 3, 10), today=today, years=3,
                             reminder_days=30) is renews


# The service ---------------------------------------------------------------------------------

def test_a_pass_adds_the_module_to_the_training_record_once_and_audits_it(module):
    delegate = UserFactory()
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: the record says 1 July.
    now = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)

    outcome = services.knowledge_check_submit(user=delegate, course=module,
                                              answers=right_answers(module), now=now)

    assert outcome.completion_added
    completion = Completion.objects.get(user=delegate, course=module)
    assert (completion.source, completion.completed_on, completion.score) == (
        Completion.Source.E_LEARNING, date(2026, 7, 1), 100)
    attempt = KnowledgeCheckAttempt.objects.get(user=delegate)
    assert attempt.passed and attempt.score == 100
    entry = AuditEntry.objects.get(action="completion.e_learning")
    assert entry.actor == delegate and entry.details["score"] == 100

    again = services.knowledge_check_submit(user=delegate, course=module,
                                            answers=right_answers(module),
                                            now=now + timedelta(hours=2))
    assert not again.completion_added and again.completion == completion
    assert Completion.objects.filter(user=delegate, course=module).count() == 1
    assert KnowledgeCheckAttempt.objects.filter(user=delegate).count() == 2


def test_a_fail_is_kept_as_an_attempt_but_adds_nothing_to_the_record(module):
    delegate = UserFactory()

    outcome = services.knowledge_check_submit(user=delegate, course=module,
                                              answers=answers_with_wrong(module, 2),
                                              now=LONDON_NOW)

    assert outcome.completion is None
    attempt = KnowledgeCheckAttempt.objects.get(user=delegate)
    assert (attempt.score, attempt.passed) == (50, False)
    assert sum(1 for a in attempt.answers.values() if not a["correct"]) == 2
    assert not Completion.objects.exists()
    assert not AuditEntry.objects.filter(action="completion.e_learning").exists()


def test_the_pass_mark_is_inclusive(module):
    # 3 of 4 right is 75%, the pass mark.
    outcome = services.knowledge_check_submit(user=UserFactory(), course=module,
                                              answers=answers_with_wrong(module, 1),
                                              now=LONDON_NOW)
    assert outcome.attempt.score == 75 and outcome.attempt.passed


def test_a_pass_after_the_refresher_period_adds_a_new_line(module):
    delegate = UserFactory()
    services.knowledge_check_submit(user=delegate, course=module, answers=right_answers(module),
                                    now=LONDON_NOW)
    a_year_on = services.knowledge_check_submit(user=delegate, course=module,
                                                answers=right_answers(module),
                                                now=LONDON_NOW + timedelta(days=365))
    three_years_on = services.knowledge_check_submit(
        user=delegate, course=module, answers=right_answers(module),
        now=timezone.make_aware(datetime(2029, 3, 10, 10, 0)))

    assert not a_year_on.completion_added
    assert three_years_on.completion_added
    assert list(Completion.objects.filter(user=delegate).values_list("completed_on", flat=True)) \
        == [date(2029, 3, 10), date(2026, 3, 10)]


def test_a_courses_own_refresher_period_decides_when_it_renews(module):
    module.refresher_years = 1
    module.save()
    delegate = UserFactory()
    services.knowledge_check_submit(user=delegate, course=module, answers=right_answers(module),
                                    now=LONDON_NOW)
    outcome = services.knowledge_check_submit(user=delegate, course=module,
                                              answers=right_answers(module),
                                              now=LONDON_NOW + timedelta(days=366))
    assert outcome.completion_added


def test_an_unanswered_question_is_refused_and_nothing_recorded(module):
    answers = right_answers(module)
    second = module.questions.order_by("position")[1]
    del answers[second.pk]

    with pytest.raises(DomainError, match="Choose an answer to question 2"):
        services.knowledge_check_submit(user=UserFactory(), course=module, answers=answers,
                                        now=LONDON_NOW)
    assert not KnowledgeCheckAttempt.objects.exists()


def test_a_choice_of_another_question_does_not_count_as_an_answer(module):
    questions = list(module.questions.order_by("position"))
    answers = right_answers(module)
    answers[questions[0].pk] = answers[questions[1].pk]
    with pytest.raises(DomainError, match="question 1"):
        services.knowledge_check_submit(user=UserFactory(), course=module, answers=answers,
                                        now=LONDON_NOW)


def test_a_question_still_being_written_is_left_out_of_the_check(module):
    unfinished = Question.objects.create(course=module, text="Not finished", position=9)
    Choice.objects.create(question=unfinished, text="Only one choice", correct=True)
    two_right = add_question(module, "Two ticked", ["A", "B"], 0, position=10)
    two_right.choices.update(correct=True)

    assert list(selectors.knowledge_check_questions(course=module)) == list(
        module.questions.exclude(pk__in=[unfinished.pk, two_right.pk]).order_by("position"))
    answers = {q.pk: q.choices.get(correct=True).pk
               for q in selectors.knowledge_check_questions(course=module)}
    result = services.knowledge_check_submit(user=UserFactory(), course=module, answers=answers,
                                             now=LONDON_NOW)
    assert result.attempt.score == 100


# Prerequisites (courses.selectors.prerequisites_check_for, used by the booking service) -------

def test_a_course_without_prerequisites_can_be_booked(db):
    check = selectors.prerequisites_check_for(user=UserFactory(), course=CourseFactory())
    assert check.met and check.reason == ""


def test_a_missing_prerequisite_is_named(level3, module):
    check = selectors.prerequisites_check_for(user=UserFactory(), course=level3)
    assert not check.met
    assert check.missing == ("Child Exploitation",)
    assert check.reason == "Complete “Child Exploitation” before you book this course."


def test_a_completed_prerequisite_is_met(level3, module):
    delegate = UserFactory()
    services.knowledge_check_submit(user=delegate, course=module, answers=right_answers(module),
                                    now=LONDON_NOW)
    assert selectors.prerequisites_check_for(user=delegate, course=level3).met
    # Someone else's completion does not count for this delegate.
    assert not selectors.prerequisites_check_for(user=UserFactory(), course=level3).met


def test_with_two_prerequisites_only_the_missing_one_is_named(level3, module):
    other = CourseFactory(title="Understanding Child Sexual Exploitation",
                          format=Format.E_LEARNING)
    level3.prerequisites.add(other)
    delegate = UserFactory()
    Completion.objects.create(user=delegate, course=module, completed_on=date(2026, 1, 5),
                              source=Completion.Source.E_LEARNING)

    check = selectors.prerequisites_check_for(user=delegate, course=level3)

    assert check.missing == ("Understanding Child Sexual Exploitation",)
    assert "Understanding Child Sexual Exploitation" in check.reason
    assert "“Child Exploitation”" not in check.reason


def test_an_anonymous_visitor_has_completed_nothing(level3):
    from django.contrib.auth.models import AnonymousUser

    assert not selectors.prerequisites_check_for(user=AnonymousUser(), course=level3).met


# The pages -----------------------------------------------------------------------------------

def test_the_module_page_shows_the_content_written_on_the_site_as_paragraphs(client, module):
    module.module_content += "\n\n<script>alert(1)</script>"
    module.save()
    client.force_login(UserFactory())

    response = client.get(reverse("courses:elearning-module", args=[module.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<p>Child exploitation is abuse.</p>" in page
    assert "<p>It can happen online or in person.</p>" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "answer 4 multiple-choice questions" in page
    assert "You need 75% to pass" in page
    assert reverse("courses:elearning-check", args=[module.slug]) in page


def test_the_module_page_names_the_courses_it_must_come_before(client, module, level3):
    client.force_login(UserFactory())
    page = client.get(reverse("courses:elearning-module", args=[module.slug])).content.decode()
    assert "Complete this module, including its knowledge check, before you book:" in page
    assert (f'<a href="{reverse("courses:course-detail", args=[level3.slug])}">'
            f'{level3.title}</a> (Level 3)') in page


def test_an_external_module_opens_in_a_new_tab_and_says_so(client, module):
    module.module_url = "https://elearning.example.org/child-exploitation"
    module.module_content = ""
    module.save()
    client.force_login(UserFactory())

    page = client.get(reverse("courses:elearning-module", args=[module.slug])).content.decode()

    assert ('href="https://elearning.example.org/child-exploitation" target="_blank" '
            'rel="noopener noreferrer"') in page
    assert "(opens in a new tab)" in page
    assert "The module opens in a new tab." in page


def test_a_module_coming_soon_says_so_and_has_no_check_yet(client, module):
    module.status, module.expected = CourseStatus.COMING_SOON, "August 2027"
    module.save()
    client.force_login(UserFactory())

    page = client.get(reverse("courses:elearning-module", args=[module.slug])).content.decode()

    assert "This module is coming soon: August 2027." in page
    assert "Start the knowledge check" not in page and "Child exploitation is abuse" not in page
    assert client.get(reverse("courses:elearning-check", args=[module.slug])).status_code == 404
    assert client.get(reverse("courses:elearning-result", args=[module.slug])).status_code == 404


@pytest.mark.parametrize(
    "change", [{"format": Format.CLASSROOM}, {"active": False}],
    ids=["not-e-learning", "withdrawn"],
)
def test_only_a_live_e_learning_module_has_module_pages(client, module, change):
    for name, value in change.items():
        setattr(module, name, value)
    module.save()
    client.force_login(UserFactory())
    for page in ("courses:elearning-module", "courses:elearning-check",
                 "courses:elearning-result"):
        assert client.get(reverse(page, args=[module.slug])).status_code == 404


def test_the_knowledge_check_has_one_radio_group_per_question(client, module):
    client.force_login(UserFactory())

    response = client.get(reverse("courses:elearning-check", args=[module.slug]))

    page = response.content.decode()
    assert page.count("<fieldset") == 4
    for question in module.questions.all():
        assert f"</span>{question.text}</legend>" in page
        for choice in question.choices.all():
            assert f'id="id_question_{question.pk}_{choice.position}" value="{choice.pk}"' in page
    assert "checked" not in page


def test_unanswered_questions_are_listed_and_the_answers_given_are_kept(client, module):
    delegate = UserFactory()
    client.force_login(delegate)
    questions = list(module.questions.order_by("position"))
    answers = right_answers(module)
    del answers[questions[1].pk], answers[questions[3].pk]

    response = client.post(reverse("courses:elearning-check", args=[module.slug]),
                           post_data(answers))

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'<a href="#id_question_{questions[1].pk}_0">Choose an answer to question 2</a>' in page
    assert f'<a href="#id_question_{questions[3].pk}_0">Choose an answer to question 4</a>' in page
    assert "<title>Error: " in page
    kept = questions[0].choices.get(correct=True)
    assert f'value="{kept.pk}" checked' in page
    assert page.count(" checked") == 2
    assert not KnowledgeCheckAttempt.objects.exists()


def test_a_tampered_answer_is_a_message_not_an_error(client, module):
    client.force_login(UserFactory())
    data = post_data(right_answers(module))
    first = module.questions.order_by("position").first()
    data[f"question_{first.pk}"] = "not-a-number"

    response = client.post(reverse("courses:elearning-check", args=[module.slug]), data)

    assert response.status_code == 200
    assert "Choose one of the answers to question 1" in response.content.decode()
    assert not KnowledgeCheckAttempt.objects.exists()


def test_a_delegate_fails_then_passes_and_the_level_3_course_is_unlocked(client, module, level3):
    delegate = UserFactory()
    client.force_login(delegate)
    check_url = reverse("courses:elearning-check", args=[module.slug])
    result_url = reverse("courses:elearning-result", args=[module.slug])
    questions = list(module.questions.order_by("position"))

    response = client.post(check_url, post_data(answers_with_wrong(module, 2)))
    assert response.status_code == 302 and response["Location"] == result_url
    page = client.get(result_url).content.decode()
    assert "You have not passed yet" in page
    assert "50%" in page and "75%" in page
    assert f"<strong>Question 1:</strong> {questions[0].text}" in page
    assert f"<strong>Question 2:</strong> {questions[1].text}" in page
    assert questions[2].text not in page
    # The right answers of the questions got wrong are not given away.
    for question in questions[:2]:
        assert question.choices.get(correct=True).text not in page
    assert "Try the knowledge check again" in page
    assert not selectors.prerequisites_check_for(user=delegate, course=level3).met

    response = client.post(check_url, post_data(right_answers(module)))
    page = client.get(response["Location"]).content.decode()
    assert "You passed the knowledge check" in page
    assert "Your score: 100%" in page
    assert "Your training record now shows “Child Exploitation”" in page
    assert "You can now book" in page and level3.title in page
    assert selectors.prerequisites_check_for(user=delegate, course=level3).met


def test_the_result_page_before_any_attempt_says_so(client, module):
    client.force_login(UserFactory())
    response = client.get(reverse("courses:elearning-result", args=[module.slug]))
    assert response.status_code == 200
    assert "You have not taken this module's knowledge check yet." in response.content.decode()


def test_the_result_page_shows_only_the_delegates_own_attempt(client, module):
    someone = UserFactory()
    services.knowledge_check_submit(user=someone, course=module, answers=right_answers(module),
                                    now=LONDON_NOW)
    client.force_login(UserFactory())
    page = client.get(reverse("courses:elearning-result", args=[module.slug])).content.decode()
    assert "You passed" not in page and "not taken" in page


def test_a_module_without_questions_is_completed_by_confirming(client, db):
    module = CourseFactory(title="Introduction to Modern Slavery", format=Format.E_LEARNING,
                           module_url="https://elearning.example.org/modern-slavery")
    delegate = UserFactory()
    client.force_login(delegate)

    page = client.get(reverse("courses:elearning-check", args=[module.slug])).content.decode()
    assert "Confirm I have completed the module" in page
    response = client.post(reverse("courses:elearning-check", args=[module.slug]), {})

    assert response.status_code == 302
    assert Completion.objects.get(user=delegate, course=module).score == 100


def test_the_module_page_shows_when_the_delegate_completed_it(client, module):
    delegate = UserFactory()
    Completion.objects.create(user=delegate, course=module, completed_on=date(2025, 5, 1),
                              source=Completion.Source.E_LEARNING, score=100)
    client.force_login(delegate)
    page = client.get(reverse("courses:elearning-module", args=[module.slug])).content.decode()
    assert "You completed this module on Thursday 1 May 2025 with 100%." in page
    assert "It is due again on Monday 1 May 2028." in page


# The training record -------------------------------------------------------------------------

def test_the_training_record_gives_each_completion_its_refresher_date(db):
    partnership = Partnership.load()
    partnership.refresher_years = 2
    partnership.save()
    delegate = UserFactory()
    module = CourseFactory(title="Child Exploitation", format=Format.E_LEARNING)
    yearly = CourseFactory(title="Safer Recruitment", refresher_years=1)
    old = Completion.objects.create(user=delegate, course=module, completed_on=date(2022, 2, 1),
                                    source=Completion.Source.E_LEARNING)
    Completion.objects.create(user=delegate, course=module, completed_on=date(2024, 2, 29),
                              source=Completion.Source.E_LEARNING)
    Completion.objects.create(user=delegate, course=yearly, completed_on=date(2023, 6, 1),
                              source=Completion.Source.ATTENDANCE)
    Completion.objects.create(user=UserFactory(), course=yearly, completed_on=date(2025, 1, 1),
                              source=Completion.Source.ATTENDANCE)

    lines = list(selectors.training_record_of(user=delegate))

    assert [(line.course.title, line.completion.completed_on, line.refresher_due_on,
             line.refreshed) for line in lines] == [
        ("Child Exploitation", date(2024, 2, 29), date(2026, 2, 28), False),
        ("Safer Recruitment", date(2023, 6, 1), date(2024, 6, 1), False),
        ("Child Exploitation", date(2022, 2, 1), date(2024, 2, 1), True),
    ]
    assert old.pk == lines[2].completion.pk


def test_the_training_record_page(client, module):
    delegate = UserFactory()
    Completion.objects.create(user=delegate, course=module, completed_on=date(2020, 4, 2),
                              source=Completion.Source.E_LEARNING, score=75)
    client.force_login(delegate)

    page = client.get(reverse("courses:training-record")).content.decode()

    assert '<th scope="row">Child Exploitation' in page
    assert "2 Apr 2020" in page and "2 Apr 2023" in page
    assert "E-learning knowledge check passed (75%)" in page
    assert "Due now" in page


def test_an_empty_training_record_says_how_it_fills(client, db):
    client.force_login(UserFactory())
    page = client.get(reverse("courses:training-record")).content.decode()
    assert "Your training record is empty." in page


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_the_training_record_costs_the_same_for_one_line_or_a_full_page(client, db):
    delegate = UserFactory()
    client.force_login(delegate)
    url = reverse("courses:training-record")
    first = CourseFactory()
    Completion.objects.create(user=delegate, course=first, completed_on=date(2025, 1, 1),
                              source=Completion.Source.ATTENDANCE)
    client.get(url)  # warm the session and the partnership row
    one, _ = count_queries(client, url)
    for n in range(40):
        course = CourseFactory(refresher_years=n % 3 or None)
        Completion.objects.create(user=delegate, course=course,
                                  completed_on=date(2024, 1, 1) + timedelta(days=n),
                                  source=Completion.Source.ATTENDANCE)
    many, response = count_queries(client, url)
    assert many == one
    assert len(response.context["object_list"]) == 25
    assert response.context["paginator"].count == 41


# Officers write the questions in the admin ---------------------------------------------------

def question_admin_post(client, course, choices):
    """Post the admin's "add question" page with (text, correct) choices."""
    data = {"course": course.pk, "text": "What is county lines?", "position": 1,
            "choices-TOTAL_FORMS": len(choices), "choices-INITIAL_FORMS": 0,
            "choices-MIN_NUM_FORMS": 2, "choices-MAX_NUM_FORMS": 1000}
    for i, (text, correct) in enumerate(choices):
        data[f"choices-{i}-text"] = text
        data[f"choices-{i}-position"] = i if text else 0  # an empty row keeps its default
        if correct:
            data[f"choices-{i}-correct"] = "on"
    return client.post(reverse("admin:courses_question_add"), data)


@pytest.mark.parametrize(
    "choices, message",
    [
        ([("A bus route", False), ("Gangs moving drugs", False)],
         "Tick exactly one choice as the correct answer (0 ticked)."),
        ([("A bus route", True), ("Gangs moving drugs", True)],
         "Tick exactly one choice as the correct answer (2 ticked)."),
        ([("Gangs moving drugs", True), ("", False)],
         "A question needs at least 2 choices: write another one."),
    ],
    ids=["none-correct", "two-correct", "one-choice"],
)
def test_the_admin_refuses_a_question_that_cannot_be_marked(client, make_user, module, choices,
                                                            message):
    from accounts.roles import Role

    client.force_login(make_user(Role.OFFICER))
    before = Question.objects.count()

    response = question_admin_post(client, module, choices)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Question.objects.count() == before


def test_an_officer_adds_a_question_with_its_choices_in_the_admin(client, make_user, module):
    from accounts.roles import Role

    client.force_login(make_user(Role.OFFICER))
    response = question_admin_post(client, module, [("A bus route", False),
                                                    ("Gangs moving drugs", True),
                                                    ("A postcode", False)])

    assert response.status_code == 302
    question = Question.objects.filter(course=module).latest("id")
    assert [(c.text, c.correct) for c in question.choices.all()] == [
        ("A bus route", False), ("Gangs moving drugs", True), ("A postcode", False)]
    assert question in selectors.knowledge_check_questions(course=module)
    # The course's admin page lists its questions and whether each is in the check.
    page = client.get(reverse("admin:courses_course_change", args=[module.pk])).content.decode()
    assert "knowledge check questions" in page.lower()
    assert "In the check (3 choices)" in page
