"""The catalogue's live filtering (issue 12): the result count is announced to screen readers
(an aria-live region the htmx swap updates), and pressing Enter in the search box filters
without a browser console error (it logged two htmx errors)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Level
from tests.factories import CourseFactory, EventFactory

from .steps import axe_clean

pytestmark = pytest.mark.e2e


def _morning(days):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


@pytest.fixture
def catalogue(db):
    neglect = CourseFactory(title="Graded Care Profile 2", level=Level.LEVEL_2)
    EventFactory(course=neglect, start=_morning(12))
    CourseFactory(title="Introduction to Modern Slavery", level=Level.LEVEL_1)
    CourseFactory(title="Working Together for Dudley", level=Level.LEVEL_2)


def console_errors(page):
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_filtering_announces_the_count_and_enter_logs_no_error(page, catalogue):
    errors = console_errors(page)
    page.goto("/courses/")
    count = page.locator("#result-count")
    expect(count).to_have_text("3 courses")
    expect(count).to_have_attribute("aria-live", "polite")

    page.locator("main").get_by_label("Level").select_option(label="Level 2")
    expect(count).to_have_text("2 courses match")

    search = page.get_by_role("searchbox")
    search.fill("graded")
    search.press("Enter")
    expect(count).to_have_text("1 course matches")
    expect(page.locator("#catalogue-results")).to_contain_text("Graded Care Profile 2")
    # The live region is the same element, updated in place (a replaced region is not read).
    expect(page.locator("[aria-live]#result-count")).to_have_count(1)
    page.wait_for_timeout(800)  # the search box's own delayed trigger fires after Enter
    assert errors == [], errors
    axe_clean(page, "catalogue-filtered", widths=(1280, 320))
