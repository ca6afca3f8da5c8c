"""Issue 12, decision 1, in Chromium: a delegate offers the place to a colleague, who accepts
it from the emailed link (the place moves then, not before); and on the day a facilitator
records on the register that a colleague attended instead. axe-core finds nothing on the new
pages (the offer waiting on the booking page, the withdraw page, the colleague's answer page,
the register's substitute form) at 1280 and 320 px."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from bookings.models import Booking, BookingStatus, Substitution
from core.calendar import LONDON
from courses.models import Format
from tests.factories import PASSWORD, CourseFactory, EventFactory, UserFactory, VenueFactory
from tests.helpers import totp_activate

from .steps import axe_clean, expect_path, link_in, sign_in, sign_out

pytestmark = pytest.mark.e2e


def signed_in_staff(page, live_server, user):
    """The session made directly: this test is about the register, not the staff sign-in
    (tests/e2e/test_staff_mfa.py walks that)."""
    from allauth.mfa.models import Authenticator

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        totp_activate(user)
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                               "url": live_server.url}])


def test_a_substitution_accepted_by_the_colleague(page, live_server, mailoutbox):
    start = (timezone.now() + timedelta(days=21)).astimezone(LONDON).replace(
        hour=9, minute=30, second=0, microsecond=0)
    event = EventFactory(course=CourseFactory(title="Working Together to Safeguard Children",
                                              format=Format.CLASSROOM),
                         venue=VenueFactory(name="Dudley Council House"), start=start,
                         capacity=1)
    ann = UserFactory(first_name="Ann", last_name="Archer", email="ann@example.org")
    cal = UserFactory(first_name="Cal", last_name="Cole", email="cal@example.org",
                      organisation=ann.organisation)
    dee = UserFactory(first_name="Dee", last_name="Dale", email="dee@example.org",
                      organisation=ann.organisation)
    booking = Booking.objects.create(event=event, delegate=ann, organisation=ann.organisation,
                                     status=BookingStatus.BOOKED, booked_at=timezone.now())
    event.places_taken = 1
    event.save(update_fields=["places_taken"])

    # Ann offers her place to Dee first, then withdraws that offer.
    sign_in(page, ann.email, PASSWORD)
    page.goto(f"/bookings/{booking.uid}/")
    page.get_by_role("link", name="Give the place to a colleague").click()
    page.get_by_label("Your colleague’s email address").fill(dee.email)
    page.get_by_role("button", name="Offer the place").click()
    expect(page.get_by_role("heading", name=f"Waiting for {dee.email} to accept")).to_be_visible()
    axe_clean(page, "substitution-waiting", widths=(1280, 320))
    page.goto(f"/bookings/{booking.uid}/substitute/withdraw/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw the offer")
    axe_clean(page, "substitution-withdraw", widths=(1280, 320))
    page.get_by_role("button", name="Withdraw the offer").click()
    expect(page.locator("main")).to_contain_text(f"You have withdrawn the offer to {dee.email}")

    # Then to Cal: the place stays Ann's until Cal accepts.
    mailoutbox.clear()
    page.get_by_role("link", name="Give the place to a colleague").click()
    page.get_by_label("Your colleague’s email address").fill(cal.email)
    page.get_by_role("button", name="Offer the place").click()
    expect(page.get_by_role("heading", name=f"Waiting for {cal.email} to accept")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).delegate == ann
    sign_out(page)

    [offer] = [m for m in mailoutbox if m.to == [cal.email]]
    sign_in(page, cal.email, PASSWORD)
    page.goto("/bookings/my-training/")
    expect(page.get_by_role("heading", name="Places colleagues offer you")).to_be_visible()
    page.goto(link_in(offer, "/bookings/substitution/"))
    expect(page.get_by_role("heading", name="Take over a training place")).to_be_visible()
    axe_clean(page, "substitution-accept", widths=(1280, 320))
    page.get_by_role("button", name="Take the place").click()
    expect_path(page, f"/bookings/{booking.uid}/")
    expect(page.locator("main")).to_contain_text("The place is yours")
    booking.refresh_from_db()
    assert booking.delegate == cal
    assert Substitution.objects.get(to_email=cal.email).accepted_at is not None
    assert any(m.to == [ann.email] and "passed to" in m.subject for m in mailoutbox)


def test_a_substitute_recorded_on_the_register(page, live_server, make_user, mailoutbox):
    now = timezone.now()
    event = EventFactory(course=CourseFactory(title="Understanding Safeguarding Risks"),
                         start=now - timedelta(hours=1), end=now + timedelta(hours=5),
                         capacity=1)
    facilitator = make_user(Role.FACILITATOR)
    event.facilitators.add(facilitator)
    ann = UserFactory(first_name="Ann", last_name="Archer")
    booking = Booking.objects.create(event=event, delegate=ann, organisation=ann.organisation,
                                     status=BookingStatus.BOOKED, booked_at=now - timedelta(days=9))
    event.places_taken = 1
    event.save(update_fields=["places_taken"])

    signed_in_staff(page, live_server, facilitator)
    page.goto(f"/bookings/events/{event.pk}/register/")
    page.get_by_role("link", name="Record a colleague who attended instead").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Record a colleague who attended instead")
    axe_clean(page, "register-substitute", widths=(1280, 320))

    # Nothing filled in: each field says what it needs, and the page stays accessible.
    page.get_by_role("button", name="Record the colleague").click()
    expect(page.locator("#error-summary")).to_contain_text("Select the delegate whose place")
    expect(page.locator("#error-summary")).to_contain_text("Enter the name of the colleague")
    axe_clean(page, "register-substitute-errors", widths=(1280,))

    page.get_by_label("Delegate whose place they took").select_option(str(booking.pk))
    page.get_by_label("Colleague’s full name").fill("Robin New")
    page.get_by_label("Colleague’s email address").fill("robin.new@example.org")
    page.get_by_role("button", name="Record the colleague").click()
    expect_path(page, f"/bookings/events/{event.pk}/register/")
    expect(page.locator("main")).to_contain_text("Robin New attended in place of Ann Archer")
    expect(page.locator("main table")).to_contain_text("Robin New")
    expect(page.locator("main table tbody tr")).to_have_count(1)  # Ann's line went to Robin
    expect(page.locator("main table")).to_contain_text("Instead of Ann Archer")
    axe_clean(page, "register-after-substitute", widths=(1280,))

    booking.refresh_from_db()
    assert booking.status == BookingStatus.SUBSTITUTED
    replacement = Substitution.objects.get(on_the_day=True).replacement
    assert replacement.status == BookingStatus.ATTENDED
    assert replacement.delegate.email == "robin.new@example.org"
    assert any(m.to == ["robin.new@example.org"] for m in mailoutbox)
