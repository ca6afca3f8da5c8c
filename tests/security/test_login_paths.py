"""Guard: staff login paths. Every staff role (and the site administrator) is signed in by
every way the site offers, and no staff page may open until this session has entered the
code from the authenticator app; once it has, the role's own pages open.

The paths: the site's sign-in form; the admin's login (/admin/login/); a password reset link
(then signing in with the new password if the reset does not sign in); "remember me" then a
new request with the same cookie; a session signed in before the authenticator was set up
(set up elsewhere meanwhile); and setting the authenticator up in this session (which counts
as entering the code).

These tests post the real forms: they never use client.force_login (which tests/conftest.py
turns into "completed login", code included)."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.helpers import fresh_totp_code, totp_activate

from .figures import FIGURES

SITE_ADMIN = "site_admin"
STAFF_ROLES = [*(r for r in Role if r != Role.DELEGATE), SITE_ADMIN]
NEW_PASSWORD = "a-new-long-passphrase-42"

SITE_LOGIN = reverse("account_login")
MFA_AUTHENTICATE = reverse("mfa_authenticate")
MFA_REAUTHENTICATE = reverse("mfa_reauthenticate")
MFA_ACTIVATE = reverse("mfa_activate_totp")
PASSWORD_REAUTHENTICATE = reverse("account_reauthenticate")
# Where a session that has not entered the code may be sent: signing in, the code, or (with
# no authenticator yet) confirming the password to set one up.
NOT_YET = (SITE_LOGIN, MFA_AUTHENTICATE, MFA_REAUTHENTICATE, MFA_ACTIVATE,
           PASSWORD_REAUTHENTICATE)

OFFICER_PAGES = [
    "accounts:dashboard", "core:auditentry-list", "core:partnership-update", "admin:index",
    "charging:charge-list", "courses:manage-event-list",
    "accounts:organisation-list", "reports:report-list",
]
# Each role's staff pages: they must open (200) once the code is entered.
ROLE_PAGES = {
    Role.OFFICER: OFFICER_PAGES,
    SITE_ADMIN: OFFICER_PAGES,
    Role.FACILITATOR: ["accounts:dashboard", "courses:trainingpool-list",
                       "bookings:facilitator-event-list"],
    Role.BUSINESS_SUPPORT: ["accounts:dashboard", "courses:newsletter-list",
                            "courses:manage-event-list", "accounts:organisation-list"],
    Role.LOD_MEMBER: ["accounts:dashboard", "reports:report-list"],
    Role.SAFEGUARDING_LEAD: ["accounts:dashboard", "accounts:organisation-staff"],
    Role.FINANCE_CONTACT: ["accounts:dashboard", "accounts:organisation-account"],
}
# Before the code, every staff page of every role must stay shut, whoever asks.
ALL_STAFF_PAGES = sorted({name for names in ROLE_PAGES.values() for name in names})

# Counters for the figure printed at the end of the run (tests/security/figures.py).
CHECKED = {"cells": set(), "paths": set(), "roles": set(), "shut": 0, "opened": 0}


def record_figure(path, role):
    CHECKED["cells"].add((path, role))
    CHECKED["paths"].add(path)
    CHECKED["roles"].add(role)
    FIGURES["login paths"] = (
        f"{len(CHECKED['paths'])} paths x {len(CHECKED['roles'])} staff roles checked "
        f"({len(CHECKED['cells'])} combinations; {CHECKED['shut']} staff page requests "
        f"refused before the code, {CHECKED['opened']} opened after it)"
    )



def staff_user(role, *, mfa=True):
    if role == SITE_ADMIN:
        user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    else:
        user = UserFactory(roles=[role])
    if mfa:
        totp_activate(user)
    return user


def signed_in(client):
    return "_auth_user_id" in client.session


def code_step_pending(client):
    """Password given, code owed: allauth's sign-in is waiting at the code page."""
    return client.get(MFA_AUTHENTICATE).status_code == 200


def site_login(client, email, password, **extra):
    return client.post(SITE_LOGIN, {"login": email, "password": password, **extra})


def assert_staff_pages_shut(client, how):
    for name in ALL_STAFF_PAGES:
        url = reverse(name)
        response = client.get(url, follow=True)
        assert response.redirect_chain, (
            f"{how}: {url} answered {response.status_code} before the authenticator code")
        final = response.redirect_chain[-1][0]
        assert final.startswith(NOT_YET), (
            f"{how}: {url} led to {final}, not the sign-in or the code",
            response.redirect_chain)
        CHECKED["shut"] += 1


def assert_role_pages_open(client, role, how):
    for name in ROLE_PAGES[role]:
        url = reverse(name)
        response = client.get(url)
        assert response.status_code == 200, (
            f"{how}: {url} answered {response.status_code} after the authenticator code "
            f"({response.get('Location', '')})")
        CHECKED["opened"] += 1


def complete_totp(client):
    """Enter the code wherever this session is asked for it: allauth's sign-in step when the
    password was just given, else its "enter the code" (reauthentication) page."""
    if code_step_pending(client):
        response = client.post(MFA_AUTHENTICATE, {"code": fresh_totp_code()})
    else:
        response = client.post(f"{MFA_REAUTHENTICATE}?next=/account/",
                               {"code": fresh_totp_code()})
    assert response.status_code == 302, response.status_code
    assert signed_in(client)


# The paths. Each gives the password its way and returns; the test then checks the pages.

def path_site_login(client, user):
    response = site_login(client, user.email, PASSWORD)
    assert response.status_code == 302


def path_admin_login(client, user):
    """The admin's own login form; if it leads to the site's sign-in, give the password
    there (the form it now leads to)."""
    response = client.post("/admin/login/?next=/admin/",
                           {"username": user.email, "password": PASSWORD})
    if response.status_code == 302 and response["Location"].startswith(SITE_LOGIN):
        response = site_login(client, user.email, PASSWORD,
                              next=re.search(r"next=([^&]*)", response["Location"]).group(1))
    assert response.status_code == 302


def path_password_reset(client, user, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    (message,) = [m for m in mail.outbox if user.email in m.to]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert link, message.body
    response = client.get(link.group(1), follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link.group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302, response.status_code
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The reset may or may not sign in (ACCOUNT_LOGIN_ON_PASSWORD_RESET): either way no
    # staff page may open yet. If it did not, sign in with the new password as the user would.
    assert_staff_pages_shut(client, "straight after the password reset")
    if not signed_in(client) and not code_step_pending(client):
        assert site_login(client, user.email, NEW_PASSWORD).status_code == 302


def path_remembered_session(client, user):
    assert site_login(client, user.email, PASSWORD, remember="on").status_code == 302
    # The browser closes and comes back with the same cookie: a new client, a new request.
    again = Client()
    again.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[
        settings.SESSION_COOKIE_NAME].value
    assert_staff_pages_shut(again, "a remembered session before the code")


PATHS = {
    "site login form": path_site_login,
    "admin login": path_admin_login,
    "password reset link": path_password_reset,
    "remembered session": path_remembered_session,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
@pytest.mark.parametrize("path", list(PATHS))
def test_no_staff_page_opens_before_the_code(client, role, path,
                                             django_capture_on_commit_callbacks):
    user = staff_user(role)
    if path == "password reset link":
        PATHS[path](client, user, django_capture_on_commit_callbacks)
    else:
        PATHS[path](client, user)

    assert_staff_pages_shut(client, f"{path}, password given")

    complete_totp(client)
    assert_role_pages_open(client, role, f"{path}, code entered")
    if path == "remembered session":
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        # Issue 15: a staff session ends when the browser closes, "Remember me" or not
        # (accounts.sessions); the cookie still works for the rest of the browser session.
        assert not cookie["max-age"], "a staff session cookie outlived the browser"
        again = Client()
        again.cookies[settings.SESSION_COOKIE_NAME] = cookie.value
        assert_role_pages_open(again, role, "a remembered session after the code")
    record_figure(path, role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
def test_a_session_from_before_the_authenticator_was_set_up_must_enter_the_code(client, role):
    """Signed in while they had no authenticator (sent to set one up), then the authenticator
    is set up elsewhere: this session has never entered a code and must now."""
    user = staff_user(role, mfa=False)
    assert site_login(client, user.email, PASSWORD).status_code == 302
    assert signed_in(client)
    assert_staff_pages_shut(client, "signed in with no authenticator")

    totp_activate(user)
    assert client.get(reverse("accounts:dashboard"))["Location"].startswith(MFA_REAUTHENTICATE)
    assert_staff_pages_shut(client, "authenticator set up elsewhere")

    complete_totp(client)
    assert_role_pages_open(client, role, "session from before set-up, code entered")
    record_figure("session from before set-up", role)


@pytest.mark.django_db
@pytest.mark.parametrize("role", STAFF_ROLES, ids=str)
def test_setting_the_authenticator_up_in_this_session_counts_as_the_code(
        client, role, django_capture_on_commit_callbacks):
    user = staff_user(role, mfa=False)
    assert site_login(client, user.email, PASSWORD).status_code == 302
    assert client.get(reverse("accounts:dashboard"))["Location"] == MFA_ACTIVATE
    assert_staff_pages_shut(client, "signed in with no authenticator")

    # allauth asks for the password again before an authenticator is added.
    response = client.post(f"{PASSWORD_REAUTHENTICATE}?next={MFA_ACTIVATE}",
                           {"password": PASSWORD})
    assert response.status_code == 302
    response = client.get(MFA_ACTIVATE)
    assert response.status_code == 200
    secret = response.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MFA_ACTIVATE, {"code": fresh_totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(response["Location"]).status_code == 200  # the recovery codes

    assert_role_pages_open(client, role, "authenticator set up in this session")
    record_figure("authenticator set up in this session", role)
