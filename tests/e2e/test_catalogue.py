"""A visitor finds a course in the catalogue, opens it and one of its dates; axe-core finds
nothing on the catalogue, a course page and an event page."""

import re
from datetime import datetime, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from courses.models import Audience, CourseStatus, Event, Format, Level
from tests.factories import CategoryFactory, CourseFactory, EventFactory, VenueFactory

from .conftest import ARTIFACTS, TIMEOUT_MS

pytestmark = pytest.mark.e2e

axe = Axe()


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report()
    )


def _morning(days):
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 30))


@pytest.fixture
def programme(db):
    risks = CategoryFactory(name="Understanding Safeguarding Risks")
    together = CategoryFactory(name="Working Together to Safeguard and Protect Children from Harm")
    wanted = CourseFactory(
        title="Graded Care Profile 2", level=Level.LEVEL_2, audience=Audience.JOINT,
        format=Format.VIRTUAL, category=risks,
        summary="Assessing neglect with the Graded Care Profile 2 tool.",
        learning_outcomes=["Understand how neglect affects children's development",
                           "Use the Graded Care Profile 2 to assess the quality of care"],
    )
    nearly_full = EventFactory(course=wanted, start=_morning(12), capacity=30,
                               joining_link="https://teams.example/meet/gcp2")
    Event.objects.filter(pk=nearly_full.pk).update(places_taken=27)
    full = EventFactory(course=wanted, start=_morning(40), capacity=30,
                        joining_link="https://teams.example/meet/gcp2-b")
    Event.objects.filter(pk=full.pk).update(places_taken=30)
    # Near misses: another level, another audience, and a course coming soon.
    CourseFactory(title="Introduction to Modern Slavery", level=Level.LEVEL_1,
                  audience=Audience.JOINT, format=Format.E_LEARNING, category=risks)
    CourseFactory(title="Working Together for Dudley", level=Level.LEVEL_2,
                  audience=Audience.CHILDREN, category=together)
    CourseFactory(title="Safer Recruitment", level=Level.LEVEL_2, audience=Audience.ADULTS,
                  status=CourseStatus.COMING_SOON, expected="Imminent", category=together)
    classroom = CourseFactory(title="Child Exploitation: Multi-Agency Response",
                              level=Level.LEVEL_3, audience=Audience.CHILDREN,
                              format=Format.CLASSROOM, category=risks)
    EventFactory(course=classroom, start=_morning(20), capacity=24,
                 venue=VenueFactory(name="Dudley Council House, Committee Room 2"))
    return {"course": wanted, "nearly_full": nearly_full, "full": full}


def test_a_visitor_filters_to_a_level_2_joint_course_and_sees_its_dates(page, programme):
    page.goto("/courses/")
    main = page.locator("main")
    expect(main.get_by_role("heading", level=1)).to_have_text("Find a safeguarding course")
    expect(page.locator("#result-count")).to_have_text("5 courses")

    main.get_by_label("Level").select_option(label="Level 2")
    main.get_by_label("Who it is for").select_option(label="Joint (children and adults)")
    main.get_by_role("button", name="Show courses").click()

    # The results change in place (htmx) and the address can be shared or bookmarked.
    expect(page.locator("#result-count")).to_have_text("1 course matches")
    expect(page).to_have_url(re.compile(r"level=2.*audience=joint|audience=joint.*level=2"))
    results = page.locator("#catalogue-results")
    expect(results.get_by_role("link", name="Graded Care Profile 2")).to_be_visible()
    for other in ("Working Together for Dudley", "Introduction to Modern Slavery",
                  "Safer Recruitment"):
        expect(results.get_by_text(other)).to_have_count(0)
    expect(results).to_contain_text("3 places left")
    expect(results).to_contain_text("Full: join the waiting list")
    assert_no_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue_filtered.png"), full_page=True)

    results.get_by_role("link", name="Graded Care Profile 2").click()
    page.wait_for_load_state()
    expect(main.get_by_role("heading", level=1)).to_have_text("Graded Care Profile 2")
    dates = main.get_by_role("table")
    expect(dates.get_by_role("row")).to_have_count(3)  # the header and two dates
    expect(dates.get_by_role("row").nth(1)).to_contain_text("3 places left")
    expect(dates.get_by_role("row").nth(2)).to_contain_text("Full")
    expect(dates).to_contain_text("Online (Microsoft Teams)")
    expect(main).not_to_contain_text("teams.example")
    expect(main.get_by_role("listitem").filter(
        has_text="Use the Graded Care Profile 2 to assess the quality of care")).to_be_visible()
    assert_no_violations(page)
    page.screenshot(path=str(ARTIFACTS / "course_detail.png"), full_page=True)

    dates.get_by_role("link", name=re.compile(r"^Book")).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/courses/events/{programme['nearly_full'].pk}/")
    expect(main).to_contain_text("3 places left")
    expect(main.get_by_role("link", name="Download this event for your calendar")).to_be_visible()
    assert_no_violations(page)
    page.screenshot(path=str(ARTIFACTS / "event_detail.png"), full_page=True)


def test_the_filters_work_without_javascript(browser, live_server, programme):
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  java_script_enabled=False)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto("/courses/")
        main = page.locator("main")
        main.get_by_label("Only courses with dates that have places left").check()
        main.get_by_role("button", name="Show courses").click()
        page.wait_for_load_state()
        assert "with_places=on" in page.url
        expect(page.locator("#result-count")).to_have_text("2 courses match")
        expect(main.get_by_role("link", name="Graded Care Profile 2")).to_be_visible()
        expect(main.get_by_role("link", name="Child Exploitation: Multi-Agency Response")
               ).to_be_visible()
    finally:
        context.close()


def test_bad_filters_are_explained_without_axe_violations(page, programme):
    page.goto("/courses/?level=99&format=%3Cscript%3E&page=abc")
    main = page.locator("main")
    expect(main.locator(".error-summary")).to_contain_text("Choose a level from the list.")
    expect(main.locator(".error-summary")).to_contain_text("Choose a format from the list.")
    expect(page.locator("#result-count")).to_have_text("5 courses")
    assert_no_violations(page)


def test_a_cancelled_event_page_has_no_axe_violations(page, programme):
    event = programme["full"]
    Event.objects.filter(pk=event.pk).update(status="cancelled", cancelled_at=timezone.now())
    page.goto(f"/courses/events/{event.pk}/")
    expect(page.locator("main")).to_contain_text("This event has been cancelled.")
    assert_no_violations(page)

