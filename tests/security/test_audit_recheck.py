"""The outside auditor's re-check of issue 7 (two-factor bypass, login limits, CSP, XSS).

Each test either pins a hole the re-check found (the test failed before the fix) or guards a
way round the fixes that the re-check tried and found shut, so that it stays shut:

- two-factor authentication: whoever holds a permission (however it was given) must enter
  the code; no URL of the project (allauth's own pages, the admin's, htmx requests, POSTs,
  odd spellings of a path) opens to a staff session that has not entered it; a role given
  mid-session asks for it on the next request; recovery codes count as the code;
- login limits: behind the reverse proxy the README asks for, each visitor has their own
  per-address limit (not one shared by everyone), which a forged X-Forwarded-For does not
  escape; five wrong passwords lock the account whatever address they come from; password
  reset requests are limited;
- headers: the policy is on every kind of response (redirects, 405, 500, the health JSON,
  static files, calendar files, htmx fragments); the production settings pass
  `check --deploy`.

These tests sign in by posting the real forms (or Django's login(), as the old admin login
did); none relies on client.force_login (tests/conftest.py makes that a completed login)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PASSWORD, UserFactory
from tests.helpers import fresh_totp_code

from .test_csp import assert_permissions_policy, assert_strict_policy

ROOT = Path(__file__).resolve().parents[2]
SITE_LOGIN = reverse("account_login")
MFA_AUTHENTICATE = reverse("mfa_authenticate")
MFA_REAUTHENTICATE = reverse("mfa_reauthenticate")
MFA_ACTIVATE = reverse("mfa_activate_totp")
PASSWORD_REAUTHENTICATE = reverse("account_reauthenticate")
# Where a staff session that has not entered the code may be sent.
NOT_YET = (SITE_LOGIN, MFA_AUTHENTICATE, MFA_REAUTHENTICATE, MFA_ACTIVATE,
           PASSWORD_REAUTHENTICATE)
# Pages such a session may open (accounts.middleware): signing in and out, the code, setting
# the authenticator up, the health check.
OPEN_BEFORE_THE_CODE = {"account_login", "account_logout", "mfa_authenticate",
                        "mfa_reauthenticate", "account_reauthenticate", "mfa_activate_totp",
                        "healthz"}



def site_login(client, email, password=PASSWORD, **extra):
    return client.post(SITE_LOGIN, {"login": email, "password": password}, **extra)


def assert_sent_for_the_code(response, url):
    assert response.status_code == 302, (
        f"{url} answered {response.status_code} to a session that has not entered the "
        "authenticator code")
    assert response["Location"].startswith(NOT_YET), (url, response["Location"])


# --- Two-factor authentication ---------------------------------------------------------------

def _permission(codename, app_label="core"):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["permission given to the person", "group that is not a role",
                                 "administration (staff) flag"])
def test_whoever_holds_a_permission_must_enter_the_code(
        client, how, django_capture_on_commit_callbacks):
    """A site administrator can give a person a permission straight (the admin's "user
    permissions"), put them in a group of their own making, or tick "staff status": each
    opens other people's information (the audit log, the administration) just as a role does,
    so each needs two-factor authentication. Before the re-check only the roles' groups and
    superusers did: a password alone opened the audit log."""
    person = UserFactory(roles=[Role.DELEGATE], email="helper@partnership.example")
    if how == "permission given to the person":
        person.user_permissions.add(_permission("view_auditentry"))
        url = reverse("core:auditentry-list")
    elif how == "group that is not a role":
        group = Group.objects.create(name="Safeguarding auditors")
        group.permissions.add(_permission("view_auditentry"))
        person.groups.add(group)
        url = reverse("core:auditentry-list")
    else:
        person.is_staff = True
        person.save(update_fields=["is_staff"])
        url = reverse("admin:index")

    assert site_login(client, person.email).status_code == 302

    assert_sent_for_the_code(client.get(url), url)
    assert client.get(reverse("accounts:dashboard"))["Location"] == MFA_ACTIVATE
    # Having set the authenticator up (which means typing a code it made), the page opens.
    response = client.post(f"{PASSWORD_REAUTHENTICATE}?next={MFA_ACTIVATE}",
                           {"password": PASSWORD})
    assert response.status_code == 302
    page = client.get(MFA_ACTIVATE)
    assert page.status_code == 200
    secret = page.context["form"].secret
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(MFA_ACTIVATE, {"code": fresh_totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_delegate_with_no_permission_still_signs_in_with_the_password_alone(client):
    person = UserFactory(roles=[Role.DELEGATE])
    assert site_login(client, person.email).status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_role_given_while_signed_in_asks_for_the_code_at_the_next_request(client, make_user):
    """An officer gives a delegate a staff role while the delegate is signed in (password
    only): the delegate's very next request must set up and enter the code."""
    from accounts.services import user_roles_set

    person = UserFactory(roles=[Role.DELEGATE])
    assert site_login(client, person.email).status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200

    user_roles_set(user=person, roles=[Role.DELEGATE, Role.FACILITATOR],
                   by=make_user(Role.OFFICER))

    for url in (reverse("accounts:dashboard"), reverse("courses:trainingpool-list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == MFA_ACTIVATE, (url, response["Location"])


@pytest.mark.django_db
def test_a_recovery_code_counts_as_the_code(client, make_user):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    officer = make_user(Role.OFFICER)
    code = RecoveryCodes.activate(officer).get_unused_codes()[0]

    assert site_login(client, officer.email)["Location"] == MFA_AUTHENTICATE
    response = client.post(MFA_AUTHENTICATE, {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("core:auditentry-list")).status_code == 200
    # And it is spent: the next sign-in cannot use it again.
    client.post(reverse("account_logout"))
    site_login(client, officer.email)
    assert client.post(MFA_AUTHENTICATE, {"code": code}).status_code == 200
    assert "_auth_user_id" not in client.session


# Odd spellings of staff paths: each must stay shut (a redirect to the code, or not found).
PATH_TRICKS = ["/admin//", "/ADMIN/", "/admin/./", "/admin/accounts/user/.", "//admin/",
               "/admin/%2F", "/admin%2F", "/static/../admin/", "/media/../admin/",
               "/manage/audit//", "/manage/audit/%2e", "/accounts/2fa/totp/deactivate//",
               "/accounts/email/?next=/admin/", "/admin/login/?next=/admin/"]


@pytest.mark.django_db
def test_no_url_opens_to_a_staff_session_before_the_code():
    """Every URL pattern of the project (allauth's own pages: email addresses, password
    change, two-factor deactivation and recovery codes; the admin's logout and password
    change; htmx partials; PDFs, calendar files and downloads), GET, POST and as an htmx
    request, with the URL's parameters filled as in the access matrix, sends an officer who
    has only given the password, and a facilitator with no authenticator yet, to the code.
    Only signing in and out, the code itself and the health check answer."""
    from .test_access_matrix import _params, build_world, url_for, url_patterns

    patterns = url_patterns()
    w = build_world()
    params = _params(w)
    urls = {key: url_for(key, route, w, params) for key, route in patterns.items()}
    no_app = UserFactory(roles=[Role.FACILITATOR], email="no-app-yet@partnership.example")

    failures = []
    for who in (w.users["officer"], no_app):
        client = Client(raise_request_exception=False)
        assert client.login(username=who.email, password=PASSWORD)
        for key, url in sorted(urls.items()):
            if key in OPEN_BEFORE_THE_CODE:
                continue
            for method in ("GET", "POST", "HTMX"):
                with transaction.atomic():
                    if method == "GET":
                        response = client.get(url)
                    elif method == "POST":
                        response = client.post(url)
                    else:
                        response = client.get(url, headers={"HX-Request": "true"})
                    transaction.set_rollback(True)
                if method == "HTMX":
                    shut = (response.status_code == 200
                            and response.get("HX-Redirect", "").startswith(NOT_YET))
                else:
                    shut = (response.status_code == 302
                            and response["Location"].startswith(NOT_YET))
                if not shut:
                    failures.append(f"{method} {url} [{key}] as {who.email}: "
                                    f"{response.status_code} {response.get('Location', '')}")
        for url in PATH_TRICKS:
            response = client.get(url)
            if response.status_code not in (302, 404) or (
                    response.status_code == 302
                    and not response["Location"].startswith(NOT_YET)):
                failures.append(f"GET {url} as {who.email}: {response.status_code} "
                                f"{response.get('Location', '')}")
        assert "_auth_user_id" in client.session, "the sweep signed itself out"
    assert not failures, "\n".join(failures)


# --- Login limits ------------------------------------------------------------------------------

PROXY = "172.18.0.1"  # the reverse proxy (README: gunicorn listens behind it)


def _production_python(script):
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8",
           "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "training.example",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres"}
    prelude = ("import environ; environ.Env.read_env = classmethod(lambda *a, **k: None)\n"
               "import json, django; django.setup()\n")
    result = subprocess.run([sys.executable, "-c", prelude + script], cwd=ROOT,
                            capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_behind_the_proxy_each_visitor_is_counted_at_their_own_address():
    """In production every request reaches gunicorn from the reverse proxy, so REMOTE_ADDR
    is the proxy's for everyone: allauth's per-address limits (10 wrong passwords a minute,
    30 sign-ins a minute, 20 password resets a minute) were one budget for the whole site,
    and anyone could lock everyone out with ten wrong passwords a minute. The production
    settings must take the visitor's address from the proxy's X-Forwarded-For: the address
    the proxy itself added (the last), never one the visitor wrote (a forged first entry)."""
    out = _production_python(
        "from django.conf import settings\n"
        "from django.test import RequestFactory\n"
        "from allauth.account.adapter import get_adapter\n"
        f"rf = RequestFactory(REMOTE_ADDR={PROXY!r})\n"
        "ip = lambda xff: get_adapter().get_client_ip(rf.get('/', HTTP_X_FORWARDED_FOR=xff))\n"
        "print(json.dumps({'a': ip('203.0.113.5'), 'b': ip('198.51.100.7'),\n"
        "                  'forged': ip('192.0.2.99, 203.0.113.5'),\n"
        "                  'count': getattr(settings, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0)}))\n")
    seen = json.loads(out.strip().splitlines()[-1])
    assert seen["a"] == "203.0.113.5", seen
    assert seen["b"] == "198.51.100.7", seen
    assert seen["forged"] == "203.0.113.5", seen
    assert seen["count"] >= 1


@pytest.mark.django_db
def test_wrong_passwords_from_one_visitor_do_not_lock_out_another_behind_the_proxy():
    """The same, end to end, with the production settings' proxy count: ten wrong passwords
    from one visitor (at ten addresses of the site) lock that visitor, forged header or not,
    and another visitor still signs in."""
    count = json.loads(_production_python(
        "from django.conf import settings\n"
        "print(json.dumps(getattr(settings, 'ALLAUTH_TRUSTED_PROXY_COUNT', 0)))\n"
    ).strip().splitlines()[-1])
    colleague = UserFactory(roles=[Role.DELEGATE], email="colleague@partnership.example")

    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=count):
        attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")
        for n in range(10):
            site_login(attacker, f"someone{n}@partnership.example", "not-the-password-9")
        forged = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
        refused = site_login(forged, "someone-else@partnership.example", "not-the-password-9")
        assert refused.status_code == 429 or "Too many failed login attempts" in (
            refused.content.decode())

        visitor = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
        response = site_login(visitor, colleague.email)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert "_auth_user_id" in visitor.session


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_from_any_address(make_user):
    officer = make_user(Role.OFFICER)
    for n in range(5):
        client = Client(REMOTE_ADDR=f"203.0.113.{n + 1}")
        assert site_login(client, officer.email, "not-the-password-9").status_code == 200

    client = Client(REMOTE_ADDR="198.51.100.7")
    response = site_login(client, officer.email)
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode() or (
        response.status_code == 429)
    assert client.get(MFA_AUTHENTICATE)["Location"].startswith(SITE_LOGIN)


@pytest.mark.django_db
def test_password_reset_requests_are_limited(client, django_capture_on_commit_callbacks):
    from django.core import mail

    person = UserFactory(roles=[Role.DELEGATE])
    mail.outbox.clear()
    for _ in range(8):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("account_reset_password"), {"email": person.email})
    sent = [m for m in mail.outbox if person.email in m.to]
    assert 1 <= len(sent) <= 5, len(sent)


# --- Headers -------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_every_kind_of_response_carries_the_policies(client, make_user, monkeypatch):
    from courses.views import CalendarFeedView

    responses = {
        "redirect to sign in": client.get(reverse("accounts:dashboard")),
        "health JSON": client.get(reverse("healthz")),
        "health text": client.get(reverse("healthz-live")),
        "static file": client.get("/static/css/site.css"),
        "calendar file": client.get(reverse("courses:calendar-feed")),
        "htmx fragment": client.get(reverse("courses:course-list"),
                                    headers={"HX-Request": "true"}),
        "method not allowed": client.put(reverse("courses:course-list")),
        "not found": client.get("/no-such-page/"),
    }

    def broken(self, request):
        raise RuntimeError("the re-check breaks this view")

    monkeypatch.setattr(CalendarFeedView, "get", broken)
    responses["server error"] = Client(raise_request_exception=False).get(
        reverse("courses:calendar-feed"))

    statuses = {name: r.status_code for name, r in responses.items()}
    assert statuses == {"redirect to sign in": 302, "health JSON": 200, "health text": 200,
                        "static file": 200, "calendar file": 200, "htmx fragment": 200,
                        "method not allowed": 405, "not found": 404, "server error": 500}
    for name, response in responses.items():
        assert_strict_policy(response.get("Content-Security-Policy"), name)
        assert_permissions_policy(response.get("Permissions-Policy"), name)


def test_production_settings_pass_the_deployment_check():
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8",
           "DJANGO_SETTINGS_MODULE": "ddscp_training.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "training.example",
           "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
           "HOME": os.environ.get("HOME", "/tmp")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout, result.stdout
