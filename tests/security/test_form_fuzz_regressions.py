"""What tests/security/test_form_fuzz.py found, as plain examples that stay after a fix."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# A "next" address that Python's URL parser refuses (an unclosed IPv6 host): allauth's
# is_safe_url raised ValueError on it, a 500 on every sign-in and sign-up page.
BAD_NEXT = "http://[::1"


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"],
                         ids=["sign-in", "sign-up"])
def test_an_unreadable_next_address_still_shows_the_page(client, path):
    response = client.get(path, {"next": BAD_NEXT})

    assert response.status_code == 200
    assert b'href="http://[::1' not in response.content  # not offered as a link to follow


def test_sign_up_with_errors_and_an_unreadable_next_address_shows_the_errors(client):
    response = client.post("/accounts/signup/", {
        "first_name": "Ada", "last_name": "Lovelace", "email": "not-an-email",
        "password1": "", "password2": "", "next": BAD_NEXT})

    assert response.status_code == 200
    assert b'id="error-summary-title"' in response.content


def test_signing_in_with_an_unreadable_next_address_goes_to_the_usual_page(client):
    delegate = UserFactory(email="dee@example.org")

    response = client.post("/accounts/login/", {
        "login": delegate.email, "password": PASSWORD, "next": BAD_NEXT})

    assert response.status_code == 302
    assert response["Location"] == "/account/"
