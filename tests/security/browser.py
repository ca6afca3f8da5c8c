"""Sign-in helpers for the security tests: for the test client, a session that has passed
two-factor authentication (accounts.middleware asks staff sessions for it); for the browser
(the fixtures come from tests/e2e/conftest.py through this folder's conftest.py), a real
sign-in with the authenticator code."""

import time

from playwright.sync_api import expect

from tests.e2e.steps import sign_in_with_code
from tests.factories import PASSWORD
from tests.helpers import TOTP_SECRET


def client_sign_in(client, user):
    """Sign `user` in on the test client, with this session having passed the code, as
    allauth records it after the authenticator step."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )

    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()


def sign_in_as(page, user):
    """Sign in through the login form; staff also type their authenticator code."""
    sign_in_with_code(page, user.email, PASSWORD, TOTP_SECRET)
    expect(page.locator("header").get_by_role("button", name="Sign out")).to_be_visible()
