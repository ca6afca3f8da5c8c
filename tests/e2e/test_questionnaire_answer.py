"""In Chromium: a delegate answers a Stage 1 request, meets the error
summary first, then the confirmation; an officer edits and previews a questionnaire. axe-core
finds nothing on these pages, at 1280 and 320 pixels wide.

Screenshots go to tests/e2e/artifacts/questionnaire-*.png (QUESTIONNAIRE_SCREENSHOTS=1)."""

import os
import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from evaluations.models import EvaluationRequest, RequestKind, Response
from tests.factories import PASSWORD, BookingFactory, CourseFactory, EventFactory, UserFactory
from tests.helpers import TOTP_SECRET, totp_activate

from .conftest import ARTIFACTS
from .steps import sign_in, sign_in_with_code

pytestmark = pytest.mark.e2e

axe = Axe()
SHOTS = os.environ.get("QUESTIONNAIRE_SCREENSHOTS")


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report())


def shot(page, name):
    if not SHOTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS / f"questionnaire-{name}-{width}.png"),
                        full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_delegate_answers_stage_1_in_the_browser(page, live_server):
    delegate = UserFactory(roles=[Role.DELEGATE])
    event = EventFactory(course=CourseFactory(
        title="Working together to safeguard children",
        learning_outcomes=["Recognise the signs of neglect",
                           "Share a concern with the right agency"]),
        start=timezone.now() - timedelta(days=1))
    booking = BookingFactory(event=event, delegate=delegate, status="attended")
    now = timezone.now()
    request = EvaluationRequest.objects.create(
        kind=RequestKind.STAGE_1, user=delegate, course=event.course, event=event,
        booking=booking, due_at=now, requested_at=now)
    sign_in(page, delegate.email, PASSWORD)
    page.goto(f"/evaluations/{request.uid}/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text(
        "Post-course questionnaire and Stage 1 evaluation")
    assert_no_violations(page)
    shot(page, "answer")

    # Sent with only the first outcome rated: the summary lists what is missing.
    group = main.get_by_role("group", name="Recognise the signs of neglect")
    group.get_by_label(re.compile(r"^4$")).check()
    main.get_by_role("button", name="Send your answers").click()
    summary = main.locator(".error-summary")
    expect(summary).to_contain_text("Share a concern with the right agency: Choose a number "
                                    "from 1 to 5.")
    expect(summary).to_contain_text("Enter your answer.")
    assert_no_violations(page)
    shot(page, "answer-errors")
    summary.get_by_role("link", name=re.compile("^Overall, how satisfied")).click()
    assert page.evaluate("document.activeElement.name").startswith("stage_1-q")

    # The first rating was kept; answer the rest.
    expect(group.get_by_label(re.compile(r"^4$"))).to_be_checked()
    main.get_by_role("group", name="Share a concern with the right agency") \
        .get_by_label(re.compile(r"^5")).check()
    main.get_by_role("group", name=re.compile("^Overall, how satisfied")) \
        .get_by_label(re.compile(r"^5")).check()
    main.get_by_role("group", name=re.compile("^How relevant")) \
        .get_by_label(re.compile(r"^4$")).check()
    main.get_by_role("group", name=re.compile("^How much has the course improved")) \
        .get_by_label(re.compile(r"^3$")).check()
    main.get_by_label(re.compile("^What will you do differently")).fill(
        "Record the child's own words.")
    main.get_by_role("button", name="Send your answers").click()
    expect(main).to_contain_text("Thank you: your answers are saved.")
    expect(main.get_by_role("heading", level=2, name="What happens next")).to_be_visible()
    assert_no_violations(page)
    shot(page, "answer-done")
    assert Response.objects.filter(request=request).count() == 2


def test_an_officer_edits_and_previews_a_questionnaire(page, live_server):
    officer = UserFactory(roles=[Role.OFFICER])
    totp_activate(officer)
    CourseFactory(title="Child exploitation", learning_outcomes=[
        "Spot the signs of criminal exploitation", "Use the NRM referral"])
    sign_in_with_code(page, officer.email, PASSWORD, TOTP_SECRET)
    page.goto("/")
    page.locator("header").get_by_role("button", name="Programme").click()
    page.locator("header").get_by_role("link", name="Evaluation questionnaires").click()
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Evaluation questionnaires")
    assert_no_violations(page)
    shot(page, "list")
    main.get_by_role("link", name="Edit the stage 1 evaluation").click()
    assert_no_violations(page)
    shot(page, "edit")
    main.get_by_label("Question", exact=True).first.fill("How satisfied were you overall?")
    main.get_by_role("button", name="Save as a new version").click()
    expect(main).to_contain_text("Saved as version 2")
    page.goto("/evaluations/questionnaires/")
    main.get_by_role("link", name="Preview the pre-course questionnaire").click()
    main.get_by_label("Show the learning outcomes of").select_option(label="Child exploitation")
    main.get_by_role("button", name="Show").click()
    expect(main).to_contain_text("Spot the signs of criminal exploitation")
    assert_no_violations(page)
    shot(page, "preview")
