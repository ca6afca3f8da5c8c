"""axe-core finds nothing on the facilitator summary, the officers' summaries list and the
themes pages, at desktop width and at 320 px; the summary's charts are SVG drawn on the
server (no script), under the site's Content-Security-Policy (the `page` fixture fails on any
refusal)."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from evaluations.models import SessionComment, Theme
from tests.evaluations.test_summaries import build_event
from tests.evaluations.test_themes import stage_2_answer
from tests.factories import PASSWORD
from tests.helpers import TOTP_SECRET

from .steps import axe_clean, sign_in_with_code

pytestmark = pytest.mark.e2e


def check(page, name):
    axe_clean(page, name, widths=(1280, 320))


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
