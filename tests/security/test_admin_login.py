"""The Django admin's own login form must not be a way round two-factor authentication or
round allauth's lock after repeated wrong passwords.

It used to sign staff in with an email address and password alone (no authenticator code)
and answered every wrong password, however many. Now /admin/login/ sends everyone to the
site's sign-in (password, then the code), and a session that has not entered the code opens
no staff page, however it was signed in."""


import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PASSWORD
from tests.helpers import fresh_totp_code

ADMIN_LOGIN = "/admin/login/?next=/admin/"
SITE_LOGIN = reverse("account_login")
MFA_AUTHENTICATE = reverse("mfa_authenticate")
MFA_REAUTHENTICATE = reverse("mfa_reauthenticate")

# Pages an officer and the site administrator can open once signed in properly.
STAFF_PAGES = [
    "/admin/",
    "/admin/accounts/user/",
    "/manage/audit/",
    "/charging/charges/",
    "/account/organisations/",
]
# Where a session that still owes its authenticator code may be sent.
NOT_YET = (SITE_LOGIN, MFA_AUTHENTICATE, MFA_REAUTHENTICATE)



@pytest.fixture(params=["officer", "site_admin"])
def admin_user(request, make_user):
    if request.param == "officer":
        return make_user(Role.OFFICER, email="officer@partnership.example")
    return request.getfixturevalue("site_admin")


def admin_login_post(client, email, password):
    """Post the admin's login form; if it now leads to the site's sign-in, post there too
    (where a password is actually checked)."""
    response = client.post(ADMIN_LOGIN, {"username": email, "password": password})
    if response.status_code == 302 and response["Location"].startswith(SITE_LOGIN):
        response = client.post(response["Location"], {"login": email, "password": password})
    return response


def assert_no_staff_page_opens(client):
    """Each staff page sends the session on (perhaps by way of /admin/login/) to the sign-in
    or the authenticator code, never shows itself."""
    for url in STAFF_PAGES:
        response = client.get(url, follow=True)
        assert response.redirect_chain, (
            f"{url} answered {response.status_code} to a session that has not entered the "
            "authenticator code")
        final = response.redirect_chain[-1][0]
        assert final.startswith(NOT_YET), (url, response.redirect_chain)


@pytest.mark.django_db
def test_a_password_at_the_admin_login_opens_no_staff_page(client, admin_user):
    response = client.post(ADMIN_LOGIN, {"username": admin_user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith(SITE_LOGIN), response["Location"]
    assert "_auth_user_id" not in client.session
    assert_no_staff_page_opens(client)


@pytest.mark.django_db
def test_the_admin_login_leads_to_the_password_then_the_authenticator_code(client, admin_user):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith(SITE_LOGIN), response.redirect_chain
    login_url = response.redirect_chain[-1][0]

    response = client.post(login_url, {"login": admin_user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    assert_no_staff_page_opens(client)

    response = client.post(MFA_AUTHENTICATE, {"code": fresh_totp_code()}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith("/admin/"), response.redirect_chain
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_a_session_signed_in_with_a_password_alone_must_enter_the_code(client, admin_user):
    """A session made by the old admin login (Django's login() after a password, as
    client.login does) is still alive after the fix: it must enter the code before any
    staff page opens."""
    assert client.login(username=admin_user.email, password=PASSWORD)

    response = client.get("/manage/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith(MFA_REAUTHENTICATE), response["Location"]
    assert_no_staff_page_opens(client)
    code_page = response["Location"]
    page = client.get(code_page)
    assert page.status_code == 200
    assert "Enter the code from your authenticator app" in page.content.decode()

    code = fresh_totp_code()
    page = client.post(code_page, {"code": "111111" if code != "111111" else "222222"})
    assert page.status_code == 200
    assert page.context["form"].errors["code"]
    assert_no_staff_page_opens(client)

    response = client.post(code_page, {"code": fresh_totp_code()})
    assert response.status_code == 302
    assert response["Location"] == "/manage/audit/"
    for url in STAFF_PAGES:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_the_admin_login_is_locked_after_repeated_wrong_passwords(client, admin_user):
    for _ in range(6):
        admin_login_post(client, admin_user.email, "not-the-password-9")
        assert "_auth_user_id" not in client.session

    response = admin_login_post(client, admin_user.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    if response.status_code == 200:
        assert "Too many failed login attempts" in response.content.decode()
    # Not even to the authenticator code.
    assert client.get(MFA_AUTHENTICATE)["Location"].startswith(SITE_LOGIN)
    assert_no_staff_page_opens(client)
