"""Business support writes, previews and sends the training newsletter in the browser, and a
delegate stops it from the link in the email; axe-core finds nothing on any of those pages.

Set SCREENSHOT_DIR to keep a full-page screenshot of each page."""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core import mail
from django.test import Client
from playwright.sync_api import expect

from accounts.roles import Role
from newsletter.models import Newsletter
from tests.factories import CourseFactory, EventFactory, UserFactory, VenueFactory
from tests.helpers import totp_activate

from .steps import expect_path

pytestmark = pytest.mark.e2e

axe = Axe()


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
        page.screenshot(path=str(Path(folder) / f"newsletter-{name}.png"), full_page=True)


def signed_in(page, live_server, user):
    """The browser carries a session of `user` (sign-in itself is tested elsewhere)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }])


def test_business_support_writes_previews_and_sends_the_newsletter(page, live_server):
    bea = UserFactory(roles=[Role.BUSINESS_SUPPORT], first_name="Bea",
                      email="bea@partnership.example")
    totp_activate(bea)
    amy = UserFactory(first_name="Amy", email="amy@example.org", newsletter_opt_in=True)
    EventFactory(course=CourseFactory(title="Working Together: the essentials"),
                 venue=VenueFactory(name="Council House"), capacity=20, places_taken=5)
    EventFactory(course=CourseFactory(title="Child on child abuse", level="3"))
    signed_in(page, live_server, bea)

    page.goto("/courses/newsletters/")
    expect(page.locator("main h1")).to_have_text("Training newsletter")
    assert_no_violations(page)
    page.locator("main").get_by_role("link", name="Write a newsletter").click()

    expect(page.locator("main h1")).to_have_text("Write a newsletter")
    events = page.get_by_role("group", name="Events in this newsletter")
    expect(events.get_by_role("checkbox", name=re.compile("Working Together"))).to_be_checked()
    expect(events.get_by_role("checkbox", name=re.compile("Child on child"))).to_be_checked()
    page.get_by_label("Introduction").fill("New dates for the spring. Book early.")
    events.get_by_role("checkbox", name=re.compile("Working Together")).uncheck()
    events.get_by_role("checkbox", name=re.compile("Child on child")).uncheck()
    page.get_by_role("button", name="Save and preview").click()

    # Nothing chosen and no subject: both explained, the introduction kept.
    expect(page.locator("main")).to_contain_text("There is a problem")
    expect(page.locator("#error-summary")).to_contain_text("Enter a subject for the email.")
    expect(page.locator("#error-summary")).to_contain_text("Choose at least one event")
    expect(page.get_by_label("Introduction")).to_have_value("New dates for the spring. Book early.")
    assert_no_violations(page)
    look(page, "compose-errors")

    page.get_by_label("Subject").fill("New safeguarding training this spring")
    page.get_by_role("checkbox", name=re.compile("Working Together")).check()
    page.get_by_role("checkbox", name=re.compile("Child on child")).check()
    look(page, "compose")
    page.get_by_role("button", name="Save and preview").click()

    newsletter = Newsletter.objects.get()
    expect_path(page, f"/courses/newsletters/{newsletter.pk}/")
    expect(page.locator("main h1")).to_have_text("New safeguarding training this spring")
    email = page.frame_locator("#email-preview")
    expect(email.get_by_role("link", name="Working Together: the essentials")).to_be_visible()
    expect(email.locator("body")).to_contain_text("15 places left")
    expect(email.locator("body")).to_contain_text("Dear Bea")
    expect(page.locator("main pre")).to_contain_text("Find out more and book: http")
    assert_no_violations(page)
    look(page, "preview")

    page.locator("main").get_by_role("link", name="Send the newsletter").click()
    expect(page.locator("main h1")).to_have_text("Send the newsletter")
    assert_no_violations(page)
    look(page, "send")
    page.get_by_role("button", name="Send to 1 person").click()

    expect(page.locator(".alert-success")).to_contain_text("is on its way to 1 person")
    expect(page.locator("main")).to_contain_text("Sent to 1 person on")
    assert_no_violations(page)
    look(page, "sent")
    [message] = [m for m in mail.outbox if m.to == [amy.email]]
    assert message.subject == "New safeguarding training this spring"


def test_a_delegate_stops_the_newsletter_from_the_email(page, live_server):
    amy = UserFactory(email="amy@example.org", newsletter_opt_in=True)
    bea = UserFactory(roles=[Role.BUSINESS_SUPPORT])
    from django.utils import timezone

    from newsletter import services

    newsletter = services.newsletter_create(by=bea, subject="Spring", introduction="",
                                            events=[EventFactory()], now=timezone.now())
    services.newsletter_send(newsletter=newsletter, by=bea, now=timezone.now())
    [message] = [m for m in mail.outbox if m.to == [amy.email]]
    link = urlsplit(message.extra_headers["List-Unsubscribe"].strip("<>"))

    page.goto(f"{link.path}?{link.query}")
    expect(page.locator("main h1")).to_have_text("Stop getting the training newsletter?")
    assert_no_violations(page)
    look(page, "unsubscribe-confirm")
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is True
    page.get_by_role("button", name="Stop the newsletter").click()

    expect(page.locator("main h1")).to_have_text("You will not get the training newsletter")
    assert_no_violations(page)
    look(page, "unsubscribe-done")
    amy.refresh_from_db()
    assert amy.newsletter_opt_in is False

    page.goto(f"{link.path}?token=tampered{link.query[-6:]}")
    expect(page.locator("main h1")).to_have_text("This link does not work")
    assert_no_violations(page)
    look(page, "unsubscribe-bad-link")
