"""Who may open the facilitator summary and themes pages, and how to build each page's
address (tests/accounts/test_roles.py reads both).

A summary is for the event's own facilitators (the event is made with whoever is signed in as
its facilitator; another facilitator's event is a 404: test_summaries.py) and for officers
(evaluations.view_evaluation_results); themes are the officers' (evaluations.change_theme)."""

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
FACILITATOR_AND_OFFICER = {Role.FACILITATOR, Role.OFFICER, SITE_ADMIN}
OFFICER = {Role.OFFICER, SITE_ADMIN}

SUMMARY_PAGES = {
    "evaluations:summary-list": OFFICER,
    "evaluations:summary-detail": FACILITATOR_AND_OFFICER,
    "evaluations:summary-pdf": FACILITATOR_AND_OFFICER,
    "evaluations:theme-list": OFFICER,
    "evaluations:theme-create": OFFICER,
    "evaluations:theme-update": OFFICER,
    "evaluations:theme-delete": OFFICER,
    "evaluations:theme-tagging": OFFICER,
    "evaluations:sessioncomment-create": OFFICER,
}


def _signed_in(request):
    from accounts.models import User
    from tests.factories import UserFactory

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else UserFactory()


def summary_page_url(name, request):
    from datetime import timedelta

    from evaluations.models import Theme
    from tests.factories import EventFactory

    if name in ("evaluations:summary-detail", "evaluations:summary-pdf"):
        start = timezone.now() - timedelta(days=3)
        event = EventFactory(start=start, end=start + timedelta(hours=7),
                             facilitators=[_signed_in(request)])
        return reverse(name, kwargs={"event_pk": event.pk})
    if name in ("evaluations:theme-update", "evaluations:theme-delete"):
        theme = Theme.objects.create(name=f"Escalation {Theme.objects.count()}",
                                     keywords="escalate")
        return reverse(name, kwargs={"pk": theme.pk})
    if name == "evaluations:sessioncomment-create":
        return reverse(name, kwargs={"event_pk": EventFactory().pk})
    return reverse(name)
