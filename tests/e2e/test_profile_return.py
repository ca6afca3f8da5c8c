"""Issue 12: "Complete your profile" from an event page comes back to the event once the
profile is saved, where the delegate books in one step (and sees the confirmation panel)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from core.calendar import LONDON
from courses.models import Format
from tests.factories import PASSWORD, CourseFactory, EventFactory, UserFactory, VenueFactory

from .steps import axe_clean, expect_path, sign_in

pytestmark = pytest.mark.e2e


def test_completing_the_profile_from_an_event_returns_to_the_event_to_book(page):
    start = (timezone.now() + timedelta(days=40)).astimezone(LONDON).replace(
        hour=9, minute=30, second=0, microsecond=0)
    event = EventFactory(course=CourseFactory(title="Neglect: level 2", format=Format.CLASSROOM),
                         venue=VenueFactory(name="Dudley Council House"), start=start)
    priya = UserFactory(first_name="Priya", last_name="Shah", email="priya@example.org",
                        job_title="")
    sign_in(page, priya.email, PASSWORD)

    page.goto(f"/courses/events/{event.pk}/")
    panel = page.locator("#booking-panel-title").locator("..")
    expect(panel).to_contain_text("we still need your job title")
    panel.get_by_role("link", name="Complete your profile").click()
    expect_path(page, reverse("accounts:profile"))
    axe_clean(page, "profile-from-event", widths=(1280, 320))

    page.get_by_label(re.compile(r"^\s*Job title")).fill("Family support worker")
    page.get_by_role("button", name=re.compile("Save", re.I)).click()

    expect_path(page, f"/courses/events/{event.pk}/")
    expect(page.locator("main")).to_contain_text("Your profile is saved.")
    page.get_by_role("button", name="Book a place").click()
    booking = Booking.objects.get(delegate=priya, event=event)
    expect_path(page, f"/bookings/{booking.uid}/")
    expect(page.locator(".panel-confirmation")).to_contain_text("Booking confirmed")
    axe_clean(page, "booking-confirmed-panel", widths=(1280, 320))
