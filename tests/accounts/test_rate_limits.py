"""allauth's rate limits are on, counted in the shared cache (the database: see settings CACHES)."""

import pytest

from ..factories import PASSWORD


@pytest.mark.django_db
def test_after_five_wrong_passwords_even_the_right_one_is_refused_for_a_while(client, delegate):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": delegate.email, "password": "wrong-one-1"})
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
    response = client.post("/accounts/login/", {"login": delegate.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


@pytest.mark.django_db
def test_the_right_password_works_before_the_limit(client, delegate):
    for _ in range(3):
        client.post("/accounts/login/", {"login": delegate.email, "password": "wrong-one-1"})
    client.post("/accounts/login/", {"login": delegate.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(delegate.pk)
