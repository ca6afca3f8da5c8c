"""Who may open the evaluation request pages, and how to build each page's address
(tests/accounts/test_roles.py reads both).

"Your evaluations" is every signed-in person's own list; response rates, who has not responded
and "send one more reminder" are the officers' (evaluations.view_evaluation_results):
facilitators never see delegates' names beside evaluations."""

from django.urls import reverse

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])
OFFICER = {Role.OFFICER, SITE_ADMIN}

REQUEST_PAGES = {
    "evaluations:request-list": EVERYONE,
    "evaluations:responserate-list": OFFICER,
    "evaluations:responserate-event": OFFICER,
    "evaluations:request-remind": OFFICER,  # POST only: GET is 405
}
REQUEST_POST_ONLY = {"evaluations:request-remind"}


def request_page_url(name):
    from tests.factories import EventFactory

    if name == "evaluations:responserate-event":
        return reverse(name, kwargs={"pk": EventFactory().pk})
    return reverse(name)
