"""Staff sessions (issue 15): a staff member is signed out after the partnership's idle time
and when the browser closes; a delegate stays signed in longer. Changing a password or
removing an authenticator ends the person's other sessions at once."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.http import urlencode

from accounts.models import UserSession
from accounts.roles import Role
from accounts.sessions import LAST_SEEN
from core.models import AuditEntry, Partnership
from tests.core.test_partnership_settings import form_data
from tests.factories import PASSWORD
from tests.helpers import fresh_totp_code

LOGIN = reverse("account_login")
AUTHENTICATE = reverse("mfa_authenticate")
DASHBOARD = reverse("accounts:dashboard")
SETTINGS = reverse("core:partnership-update")
CHANGE_PASSWORD = reverse("account_change_password")
NEW_PASSWORD = "a-different-horse-42"


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, email="officer@partnership.example")


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def idle_for(client, seconds):
    """The session's last request was `seconds` ago (time moved on without a request)."""
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def session_exists(key):
    return Session.objects.filter(session_key=key).exists()


# Idle staff sessions ----------------------------------------------------------------------

@pytest.mark.django_db
def test_an_idle_staff_session_ends_after_the_settings_minutes(client, officer):
    minutes = Partnership.load().staff_session_idle_minutes
    assert minutes == 30
    client.force_login(officer)
    key = client.session.session_key

    idle_for(client, minutes * 60 - 30)
    assert client.get(SETTINGS).status_code == 200
    assert signed_in_as(client) == str(officer.pk)

    idle_for(client, minutes * 60 + 1)
    response = client.get(SETTINGS + "?tab=privacy")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?{urlencode({'next': SETTINGS + '?tab=privacy'})}"
    assert signed_in_as(client) is None
    assert not session_exists(key)
    assert not UserSession.objects.filter(user=officer).exists()
    page = client.get(response["Location"])
    assert ("You were signed out because you were inactive for 30 minutes. "
            "Sign in again to continue.") in page.content.decode()


@pytest.mark.django_db
def test_after_an_idle_sign_out_signing_in_returns_to_the_page_asked_for(client, officer):
    client.force_login(officer)
    idle_for(client, 31 * 60)
    login_url = client.get(SETTINGS)["Location"]

    response = client.post(login_url, {"login": officer.email, "password": PASSWORD})
    assert response["Location"] == AUTHENTICATE
    response = client.post(AUTHENTICATE, {"code": fresh_totp_code()})

    assert response.status_code == 302
    assert response["Location"] == SETTINGS
    assert signed_in_as(client) == str(officer.pk)
    assert client.get(SETTINGS).status_code == 200


@pytest.mark.django_db
def test_an_idle_htmx_request_sends_the_whole_page_to_sign_in(client, officer):
    client.force_login(officer)
    idle_for(client, 31 * 60)
    response = client.get(SETTINGS, headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/manage/audit/?page=2"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{LOGIN}?{urlencode({'next': '/manage/audit/?page=2'})}"
    assert signed_in_as(client) is None


@pytest.mark.django_db
def test_a_site_administrator_is_staff_too(client, site_admin):
    client.force_login(site_admin)
    idle_for(client, 31 * 60)
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)
    assert signed_in_as(client) is None


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.BUSINESS_SUPPORT, Role.LOD_MEMBER,
                                  Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_every_staff_role_is_signed_out_when_idle(client, make_user, role):
    client.force_login(make_user(role))
    idle_for(client, 31 * 60)
    assert client.get(DASHBOARD)["Location"].startswith(LOGIN)


@pytest.mark.django_db
def test_a_delegate_stays_signed_in_however_long_they_are_idle(client, delegate):
    client.force_login(delegate)
    assert LAST_SEEN not in client.session  # nothing is kept for a delegate
    idle_for(client, 8 * 60 * 60)  # even a stamp left from a staff role they no longer hold
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    assert signed_in_as(client) == str(delegate.pk)


@pytest.mark.django_db
def test_the_idle_time_an_officer_sets_takes_effect(client, officer, make_user):
    client.force_login(officer)
    response = client.post(SETTINGS, form_data(Partnership.load(),
                                                staff_session_idle_minutes="10"))
    assert response.status_code == 302
    assert Partnership.load().staff_session_idle_minutes == 10

    colleague = Client()
    colleague.force_login(make_user(Role.BUSINESS_SUPPORT))
    idle_for(colleague, 9 * 60)
    assert colleague.get(DASHBOARD).status_code == 200
    idle_for(colleague, 11 * 60)
    response = colleague.get(DASHBOARD, follow=True)
    assert ("You were signed out because you were inactive for 10 minutes. "
            "Sign in again to continue.") in messages_of(response)
    assert signed_in_as(colleague) is None


@pytest.mark.django_db
def test_a_staff_request_within_the_minute_neither_writes_the_session_nor_reads_settings(
        client, officer):
    client.force_login(officer)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("mfa_index")).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "django_session" in s and not s.startswith("SELECT")]
    # A minute on, the stamp is written again (one session write), and the session lives on.
    idle_for(client, 90)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("mfa_index")).status_code == 200
    assert [q for q in queries.captured_queries if q["sql"].startswith("UPDATE \"django_session\"")]
    assert int(time.time()) - client.session[LAST_SEEN] < 5


# Cookies: staff until the browser closes, delegates for longer --------------------------

def session_cookie(response):
    return response.cookies["sessionid"]


@pytest.mark.django_db
@pytest.mark.parametrize("remember", [False, True], ids=["plain", "remember-me-ticked"])
def test_a_staff_session_cookie_ends_when_the_browser_closes(client, officer, remember):
    data = {"login": officer.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    client.post(LOGIN, data)
    response = client.post(AUTHENTICATE, {"code": fresh_totp_code()})

    assert signed_in_as(client) == str(officer.pk)
    cookie = session_cookie(response)
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


@pytest.mark.django_db
def test_a_staff_member_without_an_authenticator_yet_has_a_browser_session_cookie(
        client, make_user):
    newcomer = make_user(Role.FACILITATOR, mfa=False)
    response = client.post(LOGIN, {"login": newcomer.email, "password": PASSWORD,
                                   "remember": "on"})
    assert signed_in_as(client) == str(newcomer.pk)
    assert session_cookie(response)["max-age"] == ""


@pytest.mark.django_db
def test_a_delegate_who_asks_to_be_remembered_keeps_a_lasting_cookie(client, delegate,
                                                                     settings):
    response = client.post(LOGIN, {"login": delegate.email, "password": PASSWORD,
                                   "remember": "on"})
    assert signed_in_as(client) == str(delegate.pk)
    cookie = session_cookie(response)
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE
    assert cookie["expires"]
    # Later requests leave it alone.
    client.get(DASHBOARD)
    assert not client.session.get_expire_at_browser_close()


# Other sessions ended -----------------------------------------------------------------------

def two_sessions(user):
    here, there = Client(), Client()
    here.force_login(user)
    there.force_login(user)
    return here, there


@pytest.mark.django_db
@pytest.mark.parametrize("staff", [False, True], ids=["delegate", "officer"])
def test_changing_the_password_ends_the_other_session_and_keeps_this_one(
        delegate, officer, staff):
    user = officer if staff else delegate
    here, there = two_sessions(user)
    there_key = there.session.session_key
    assert UserSession.objects.filter(user=user).count() == 2

    response = here.post(CHANGE_PASSWORD, {"oldpassword": PASSWORD, "password1": NEW_PASSWORD,
                                           "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not session_exists(there_key)
    assert there.get(DASHBOARD)["Location"].startswith(LOGIN)
    assert signed_in_as(there) is None
    assert here.get(DASHBOARD).status_code == 200
    assert signed_in_as(here) == str(user.pk)
    # The session that stays is still known under its new key, for the next change.
    assert list(UserSession.objects.filter(user=user).values_list("session_key", flat=True)) \
        == [here.session.session_key]
    entry = AuditEntry.objects.get(action="user.other_sessions_ended")
    assert entry.actor == user
    assert entry.target_id == str(user.pk)
    assert entry.details == {"reason": "password_changed", "sessions_ended": 1}


@pytest.mark.django_db
def test_removing_the_authenticator_ends_the_other_session(officer):
    here, there = two_sessions(officer)
    there_key = there.session.session_key

    # allauth asks for the password again before an authenticator is removed.
    assert here.post(reverse("account_reauthenticate"), {"password": PASSWORD}).status_code == 302
    response = here.post(reverse("mfa_deactivate_totp"))

    assert response.status_code == 302
    assert not officer.authenticator_set.filter(type="totp").exists()
    assert not session_exists(there_key)
    assert signed_in_as(there) is None
    assert there.get(DASHBOARD)["Location"].startswith(LOGIN)
    # This session stays signed in (and is asked to set an authenticator up again).
    assert signed_in_as(here) == str(officer.pk)
    assert here.get(DASHBOARD)["Location"] == reverse("mfa_activate_totp")
    entry = AuditEntry.objects.get(action="user.other_sessions_ended")
    assert entry.details == {"reason": "authenticator_removed", "sessions_ended": 1}


@pytest.mark.django_db
def test_a_password_reset_by_email_ends_every_session(client, delegate,
                                                      django_capture_on_commit_callbacks):
    signed_in = Client()
    signed_in.force_login(delegate)
    key = signed_in.session.session_key

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": delegate.email})
    [email] = [m for m in mail.outbox if delegate.email in m.to]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", email.body)
    form_page = client.get(link.group(1), follow=True)
    response = client.post(form_page.redirect_chain[-1][0],
                           {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 302
    assert not session_exists(key)
    assert signed_in.get(DASHBOARD)["Location"].startswith(LOGIN)
    assert AuditEntry.objects.get(action="user.other_sessions_ended").details["reason"] \
        == "password_reset"


@pytest.mark.django_db
def test_an_officer_changing_a_password_in_the_admin_ends_that_persons_sessions(
        client, officer, delegate):
    theirs = Client()
    theirs.force_login(delegate)
    their_key = theirs.session.session_key
    client.force_login(officer)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[delegate.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"})

    assert response.status_code == 302
    assert not session_exists(their_key)
    assert theirs.get(DASHBOARD)["Location"].startswith(LOGIN)
    assert client.get(DASHBOARD).status_code == 200  # the officer's own session goes on
    entry = AuditEntry.objects.get(action="user.other_sessions_ended")
    assert entry.actor == officer
    assert entry.target_id == str(delegate.pk)
    assert entry.details == {"reason": "password_changed_by_officer", "sessions_ended": 1}


@pytest.mark.django_db
def test_signing_out_forgets_the_session(client, delegate):
    client.force_login(delegate)
    assert UserSession.objects.filter(user=delegate).count() == 1
    client.post(reverse("account_logout"))
    assert not UserSession.objects.filter(user=delegate).exists()


@pytest.mark.django_db
def test_signing_in_forgets_sessions_that_have_expired(delegate):
    old = Client()
    old.force_login(delegate)
    Session.objects.filter(session_key=old.session.session_key).delete()  # expired, cleared
    Client().force_login(delegate)
    assert UserSession.objects.filter(user=delegate).count() == 1


@pytest.mark.django_db
def test_the_audit_log_names_the_action_in_words(client, officer):
    from core.audit_words import action_words, value_words

    assert action_words("user.other_sessions_ended") == "Other sessions ended"
    assert value_words("authenticator_removed") == "Authenticator app removed"
