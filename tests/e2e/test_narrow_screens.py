"""On a 320 CSS px wide screen (a phone, or a desktop browser zoomed to 400%) nothing scrolls
sideways, for every role (WCAG 2.2 1.4.10 Reflow): the pages each role uses most, with the
demo partnership loaded so that every list and table has rows. The tables people act on (the
register, My training, the programme, a course's dates) become one block per row with each
value labelled, and a facilitator marks the register on a phone with the keyboard alone.

Set SCREENSHOT_DIR to keep a full-page screenshot of each page at 320 px."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from courses.models import Event, EventStatus
from demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET
from demo.services import demo_load

from .steps import sign_in_with_code

pytestmark = pytest.mark.e2e

WIDTH = 320
# The demo's classroom course with a date every month, and the delegate booked on its next one.
COURSE = "Child Exploitation: Multi-Agency Response"


def sign_in_as(page, email):
    """The demo password, and the demo authenticator code for staff."""
    sign_in_with_code(page, email, DEMO_PASSWORD, DEMO_TOTP_SECRET)


def look(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"narrow-{name}.png"), full_page=True)


def widest(page):
    """The outermost elements that reach past the right edge, to say what to fix."""
    return page.evaluate(
        """(limit) => Array.from(document.querySelectorAll('body *'))
             .filter(e => e.getBoundingClientRect().right > limit + 1)
             .filter((e, _, all) => !all.some(o => o !== e && o.contains(e)))
             .slice(0, 3)
             .map(e => e.tagName.toLowerCase() +
                  (typeof e.className === 'string' && e.className.trim()
                     ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
                  ' (' + Math.round(e.getBoundingClientRect().right) + ' px)')""",
        WIDTH,
    )


def demo_pages():
    """Each role's pages, found by rule in the demo data (load_demo is deterministic)."""
    now = timezone.now()
    course_events = Event.objects.filter(course__title=COURSE).select_related("course")
    upcoming = course_events.filter(status=EventStatus.SCHEDULED, start__gt=now).order_by(
        "start").first()
    past = course_events.filter(status=EventStatus.COMPLETED).order_by("-start").first()
    booking = Booking.objects.get(event=upcoming, delegate__email="delegate@demo.example")
    month = f"{timezone.localdate(upcoming.start):%Y-%m}"
    course_page = f"/courses/{upcoming.course.slug}/"
    return {
        "visitor": (None, ["/", "/courses/", course_page, f"/courses/events/{upcoming.pk}/"]),
        "delegate": ("delegate@demo.example", [
            "/courses/", course_page, f"/courses/events/{upcoming.pk}/",
            "/bookings/my-training/", f"/bookings/{booking.uid}/", "/courses/my-record/",
            "/account/"]),
        "facilitator": ("facilitator@demo.example", [
            "/bookings/facilitator/events/", f"/bookings/facilitator/events/{past.pk}/",
            f"/bookings/events/{past.pk}/register/", "/courses/training-pool/"]),
        "L&D officer": ("officer@demo.example", [
            "/courses/manage/events/", f"/courses/manage/events/calendar/?month={month}",
            "/courses/manage/courses/", "/courses/manage/venues/", "/reports/",
            "/account/organisations/", "/account/organisation-requests/",
            "/charging/charges/", "/manage/audit/", "/manage/partnership/",
            f"/bookings/events/{past.pk}/register/"]),
        "business support": ("business@demo.example", [
            "/courses/newsletters/", "/account/organisations/",
            f"/courses/manage/events/calendar/?month={month}"]),
        "LOD Group member": ("lod@demo.example", ["/reports/"]),
        "safeguarding lead": ("lead@demo.example", ["/account/organisation/staff/"]),
        "finance contact": ("finance@demo.example", ["/account/organisation/account/"]),
        "site administrator": ("admin@demo.example", ["/", "/reports/", "/manage/audit/"]),
    }


def test_no_page_scrolls_sideways_at_320_px_for_any_role(browser, live_server):
    demo_load(now=timezone.now(), history=False)
    offenders, checked = [], 0
    for identity, (email, paths) in demo_pages().items():
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      viewport={"width": WIDTH, "height": 640})
        page = context.new_page()
        try:
            if email:
                sign_in_as(page, email)
            for path in paths:
                response = page.goto(path)
                assert response.status == 200, f"{identity}: {path} answered {response.status}"
                checked += 1
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > WIDTH:
                    offenders.append(f"- {identity}: {path} is {width} px wide; "
                                     f"widest: {', '.join(widest(page)) or 'unknown'}")
                # A table that still scrolls sideways in its own box: the keyboard reaches it.
                stuck = page.evaluate("""() => Array.from(document.querySelectorAll(
                    '.table-responsive')).filter(b => b.scrollWidth > b.clientWidth + 1
                                                   && b.tabIndex < 0).length""")
                if stuck:
                    offenders.append(f"- {identity}: {path}: {stuck} table(s) scroll sideways "
                                     "in a box the keyboard cannot reach")
                look(page, re.sub(r"[^a-z0-9]+", "-", f"{identity} {path}".lower()).strip("-"))
        finally:
            context.close()
    assert checked >= 30
    assert not offenders, (f"{len(offenders)} problem(s) on {checked} pages at {WIDTH} px:\n"
                           + "\n".join(offenders))


def test_tables_people_act_on_are_labelled_blocks_at_320_px(browser, live_server):
    """Each row a block, each value under its column's name, shown (not just announced)."""
    demo_load(now=timezone.now(), history=False)
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    try:
        sign_in_as(page, "delegate@demo.example")
        page.goto("/bookings/my-training/")
        upcoming = page.locator("main section").first.locator("table tbody tr").first
        cell = upcoming.locator("td").first
        expect(cell).to_be_visible()
        label = cell.evaluate("td => getComputedStyle(td, '::before').content")
        assert label == '"When"', label
        # Stacked: the cells of a row sit one above the other, the width of the page.
        boxes = [upcoming.locator("> *").nth(i).bounding_box() for i in range(3)]
        assert boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"], boxes
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= WIDTH for box in boxes), boxes
    finally:
        context.close()


def test_a_facilitator_marks_the_register_by_keyboard_at_320_px(browser, live_server):
    demo_load(now=timezone.now(), history=False)
    past = (Event.objects.filter(course__title=COURSE, status=EventStatus.COMPLETED)
            .order_by("-start").first())
    simon = Booking.objects.get(event=past, delegate__first_name="Simon",
                                delegate__last_name="Baxter")
    assert simon.status == BookingStatus.NO_SHOW
    context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                  viewport={"width": WIDTH, "height": 640})
    page = context.new_page()
    try:
        sign_in_as(page, "facilitator@demo.example")
        page.goto(f"/bookings/events/{past.pk}/register/")
        main = page.locator("main")
        expect(main.get_by_role("heading", level=1)).to_contain_text(COURSE)

        # Tab from the top of the page into Simon Baxter's attendance: each stop is on the
        # screen, never off to the side.
        for _ in range(120):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                """() => { const e = document.activeElement, r = e.getBoundingClientRect();
                           return {name: e.name || '', label: e.labels && e.labels[0]
                                     ? e.labels[0].textContent.trim() : '',
                                   left: r.left, right: r.right}; }""")
            assert focused["left"] >= 0 and focused["right"] <= WIDTH, focused
            if focused["name"].endswith("-outcome") and "Simon Baxter" in page.evaluate(
                    "document.activeElement.closest('tr').querySelector('th').textContent"):
                break
        else:
            pytest.fail("Tab never reached Simon Baxter's attendance")
        assert focused["label"] == "Did not attend", focused  # the radio that is ticked
        page.keyboard.press("ArrowUp")  # Not admitted
        page.keyboard.press("ArrowUp")  # Late
        assert page.evaluate("document.activeElement.labels[0].textContent.trim()") == "Late"
        page.keyboard.press("Tab")
        page.keyboard.type("10")
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowUp")  # No (as the demo has it) -> Yes
        row = main.locator("tbody tr", has=page.locator("th", has_text="Simon Baxter"))
        expect(row.get_by_role("combobox")).to_have_value("yes")
        for _ in range(40):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == "Save the register":
                break
        page.keyboard.press("Enter")
        page.wait_for_load_state()
        look(page, "register-marked")
        expect(row.locator("td").nth(1)).to_contain_text("Attended")
        simon.refresh_from_db()
        assert (simon.status, simon.minutes_late, simon.contacted_team) == (
            BookingStatus.ATTENDED, 10, True)
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH
    finally:
        context.close()
