"""Staff roles reach other people's information, so they sign in with an authenticator code,
and one who has not set an authenticator up is made to before anything else."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.helpers import TOTP_SECRET, totp_activate, totp_code

from .steps import expect_path, sign_in

pytestmark = pytest.mark.e2e

BASE32_SECRET = re.compile(r"\b[A-Z2-7]{16,}\b")


def wrong_code(secret):
    """A six-digit code that is not valid now, nor in the window either side of now."""
    now = time.time()
    valid = {totp_code(secret, at=now + drift) for drift in (-60, -30, 0, 30, 60)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 999999, 111111)) if c not in valid)


def current_code(secret=TOTP_SECRET):
    """The code for now, from a window with time left in it: allauth accepts only the
    current 30-second window (MFA_TOTP_TOLERANCE 0), so a code typed at :29.9 could fail."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp_code(secret)


def confirm_password_if_asked(page):
    """allauth (MFA_REAUTHENTICATION_REQUIRED, on by default) asks for the password again
    before an authenticator is added, even straight after signing in."""
    if "/accounts/reauthenticate/" not in page.url:
        return
    assert "next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F" in page.url, page.url
    main = page.locator("main")
    main.get_by_label(re.compile(r"^\s*password", re.I)).fill(PASSWORD)
    main.get_by_role("button", name=re.compile("confirm", re.I)).click()
    page.wait_for_load_state()


def test_officer_signs_in_with_authenticator_code(page):
    officer = UserFactory(roles=[Role.OFFICER], email="officer@partnership.example")
    totp_activate(officer)

    sign_in(page, officer.email, PASSWORD)
    expect_path(page, "/accounts/2fa/authenticate/")
    code_input = page.locator("main input[name=code]")
    expect(code_input).to_be_visible()
    # Not signed in yet: the code is still owed.
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_have_count(0)

    code_input.fill(wrong_code(TOTP_SECRET))
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()
    expect_path(page, "/accounts/2fa/authenticate/")
    expect(page.locator("main")).to_contain_text(re.compile("incorrect code", re.I))
    expect(page.locator("main input[name=code]")).to_have_attribute("aria-invalid", "true")

    page.locator("main input[name=code]").fill(current_code())
    page.locator("main").get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_load_state()
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()

    response = page.goto("/manage/partnership/")
    assert response.status == 200
    expect_path(page, "/manage/partnership/")
    expect(page.locator("main h1")).to_be_visible()


def test_officer_without_authenticator_must_set_one_up(page):
    officer = UserFactory(roles=[Role.OFFICER], email="new.officer@partnership.example")

    sign_in(page, officer.email, PASSWORD)
    # Signed in with a password alone, then sent to set up an authenticator app.
    expect(page.locator("main")).to_contain_text("you must set up two-factor authentication")
    confirm_password_if_asked(page)
    expect_path(page, "/accounts/2fa/totp/activate/")

    # Every other page sends them back here until they have.
    page.goto("/manage/partnership/")
    expect_path(page, "/accounts/2fa/totp/activate/")

    secret_field = page.locator("#authenticator_secret")
    if secret_field.count():
        secret = secret_field.input_value()
    else:
        secret = BASE32_SECRET.search(page.locator("main").inner_text()).group(0)
    assert BASE32_SECRET.fullmatch(secret), secret

    page.locator("main").get_by_label(re.compile(r"^\s*authenticator code", re.I)).fill(
        current_code(secret)
    )
    page.locator("main").get_by_role("button", name=re.compile("activate", re.I)).click()
    page.wait_for_load_state()
    assert Authenticator.objects.filter(user=officer, type=Authenticator.Type.TOTP).exists()

    response = page.goto("/manage/partnership/")
    assert response.status == 200
    expect_path(page, "/manage/partnership/")
