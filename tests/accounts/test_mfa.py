"""Staff sign in with a password and then a code from their authenticator app."""


import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.factories import PASSWORD
from tests.helpers import fresh_totp_code, totp_code

LOGIN = reverse("account_login")
AUTHENTICATE = reverse("mfa_authenticate")



def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER, email="officer@partnership.example")


@pytest.mark.django_db
def test_password_alone_does_not_sign_in_staff(client, officer):
    response = client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == AUTHENTICATE
    assert signed_in_user_id(client) is None
    # The pages still need signing in.
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard["Location"].startswith(LOGIN)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["000000", "12345", "abcdef", ""],
                         ids=["wrong-code", "too-short", "letters", "empty"])
def test_a_wrong_code_is_explained_and_does_not_sign_in(client, officer, code):
    if code == "000000" and fresh_totp_code() == code:  # one chance in a million
        code = "999999"
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})

    response = client.post(AUTHENTICATE, {"code": code})

    assert response.status_code == 200
    errors = response.context["form"].errors["code"]
    assert errors
    assert any(e in response.content.decode() for e in errors)
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_the_right_code_signs_in(client, officer):
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})

    response = client.post(AUTHENTICATE, {"code": fresh_totp_code()})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert signed_in_user_id(client) == str(officer.pk)
    assert client.get(reverse("core:partnership-update")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_then_the_right_one_signs_in(client, officer):
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    code = fresh_totp_code()
    wrong = "111111" if code != "111111" else "222222"
    assert client.post(AUTHENTICATE, {"code": wrong}).status_code == 200
    response = client.post(AUTHENTICATE, {"code": fresh_totp_code()})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(officer.pk)


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(client, officer):
    """Someone who watched the code being typed cannot reuse it in the same 30 seconds."""
    code = fresh_totp_code(min_left=10)
    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert client.post(AUTHENTICATE, {"code": code}).status_code == 302
    client.logout()

    client.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    response = client.post(AUTHENTICATE, {"code": code})
    assert totp_code() == code, "the test took too long: the code is no longer current"
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert signed_in_user_id(client) is None


@pytest.mark.django_db
def test_a_delegate_signs_in_with_the_password_only(client, delegate):
    response = client.post(LOGIN, {"login": delegate.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    assert signed_in_user_id(client) == str(delegate.pk)
