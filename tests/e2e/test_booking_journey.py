"""A booking's life in Chromium: a delegate books and gets the calendar invitation, cancels in
time, and the colleague waiting is offered the place by email and takes it; a late
cancellation reaches the officer's queue; a facilitator marks the register. axe-core finds
nothing on the event page with its booking panel, My training, and the register."""

import re
from datetime import timedelta

import icalendar
import pytest
from allauth.mfa.models import Authenticator
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from courses.models import Event, Format
from tests.factories import (
    PASSWORD,
    BookingFactory,
    CourseFactory,
    EventFactory,
    UserFactory,
    VenueFactory,
)
from tests.helpers import totp_activate

from .steps import expect_path, link_in, sign_in, sign_out

pytestmark = pytest.mark.e2e
axe = Axe()
SCREENSHOTS = settings.BASE_DIR / "tests" / "e2e" / "artifacts"


def assert_no_violations(page):
    results = axe.run(page)
    assert results.violations_count == 0, (
        f"axe found {results.violations_count} violation(s) on {page.url}:\n"
        + results.generate_report())


def signed_in_staff(page, live_server, user):
    """Staff sign in with an authenticator code (tests/e2e/test_staff_mfa.py walks that);
    here the session is made directly so the test is about the register, not the login."""
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        totp_activate(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"booking-{name}.png"), full_page=True)


def test_book_cancel_in_time_and_the_waiting_colleague_takes_the_place(page, browser,
                                                                       live_server, mailoutbox):
    start = (timezone.now() + timedelta(days=21)).astimezone(LONDON).replace(
        hour=9, minute=30, second=0, microsecond=0)
    event = EventFactory(course=CourseFactory(title="Working Together to Safeguard Children",
                                              format=Format.CLASSROOM),
                         venue=VenueFactory(name="Dudley Council House"), start=start,
                         capacity=1)
    ann = UserFactory(first_name="Ann", last_name="Archer", email="ann@example.org")
    bea = UserFactory(first_name="Bea", last_name="Baker", email="bea@example.org")

    # Ann books the only place, and gets the invitation for her calendar.
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/courses/events/{event.pk}/")
    panel = page.locator("main section[aria-labelledby=booking-panel-title]")
    expect(panel.get_by_role("heading", name="Book a place")).to_be_visible()
    assert_no_violations(page)
    panel.get_by_role("button", name="Book a place").click()
    expect(page.locator("main")).to_contain_text("Your place is booked")

    [confirmation] = [m for m in mailoutbox if m.to == [ann.email]]
    [(filename, content, mimetype)] = [a for a in confirmation.attachments
                                       if a[0].endswith(".ics")]
    assert mimetype.startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["summary"]) == "Working Together to Safeguard Children"
    assert vevent.decoded("dtstart") == start
    assert "Dudley Council House" in str(vevent["location"])

    # My training shows the place, with what she can do.
    page.goto("/bookings/my-training/")
    coming = page.locator("main section[aria-labelledby=upcoming]")
    expect(coming).to_contain_text("Working Together to Safeguard Children")
    expect(coming).to_contain_text("Booked")
    assert_no_violations(page)
    screenshot(page, "my-training")

    # Bea finds the event full and joins the waiting list.
    other = browser.new_context(base_url=live_server.url, locale="en-GB")
    bea_page = other.new_page()
    sign_in(bea_page, bea.email, PASSWORD)
    bea_page.goto(f"/courses/events/{event.pk}/")
    bea_page.get_by_role("button", name="Join the waiting list").click()
    expect(bea_page.locator("main")).to_contain_text("waiting list")
    bea_page.goto("/bookings/my-training/")
    expect(bea_page.locator("main section[aria-labelledby=waiting]")).to_contain_text(
        "Working Together to Safeguard Children")

    # Ann cancels three weeks ahead: in time, free.
    mailoutbox.clear()
    coming.get_by_role("link", name=re.compile("^Cancel")).click()
    page.get_by_role("button", name="Cancel the place").click()
    expect(page.locator("main")).to_contain_text(re.compile("cancelled", re.I))
    assert Booking.objects.get(delegate=ann).status == BookingStatus.CANCELLED

    # Bea is offered the place by email and accepts it from the link.
    [offer] = [m for m in mailoutbox if m.to == [bea.email]]
    bea_page.goto(link_in(offer, "/bookings/"))
    bea_page.get_by_role("button", name="Accept the place").click()
    expect(bea_page.locator("main")).to_contain_text(re.compile("booked", re.I))
    assert Booking.objects.get(delegate=bea).status == BookingStatus.BOOKED
    assert Event.objects.get(pk=event.pk).places_taken == 1
    other.close()


def test_a_late_cancellation_reaches_the_officers_queue(page, browser, live_server):
    event = EventFactory(course=CourseFactory(title="Understanding Thresholds"),
                         start=timezone.now() + timedelta(days=2))
    cat = UserFactory(first_name="Cat", last_name="Cole", email="cat@example.org")
    BookingFactory(event=event, delegate=cat)
    Event.objects.filter(pk=event.pk).update(places_taken=1)

    sign_in(page, cat.email, PASSWORD)
    page.goto("/bookings/my-training/")
    page.locator("main section[aria-labelledby=upcoming]").get_by_role(
        "link", name=re.compile("^Cancel")).click()
    # Two days ahead is fewer than 5 working days: the cancellation is late, with a reason.
    booking = Booking.objects.get(delegate=cat)
    expect_path(page, f"/bookings/{booking.uid}/late-cancellation/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("working days")
    page.get_by_label("Illness").check()
    page.locator("main textarea").fill("Flu: my GP has signed me off for the week.")
    page.get_by_role("button", name="Cancel the place").click()
    page.wait_for_load_state()
    assert Booking.objects.get(delegate=cat).status == BookingStatus.LATE_CANCELLED
    sign_out(page)

    officer = UserFactory(roles=[Role.OFFICER], email="olive@partnership.example")
    signed_in_staff(page, live_server, officer)
    # The old address of the queue sends the officer to the charges waiting for a decision.
    page.goto("/bookings/manage/late-cancellations/")
    expect_path(page, "/charging/charges/")
    row = page.locator("main tbody tr", has_text="Cat Cole")
    expect(row).to_contain_text("Understanding Thresholds")
    expect(row).to_contain_text("Illness")
    expect(row).to_contain_text("Flu: my GP has signed me off for the week.")
    assert_no_violations(page)
    row.get_by_role("link", name=re.compile("Decide")).click()
    page.get_by_label("Waive the charge").check()
    page.get_by_role("group", name="Why is it waived?").get_by_label("Illness").check()
    page.get_by_label("Note").fill("Illness with a GP's note: accepted.")
    page.get_by_role("button", name="Save the decision").click()
    expect(page.locator("main")).to_contain_text(
        "Decision saved for Cat Cole: the charge is waived (illness).")
    expect(page.locator("main")).to_contain_text("No charge is waiting for a decision.")


def test_facilitator_marks_the_register_with_the_keyboard_and_mouse(page, live_server):
    facilitator = UserFactory(roles=[Role.FACILITATOR], first_name="Fay", last_name="Cilitator")
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(course=CourseFactory(title="Child Exploitation"), start=start,
                         end=start + timedelta(hours=7), facilitators=[facilitator])
    ann = BookingFactory(event=event, delegate=UserFactory(first_name="Ann", last_name="Archer"))
    bob = BookingFactory(event=event, delegate=UserFactory(first_name="Bob", last_name="Baker"))

    signed_in_staff(page, live_server, facilitator)
    page.goto(f"/bookings/facilitator/events/{event.pk}/")
    page.get_by_role("link", name="The register").click()
    expect_path(page, f"/bookings/events/{event.pk}/register/")
    assert_no_violations(page)

    # Ann by keyboard: focus her "Attended" and press space.
    page.get_by_role("radio", name="Attended").first.focus()
    page.keyboard.press("Space")
    bob_row = page.locator("main tbody tr", has_text="Bob Baker")
    bob_row.get_by_label("Late", exact=True).check()
    bob_row.get_by_label("Minutes late, Bob Baker").fill("-5")
    bob_row.get_by_label("Bob Baker contacted the team").select_option("no")
    page.get_by_role("button", name="Save the register").click()

    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Bob Baker: Minutes late cannot be negative")
    expect(summary).to_be_focused()
    assert_no_violations(page)  # the error state too
    screenshot(page, "register-error")
    ann.refresh_from_db()
    assert ann.status == BookingStatus.ATTENDED  # the good line was kept

    summary.get_by_role("link").first.click()
    expect(bob_row.get_by_label("Minutes late, Bob Baker")).to_be_focused()
    bob_row.get_by_label("Minutes late, Bob Baker").fill("45")
    page.get_by_role("button", name="Save the register").click()
    expect(page.locator("main")).to_contain_text("Saved: 1 delegate marked on the register.")
    expect(page.locator("main")).to_contain_text("1 attended, 1 not admitted")
    bob.refresh_from_db()
    assert (bob.status, bob.minutes_late, bob.contacted_team) == (
        BookingStatus.NOT_ADMITTED, 45, False)
    screenshot(page, "register")
