"""axe-core finds nothing on the booking pages a delegate and a line manager use, including
the forms in their error state; and the pages work with the keyboard alone where it matters
(the late cancellation form). The journeys across them are in test_booking_journey.py."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings import policies, services
from bookings.models import Booking, BookingStatus
from core.calendar import LONDON
from core.models import Partnership
from courses.models import Format
from tests.factories import PASSWORD, CourseFactory, EventFactory, UserFactory, VenueFactory

from .steps import axe_clean, expect_path, sign_in

pytestmark = pytest.mark.e2e


def check(page, name):
    axe_clean(page, name)


def an_event(days=21, capacity=2, title="Working Together to Safeguard Children"):
    start = (timezone.now() + timedelta(days=days)).astimezone(LONDON).replace(
        hour=9, minute=30, second=0, microsecond=0)
    return EventFactory(course=CourseFactory(title=title, format=Format.CLASSROOM),
                        venue=VenueFactory(name="Dudley Council House"), start=start,
                        capacity=capacity)


def test_booking_pages_have_no_axe_violations(page):
    dee = UserFactory(first_name="Dee", last_name="Lane", email="dee@example.org",
                      access_needs="Step-free access")
    event = an_event()
    sign_in(page, dee.email, PASSWORD)

    page.goto(f"/courses/events/{event.pk}/")
    check(page, "event-panel-book")
    page.get_by_label(re.compile("Access needs for this event")).fill("Step-free access, please")
    page.get_by_role("button", name="Book a place").click()
    booking = Booking.objects.get(delegate=dee)
    expect_path(page, f"/bookings/{booking.uid}/")
    expect(page.locator("main")).to_contain_text("Your place is booked")
    check(page, "booking-detail")

    page.get_by_role("link", name="Cancel this place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your place?")
    check(page, "booking-cancel")
    page.get_by_role("link", name="Keep the place").click()

    page.get_by_role("link", name="Give the place to a colleague").click()
    page.get_by_label("Your colleague’s email address").fill(UserFactory().email)
    page.get_by_role("button", name="Offer the place").click()
    expect(page.locator("main .error-summary")).to_contain_text("same organisation")
    check(page, "booking-substitute-error")

    # A full event: the panel offers the waiting list, and its page.
    full = an_event(capacity=1, title="Neglect: level 2")
    services.booking_create(event=full, delegate=UserFactory(), now=timezone.now())
    page.goto(f"/courses/events/{full.pk}/")
    check(page, "event-panel-full")
    page.goto(f"/bookings/events/{full.pk}/book/")
    check(page, "booking-create-full")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.locator("main")).to_contain_text("number 1 on the waiting list")
    check(page, "booking-detail-waitlisted")


def test_late_cancellation_form_with_errors_and_the_keyboard(page):
    eve = UserFactory(email="eve@example.org")
    event = an_event(days=2)
    booking = services.booking_create(event=event, delegate=eve, now=timezone.now())
    sign_in(page, eve.email, PASSWORD)
    page.goto(f"/bookings/{booking.uid}/cancel/")
    expect_path(page, f"/bookings/{booking.uid}/late-cancellation/")

    page.get_by_role("button", name="Cancel the place").click()
    summary = page.locator("main .error-summary")
    expect(summary).to_contain_text("Choose why you need to cancel")
    expect(summary).to_be_focused()
    check(page, "late-cancel-error")

    # By keyboard: the error links to the question; arrow keys choose; the form submits.
    page.get_by_label("Other").focus()
    page.keyboard.press("Space")
    page.get_by_label("Tell us more").focus()
    page.keyboard.type("A child protection conference was called for this morning.")
    page.get_by_role("button", name="Cancel the place").focus()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("The training team will review")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.LATE_CANCELLED


def test_offer_and_line_manager_pages_have_no_axe_violations(page):
    partnership = Partnership.load()
    event = an_event(capacity=1)
    holder = UserFactory(first_name="Hal", last_name="Hughes")
    held = services.booking_create(event=event, delegate=holder, now=timezone.now())
    fay = UserFactory(email="fay@example.org")
    offer = services.waitlist_join(event=event, delegate=fay, now=timezone.now())
    services.booking_cancel(booking=held, by=holder, now=timezone.now())

    sign_in(page, fay.email, PASSWORD)
    page.goto(f"/bookings/{offer.uid}/")
    check(page, "booking-detail-offered")
    page.get_by_role("link", name="Accept or decline the place").click()
    check(page, "offer-respond")

    # The line manager, who has no account, agrees from the link in their email.
    partnership.line_manager_approval_required = True
    partnership.save()
    gus = UserFactory(first_name="Gus", last_name="Grant", job_title="Youth worker")
    pending = services.booking_create(event=an_event(title="Contextual Safeguarding"),
                                      delegate=gus, now=timezone.now())
    token = policies.signed_link_make(value=str(pending.uid), salt=policies.LINE_MANAGER_SALT)
    manager = page.context.browser.new_context(base_url=page.url.split("/bookings")[0])
    manager_page = manager.new_page()
    manager_page.goto(f"/bookings/approval/{token}/")
    expect(manager_page.locator("main")).to_contain_text("Gus Grant (Youth worker)")
    check(manager_page, "line-manager-approval")
    manager_page.get_by_role("button", name="Agree to this booking").click()
    expect(manager_page.locator("main")).to_contain_text("place is confirmed")
    check(manager_page, "line-manager-approved")
    manager.close()
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.BOOKED
