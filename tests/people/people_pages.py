"""Who may open the People pages and the training-record exports, and how to build each
page's address (tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])

PEOPLE_PAGES = {
    "accounts:person-list": {Role.OFFICER, SITE_ADMIN},
    "accounts:person-detail": {Role.OFFICER, SITE_ADMIN},
    "accounts:person-roles": {Role.OFFICER, SITE_ADMIN},
    "courses:person-training-record-export": {Role.OFFICER, SITE_ADMIN},
    # One's own record: the URL names nobody.
    "courses:training-record-export": EVERYONE,
}


def people_page_url(name):
    from tests.factories import UserFactory

    if name == "courses:training-record-export":
        return reverse(name, kwargs={"fmt": "csv"})
    if name == "courses:person-training-record-export":
        return reverse(name, kwargs={"pk": UserFactory().pk, "fmt": "xlsx"})
    if name in ("accounts:person-detail", "accounts:person-roles"):
        return reverse(name, kwargs={"pk": UserFactory().pk})
    return reverse(name)
