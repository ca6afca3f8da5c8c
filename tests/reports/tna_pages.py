"""Who may open the training needs analysis pages, and how to build each page's address
(tests/accounts/test_roles.py reads both). A lead's pages are for their OWN organisation: the
round is made open, and for the return page the signed-in person's organisation has answered
it (another organisation's return is a 404: test_tna_views.py)."""

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
OFFICERS = {Role.OFFICER, SITE_ADMIN}
RESULTS = {Role.OFFICER, Role.LOD_MEMBER, SITE_ADMIN}
LEADS = {Role.SAFEGUARDING_LEAD, SITE_ADMIN}

TNA_PAGES = {
    "reports:tna-round-list": RESULTS,
    "reports:tna-round-create": OFFICERS,
    "reports:tna-round-close": OFFICERS,
    "reports:tna-results": RESULTS,
    "reports:tna-results-export": RESULTS,
    "reports:tna-mine": LEADS,
    "reports:tna-answer": LEADS,
    "reports:tna-return": LEADS,
}


def _signed_in(request):
    from accounts.models import User

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.filter(pk=user_id).first() if user_id else None


def tna_page_url(name, request):
    from reports.models import TnaReturn
    from tests.reports.tna_helpers import round_make

    if name in ("reports:tna-round-list", "reports:tna-round-create", "reports:tna-mine"):
        return reverse(name)
    tna_round = round_make()
    user = _signed_in(request)
    if name == "reports:tna-return" and user is not None and user.organisation_id:
        from evaluations.services.responses import response_record_unrequested
        from tests.reports.tna_helpers import answers_for

        response = response_record_unrequested(
            version=tna_round.version, data=answers_for(tna_round.version), now=timezone.now())
        TnaReturn.objects.create(round=tna_round, organisation_id=user.organisation_id,
                                 response=response, submitted_by=user)
    return reverse(name, kwargs={"pk": tna_round.pk})
