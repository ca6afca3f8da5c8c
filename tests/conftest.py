import pytest
from django.core.cache import cache

from accounts.roles import Role

from .factories import UserFactory
from .helpers import totp_activate


@pytest.fixture(autouse=True)
def _clear_cache():
    """allauth's rate limits live in the (real, Redis) cache: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def delegate(db):
    return UserFactory(roles=[Role.DELEGATE])


@pytest.fixture
def make_user(db):
    """make_user(Role.OFFICER, ...) -> a user with those roles and, for staff roles, TOTP set
    up (staff must use two-factor authentication)."""

    def make(*roles, mfa=True, **kwargs):
        user = UserFactory(roles=list(roles) or [Role.DELEGATE], **kwargs)
        if mfa and any(r != Role.DELEGATE for r in roles):
            totp_activate(user)
        return user

    return make


@pytest.fixture
def site_admin(db):
    """A superuser (the site administrator), with TOTP set up like every staff account."""
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    totp_activate(user)
    return user
