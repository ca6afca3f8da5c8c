"""The home page of tasks (issue 11) in Chromium: a delegate, a facilitator and an officer
each land on their tasks after signing in; axe-core finds nothing at 1280 and 320 px, with
tasks waiting and with nothing waiting."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD
from tests.helpers import TOTP_SECRET
from tests.home.test_home_pages import delegate_with_tasks, facilitator_with_tasks, officer_tasks

from .steps import axe_clean, sign_in_with_code

pytestmark = pytest.mark.e2e


def home(page, user, name):
    page.context.clear_cookies()
    sign_in_with_code(page, user.email, PASSWORD, TOTP_SECRET)
    page.goto("/account/")
    axe_clean(page, name, widths=(1280, 320))
    return page.locator("main")


def test_home_pages_show_each_roles_tasks_without_axe_violations(page, make_user):
    officer = make_user(Role.OFFICER)
    main = home(page, officer, "home-officer-empty")
    expect(main.get_by_text("Nothing waiting for you.")).to_be_visible()

    delegate = make_user(Role.DELEGATE)
    main = home(page, delegate, "home-delegate-empty")
    expect(main.get_by_role("heading", name="Your training")).to_be_visible()
    expect(main.get_by_text("Nothing waiting for you.")).to_be_visible()

    delegate_with_tasks(delegate)
    main = home(page, delegate, "home-delegate")
    expect(main.get_by_role("link", name="Your next event: Neglect awareness")).to_be_visible()
    expect(main.get_by_role("link", name="Join the event online")).to_be_visible()
    main.get_by_role("link", name="1 evaluation to complete").click()
    expect(page.locator("h1")).to_have_count(1)
    assert page.url.endswith("/evaluations/")

    facilitator = make_user(Role.FACILITATOR)
    facilitator_with_tasks(facilitator)
    main = home(page, facilitator, "home-facilitator")
    expect(main.get_by_role("heading", name="Delivering training")).to_be_visible()
    expect(main.get_by_role("link", name="1 register still to mark after the event")
           ).to_be_visible()

    officer_tasks()
    main = home(page, officer, "home-officer")
    expect(main.get_by_role("heading", name="Running the programme")).to_be_visible()
    link = main.get_by_role("link",
                            name="1 late cancellation waiting for a decision on its charge")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("h1")).to_have_count(1)
    assert "/charging/charges/" in page.url
