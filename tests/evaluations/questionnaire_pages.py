"""Who may open the questionnaire pages and the answering page, and how to build each page's
address (tests/accounts/test_roles.py reads both).

The questionnaire pages are the officers' (evaluations.change_questionnaire). The answering
page is everyone's for their OWN request: it is made for whoever is signed in for the test
(someone else's is a 404: tests/evaluations/test_answer.py)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])
OFFICERS = {Role.OFFICER, SITE_ADMIN}

QUESTIONNAIRE_PAGES = {
    "evaluations:questionnaire-list": OFFICERS,
    "evaluations:questionnaire-override-create": OFFICERS,
    "evaluations:questionnaire-update": OFFICERS,
    "evaluations:questionnaire-preview": OFFICERS,
    "evaluations:questionnaire-override-remove": OFFICERS,
    "evaluations:request-answer": EVERYONE,
}


def _signed_in(request):
    from accounts.models import User
    from tests.factories import UserFactory

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else UserFactory()


def questionnaire_page_url(name, request):
    from evaluations.models import EvaluationRequest, RequestKind
    from evaluations.services.questionnaires import questionnaire_override_create
    from tests.factories import BookingFactory, CourseFactory

    if name == "evaluations:request-answer":
        booking = BookingFactory(delegate=_signed_in(request))
        now = timezone.now()
        evaluation, _ = EvaluationRequest.objects.get_or_create(
            kind=RequestKind.PRE, booking=booking,
            defaults={"user": booking.delegate, "course": booking.event.course,
                      "event": booking.event, "due_at": now - timedelta(minutes=5),
                      "requested_at": now - timedelta(minutes=5)})
        return reverse(name, kwargs={"uid": evaluation.uid})
    if name in ("evaluations:questionnaire-update", "evaluations:questionnaire-preview",
                "evaluations:questionnaire-override-remove"):
        own = questionnaire_override_create(kind="stage_2", course=CourseFactory(), by=None,
                                            now=timezone.now())
        return reverse(name, kwargs={"pk": own.pk})
    return reverse(name)
