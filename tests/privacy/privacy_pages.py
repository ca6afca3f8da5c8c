"""Who may open the privacy pages (issue 15), and how to build each page's address
(tests/accounts/test_roles.py reads both)."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])

PRIVACY_PAGES = {
    # Each person's own: the URL names nobody.
    "privacy:your-data": EVERYONE,
    "privacy:your-data-download": EVERYONE,  # POST only: GET is 405
    "privacy:deletion-request": EVERYONE,  # staff are told to have their roles removed first
    # A subject access request and carrying out a deletion: officers.
    "privacy:deletion-request-list": {Role.OFFICER, SITE_ADMIN},
    "privacy:person-export": {Role.OFFICER, SITE_ADMIN},
    "privacy:person-delete": {Role.OFFICER, SITE_ADMIN},
}
PRIVACY_POST_ONLY = {"privacy:your-data-download"}
# The privacy notice and the accessibility statement: anyone, signed in or not.
PRIVACY_PUBLIC_PAGES = ["privacy:notice", "accessibility"]


def privacy_page_url(name):
    from tests.factories import UserFactory

    if name in ("privacy:person-export", "privacy:person-delete"):
        return reverse(name, kwargs={"pk": UserFactory().pk})
    return reverse(name)
