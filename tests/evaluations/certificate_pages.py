"""Who may open the certificate pages, and how to build each page's address
(tests/accounts/test_roles.py reads both).

A delegate's certificate PDF is everyone's to open for their OWN certificate: it is made for
whoever is signed in for the test (someone else's is a 404: test_certificates.py). The list,
the issue page and the revoke page are the training team's (evaluations.view_certificate,
evaluations.issue_certificate). The verification pages are public."""

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
EVERYONE = frozenset([*Role, SITE_ADMIN])

CERTIFICATE_PAGES = {
    "evaluations:certificate-download": EVERYONE,
    "evaluations:certificate-list": {Role.OFFICER, SITE_ADMIN},
    "evaluations:certificate-issue": {Role.OFFICER, SITE_ADMIN},
    "evaluations:certificate-revoke": {Role.OFFICER, SITE_ADMIN},
}
CERTIFICATE_PUBLIC_PAGES = ["evaluations:certificate-verify",
                            "evaluations:certificate-verify-code"]


def certificate_for(user):
    """A valid certificate of `user` for an event they attended."""
    from evaluations.models import Certificate
    from tests.factories import BookingFactory

    booking = BookingFactory(delegate=user, status="attended")
    return Certificate.objects.create(
        user=user, course=booking.event.course, event=booking.event, booking=booking,
        delegate_name=user.get_full_name() or user.email, course_title=booking.event.course.title,
        course_level="Level 2", completed_on=timezone.localdate(booking.event.start), hours=7)


def _signed_in(request):
    from accounts.models import User
    from tests.factories import UserFactory

    user_id = request.getfixturevalue("client").session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else UserFactory()


def certificate_page_url(name, request):
    from tests.factories import UserFactory

    if name == "evaluations:certificate-download":
        return reverse(name, kwargs={"code": certificate_for(_signed_in(request)).code})
    if name == "evaluations:certificate-revoke":
        return reverse(name, kwargs={"code": certificate_for(UserFactory()).code})
    return reverse(name)


def certificate_public_url(name):
    from tests.factories import UserFactory

    if name == "evaluations:certificate-verify-code":
        return reverse(name, kwargs={"code": certificate_for(UserFactory()).code})
    return reverse(name)
