"""axe-core finds nothing on the facilitator summary, the officers' summaries list and the
themes pages, at desktop width and at 320 px; the summary's charts are SVG drawn on the
server (no script), under the site's Content-Security-Policy (the `page` fixture fails on any
refusal)."""

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.roles import Role
from evaluations.models import SessionComment, Theme
from tests.evaluations.test_summaries import build_event
from tests.evaluations.test_themes import stage_2_answer
from tests.factories import PASSWORD
from tests.helpers import TOTP_SECRET

from .steps import sign_in_with_code

pytestmark = pytest.mark.e2e
axe = Axe()
# Set SUMMARY_SCREENSHOTS=/some/folder to keep a picture of each page at each width.
SCREENSHOTS = os.environ.get("SUMMARY_SCREENSHOTS")


def check(page, name):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        results = axe.run(page)
        assert results.violations_count == 0, (
            f"axe found {results.violations_count} violation(s) on {page.url} at {width}px:\n"
            + results.generate_report())
        if SCREENSHOTS:
            Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{width}.png"), full_page=True)
    expect(page.locator("h1")).to_have_count(1)


def test_summary_and_theme_pages_have_no_axe_violations(page, make_user):
    people = {"facilitator": make_user(Role.FACILITATOR), "officer": make_user(Role.OFFICER)}
    event = build_event(people)
    Theme.objects.create(name="Escalation", keywords="escalate")
    Theme.objects.create(name="Voice of the child", keywords="voice of the child")
    stage_2_answer(event, "I escalate sooner and listen to the voice of the child.")
    SessionComment.objects.create(event=event, text="How do we escalate out of hours?")

    sign_in_with_code(page, people["facilitator"].email, PASSWORD, TOTP_SECRET)
    page.goto(f"/evaluations/events/{event.pk}/summary/")
    expect(page.locator("svg.chart").first).to_be_visible()
    check(page, "summary")

    page.context.clear_cookies()
    sign_in_with_code(page, people["officer"].email, PASSWORD, TOTP_SECRET)
    page.goto(f"/evaluations/summaries/?course={event.course.pk}")
    check(page, "summary-list")
    page.goto("/evaluations/themes/")
    check(page, "theme-list")
    page.goto(f"/evaluations/themes/tagging/?event={event.pk}")
    expect(page.get_by_text("Suggested: Escalation").first).to_be_visible()
    check(page, "theme-tagging")
    page.get_by_role("button", name="Confirm Escalation").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Tagged “Escalation”.")).to_be_visible()
    page.goto(f"/evaluations/events/{event.pk}/session-comments/")
    page.get_by_role("button", name="Add the comments").click()
    expect(page.locator(".error-summary")).to_be_visible()
    check(page, "session-comments-error")
