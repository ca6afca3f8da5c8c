"""An L&D officer signs in with their authenticator code, adds an event from the programme
pages (making and correcting a mistake on the way), and the date appears on the course's
public page and in the calendar; axe-core finds nothing on the event form, empty or with
errors, nor on the calendar.

Set SCREENSHOT_DIR to keep a full-page screenshot of each page."""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.roles import Role
from courses.models import Event, Format, TrainingPoolMembership
from tests.factories import PASSWORD, CourseFactory, EventFactory, UserFactory
from tests.helpers import totp_activate, working_day

from .steps import expect_path, sign_in
from .test_staff_mfa import current_code

pytestmark = pytest.mark.e2e

axe = Axe()
DATE = re.compile(r"^\s*Date\W*$")  # required fields' labels end with an asterisk


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report()
    )


def look(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"programme-{name}.png"), full_page=True)


def sign_in_with_code(page, user):
    sign_in(page, user.email, PASSWORD)
    expect_path(page, "/accounts/2fa/authenticate/")
    page.locator("main input[name=code]").fill(current_code())
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()


def test_an_officer_adds_an_event_and_delegates_can_see_the_date(page):
    officer = UserFactory(roles=[Role.OFFICER], first_name="Olive", last_name="Officer",
                          email="olive@partnership.example")
    totp_activate(officer)
    course = CourseFactory(title="Neglect: level 2", format=Format.VIRTUAL)
    priya = UserFactory(roles=[Role.FACILITATOR], first_name="Priya", last_name="Pool")
    TrainingPoolMembership.objects.create(course=course, facilitator=priya)
    UserFactory(roles=[Role.FACILITATOR], first_name="Oscar", last_name="Outside")
    day = working_day(45)  # never a bank holiday: the form would ask about it

    sign_in_with_code(page, officer)

    # The Programme menu leads to the events.
    header = page.locator("header")
    header.get_by_role("button", name="Programme").click()
    header.get_by_role("link", name="Events", exact=True).click()
    expect_path(page, "/courses/manage/events/")
    page.locator("main").get_by_role("link", name="Add an event").click()

    # Step one: the course.
    main = page.locator("main")
    main.get_by_label("Course").select_option(label="Neglect: level 2")
    main.get_by_role("button", name="Continue").click()
    expect(main.locator("h1")).to_have_text(re.compile("Add an event"))
    expect(main.get_by_label("Priya Pool")).to_be_visible()
    expect(main.get_by_text("Oscar Outside")).to_have_count(0)
    look(page, "event-form")
    assert_no_violations(page)

    # A mistake: it ends before it starts, and a virtual event has no link.
    main.get_by_label(DATE).fill(day.isoformat())
    main.get_by_label("Starts at").fill("13:00")
    main.get_by_label("Ends at").fill("10:00")
    main.get_by_label("Places").fill("31")
    main.get_by_label("Priya Pool").check()
    main.get_by_role("button", name="Add the event").click()
    page.wait_for_load_state()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("The event must end after it starts")
    expect(summary).to_contain_text("A virtual event needs its online joining link")
    expect(summary).to_contain_text("A virtual event has at most 30 places")
    expect(main.get_by_label("Ends at")).to_have_attribute("aria-invalid", "true")
    expect(main.get_by_label(DATE)).to_have_value(day.isoformat())
    assert not Event.objects.exists()
    look(page, "event-form-errors")
    assert_no_violations(page)

    # The error summary links to the field to correct.
    summary.get_by_role("link", name=re.compile("Ends at")).click()
    expect(main.get_by_label("Ends at")).to_be_focused()
    main.get_by_label("Ends at").fill("16:30")
    main.get_by_label("Online joining link").fill("https://teams.example/j/neglect")
    main.get_by_label("Places").fill("")
    main.get_by_role("button", name="Add the event").click()
    page.wait_for_load_state()

    expect_path(page, "/courses/manage/events/")
    expect(page.locator("main .alert")).to_contain_text("The event is added: Neglect: level 2")
    row = page.locator("main tbody tr").filter(has_text="Neglect: level 2")
    expect(row).to_contain_text("0 of 30")
    expect(row).to_contain_text("Priya Pool")
    look(page, "event-list")
    event = Event.objects.get()
    assert event.capacity == 30 and list(event.facilitators.all()) == [priya]

    # Delegates see the new date on the course's public page.
    day_words = f"{day:%A} {day.day} {day:%B %Y}"
    page.goto(f"/courses/{course.slug}/")
    expect(page.locator("main")).to_contain_text(day_words)
    look(page, "course-page")

    # And the officer sees it in the month's calendar.
    page.goto(f"/courses/manage/events/calendar/?month={day:%Y-%m}")
    table = page.get_by_role("table", name=re.compile(f"{day:%B %Y}"))
    expect(table).to_be_visible()
    expect(table.get_by_role("link", name="1pm Neglect: level 2")).to_be_visible()
    look(page, "calendar")
    assert_no_violations(page)


def test_the_calendar_with_a_bad_month_has_no_axe_violations(page):
    officer = UserFactory(roles=[Role.OFFICER], email="oli@partnership.example")
    totp_activate(officer)
    EventFactory(course=CourseFactory(title="Working Together"))
    sign_in_with_code(page, officer)
    page.goto("/courses/manage/events/calendar/?month=2027-13")
    expect(page.locator("#error-summary")).to_contain_text("“2027-13” is not a month")
    expect(page.get_by_role("table")).to_be_visible()
    look(page, "calendar-bad-month")
    assert_no_violations(page)
