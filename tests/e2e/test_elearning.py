"""A delegate takes the child exploitation e-learning before the level 3 course (DDSCP's
pathway): fails the knowledge check once, passes, and the level 3 course no longer says the
prerequisite is missing. axe-core finds nothing on the module, the knowledge check with its
errors, and the resources page."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from courses.models import Choice, Format, Level, Question
from resources.models import Resource
from tests.factories import PASSWORD, CategoryFactory, CourseFactory, UserFactory

from .steps import expect_path, sign_in

pytestmark = pytest.mark.e2e

axe = Axe()

QUESTIONS = [
    ("Can a child consent to their own exploitation?",
     ["Yes, once they are 16", "No: it is always abuse", "Only if they are paid"], 1),
    ("What is county lines?",
     ["A bus route", "Gangs using children to move drugs", "A county boundary"], 1),
    ("Which could be a sign of exploitation?",
     ["Unexplained money or a second phone", "Joining a sports team", "Doing homework"], 0),
    ("Who do you tell first about a concern?",
     ["Nobody", "The child's friends", "Your designated safeguarding lead"], 2),
]


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report()
    )


def screenshot(page, name):
    """Keep a picture of the page when SCREENSHOT_DIR is set (to look at what was built)."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def pathway(transactional_db):
    module = CourseFactory(
        title="Child Exploitation", format=Format.E_LEARNING, level=Level.LEVEL_1, pass_mark=75,
        summary="An introduction to child exploitation, to complete before the level 3 course.",
        learning_outcomes=["Define child sexual and criminal exploitation",
                           "Recognise the signs that a child is being exploited"],
        module_content="Child exploitation is a form of child abuse.\n\n"
                       "A child cannot consent to their own exploitation.",
    )
    for position, (text, choices, correct) in enumerate(QUESTIONS, start=1):
        question = Question.objects.create(course=module, text=text, position=position)
        for index, choice in enumerate(choices):
            Choice.objects.create(question=question, text=choice, correct=index == correct,
                                  position=index)
    level3 = CourseFactory(title="Child Exploitation: Multi-Agency Response",
                           format=Format.CLASSROOM, level=Level.LEVEL_3)
    level3.prerequisites.add(module)
    return module, level3


def answer(page, answers):
    """Choose, for each question in order, the choice at the given index."""
    form = page.locator("main form")
    for (text, choices, _), index in zip(QUESTIONS, answers, strict=True):
        group = form.get_by_role("group", name=re.compile(re.escape(text)))
        group.get_by_label(choices[index], exact=True).check()


def test_a_delegate_fails_then_passes_the_e_learning_and_can_book_the_level_3_course(
        page, pathway):
    module, level3 = pathway
    delegate = UserFactory(email="dana@example.org")
    sign_in(page, delegate.email, PASSWORD)

    page.goto(f"/courses/{level3.slug}/")
    main = page.locator("main")
    expect(main).to_contain_text("You have not completed what this course requires yet.")
    main.get_by_role("link", name="Child Exploitation", exact=True).click()
    page.locator("main").get_by_role("link", name="Start the e-learning module").click()

    expect_path(page, f"/courses/{module.slug}/e-learning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Child Exploitation")
    expect(page.locator("main")).to_contain_text("A child cannot consent to their own")
    assert_no_violations(page)
    screenshot(page, "elearning-module")

    page.locator("main").get_by_role("link", name="Start the knowledge check").click()
    expect_path(page, f"/courses/{module.slug}/e-learning/check/")
    # Two answered, two forgotten: both are listed, the two answers are kept.
    form = page.locator("main form")
    form.get_by_role("group", name=re.compile("county lines")).get_by_label(
        QUESTIONS[1][1][1], exact=True).check()
    form.get_by_role("group", name=re.compile("sign of exploitation")).get_by_label(
        QUESTIONS[2][1][0], exact=True).check()
    form.get_by_role("button", name="Submit your answers").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link", name="Choose an answer to question 1")).to_be_visible()
    expect(summary.get_by_role("link", name="Choose an answer to question 4")).to_be_visible()
    expect(page.get_by_label(QUESTIONS[1][1][1], exact=True)).to_be_checked()
    expect(page.get_by_label(QUESTIONS[2][1][0], exact=True)).to_be_checked()
    assert_no_violations(page)
    screenshot(page, "knowledge-check-errors")

    # Two of four wrong: 50%, the pass mark is 75%.
    answer(page, [0, 1, 0, 0])
    page.locator("main form").get_by_role("button", name="Submit your answers").click()
    expect_path(page, f"/courses/{module.slug}/e-learning/result/")
    main = page.locator("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have not passed yet")
    expect(main).to_contain_text("50%")
    expect(main).to_contain_text("75%")
    expect(main).to_contain_text(QUESTIONS[0][0])
    expect(main).not_to_contain_text(QUESTIONS[0][1][1])  # the right answer is not given away
    screenshot(page, "knowledge-check-failed")

    main.get_by_role("link", name="Try the knowledge check again").click()
    answer(page, [1, 1, 0, 2])
    page.locator("main form").get_by_role("button", name="Submit your answers").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You passed the knowledge check")
    main = page.locator("main")
    expect(main).to_contain_text("Your training record now shows “Child Exploitation”")
    screenshot(page, "knowledge-check-passed")

    main.get_by_role("link", name="Child Exploitation: Multi-Agency Response").click()
    expect_path(page, f"/courses/{level3.slug}/")
    main = page.locator("main")
    expect(main).to_contain_text("You have completed what this course requires first.")
    expect(main).not_to_contain_text("You have not completed what this course requires yet.")

    page.goto("/courses/my-record/")
    expect(page.locator("main table")).to_contain_text("Child Exploitation")
    screenshot(page, "training-record")


def test_the_resources_page_has_no_axe_violations(page, transactional_db):
    risks = CategoryFactory(name="Understanding Safeguarding Risks")
    Resource.objects.create(title="Spotting the signs of child exploitation",
                            kind=Resource.Kind.LEAFLET, category=risks,
                            url="https://example.org/leaflet",
                            description="Two pages on the signs and who to call.")
    Resource.objects.create(title="Safeguarding Adult Review 'Adult A': executive summary",
                            kind=Resource.Kind.REVIEW_SUMMARY, url="https://example.org/sar",
                            public=False)

    page.goto("/courses/resources/")
    main = page.locator("main")
    expect(main).to_contain_text("Spotting the signs of child exploitation")
    expect(main).not_to_contain_text("Adult A")
    assert_no_violations(page)

    delegate = UserFactory(email="sam@example.org")
    sign_in(page, delegate.email, PASSWORD)
    page.goto("/courses/resources/")
    expect(page.locator("main")).to_contain_text("Adult A")
    page.locator("main").get_by_label("Type of resource").select_option(
        label="Case review executive summary")
    page.locator("main").get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("1 resource matches your filters")
    expect(page.locator("main")).not_to_contain_text("Spotting the signs")
    assert_no_violations(page)
    screenshot(page, "resources")
