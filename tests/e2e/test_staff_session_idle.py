"""A staff member idle for longer than the partnership allows is signed out: the next page
says why and, once they have signed in again (password and code), they are back where they
were going. Their session cookie ends with the browser."""

import re
import time

import pytest
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import expect

from accounts.roles import Role
from accounts.sessions import LAST_SEEN
from tests.factories import PASSWORD, UserFactory
from tests.helpers import TOTP_SECRET, fresh_totp_code, totp_activate

from .steps import _CODES_USED, SIGN_IN_BUTTON, axe_clean, expect_path, sign_in_with_code

pytestmark = pytest.mark.e2e

SETTINGS = "/manage/partnership/"


def test_an_idle_officer_signs_in_again_and_returns_to_the_page(page):
    officer = UserFactory(roles=[Role.OFFICER], email="idle.officer@partnership.example")
    totp_activate(officer)
    sign_in_with_code(page, officer.email, PASSWORD, TOTP_SECRET)
    assert page.goto(SETTINGS).status == 200

    [cookie] = [c for c in page.context.cookies() if c["name"] == "sessionid"]
    assert cookie["expires"] == -1  # a browser-session cookie: gone when the browser closes

    # Thirty-one minutes pass without a request.
    session = SessionStore(cookie["value"])
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()

    page.goto(SETTINGS)
    expect_path(page, "/accounts/login/")
    expect(page.locator(".messages")).to_contain_text(
        "You were signed out because you were inactive for 30 minutes. "
        "Sign in again to continue.")
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_have_count(0)
    axe_clean(page, "signed-out-when-idle", widths=(None, 320))

    main = page.locator("main")
    main.get_by_label(re.compile(r"^\s*email", re.I)).fill(officer.email)
    main.get_by_label(re.compile(r"^\s*password", re.I)).fill(PASSWORD)
    main.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_load_state()
    expect_path(page, "/accounts/2fa/authenticate/")
    code = fresh_totp_code(TOTP_SECRET, min_left=4)
    if code == _CODES_USED.get(officer.email):  # a code works once: wait for the next one
        time.sleep(30 - time.time() % 30 + 0.2)
        code = fresh_totp_code(TOTP_SECRET, min_left=4)
    page.locator("main input[name=code]").fill(code)
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()

    expect_path(page, SETTINGS)
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
