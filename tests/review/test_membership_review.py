"""Review of organisation membership (accounts: MembershipRequest, OrganisationDomain) and of
the line manager rule, as an outside auditor trying to get in without an approval."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import MembershipRequest, OrganisationDomain, StaffGroup
from accounts.roles import Role
from bookings import services as booking_services
from bookings.models import Booking
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from tests.factories import EventFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
PROFILE = reverse("accounts:profile")
QUEUE = reverse("accounts:membershiprequest-list")


def decide_url(req):
    return reverse("accounts:membershiprequest-decide", kwargs={"pk": req.pk})


def profile_data(user, **overrides):
    return {
        "first_name": user.first_name, "last_name": user.last_name,
        "job_title": "Teaching assistant", "staff_group": StaffGroup.GROUP_2,
        "line_manager_name": "Morgan Manager",
        "line_manager_email": "morgan.manager@castle-high.example", "access_needs": "",
        "organisation_name": user.organisation.name if user.organisation else "",
        **overrides,
    }


@pytest.fixture
def school():
    return OrganisationFactory(name="Castle High School")


@pytest.fixture
def nursery():
    nursery = OrganisationFactory(name="Sunny Days Nurseries Ltd")
    OrganisationDomain.objects.create(organisation=nursery, domain="sunnydays.example")
    return nursery


# Finding 4: an officer could approve their own request to join an organisation -----------------

def test_nobody_decides_their_own_request_to_join(client, make_user, school, nursery):
    officer = make_user(Role.OFFICER, organisation=school, email="olive@partnership.example")
    services.profile_update(user=officer, data={"organisation": nursery})
    own = MembershipRequest.objects.get(user=officer)
    client.force_login(officer)

    assert own not in client.get(QUEUE).context["object_list"]
    assert client.post(decide_url(own), {"decision": "approve", "note": ""}).status_code == 404
    with pytest.raises(DomainError):
        services.membership_request_decide(membership_request=own, by=officer,
                                           decision="approve", note="", now=timezone.now())
    officer.refresh_from_db()
    assert officer.organisation == school
    own.refresh_from_db()
    assert own.status == MembershipRequest.Status.PENDING


def test_another_officer_still_decides_it(client, make_user, school, nursery):
    officer = make_user(Role.OFFICER, organisation=school)
    services.profile_update(user=officer, data={"organisation": nursery})
    own = MembershipRequest.objects.get(user=officer)
    client.force_login(make_user(Role.OFFICER))
    assert client.post(decide_url(own), {"decision": "approve", "note": ""}).status_code == 302
    officer.refresh_from_db()
    assert officer.organisation == nursery


# Ways in without an approval (these held; kept as guards) ----------------------------------------

def test_a_subdomain_or_a_look_alike_domain_does_not_join_at_once(client, school, nursery):
    for email in ("sam@mail.sunnydays.example", "sam@evil-sunnydays.example",
                  "sam@sunnydays.example.evil.example"):
        worker = UserFactory(organisation=school, email=email)
        client.force_login(worker)
        client.post(PROFILE, profile_data(worker, organisation_name=nursery.name))
        worker.refresh_from_db()
        assert worker.organisation == school, email
        assert MembershipRequest.objects.get(user=worker).organisation == nursery


def test_a_crafted_profile_post_cannot_name_the_organisation_by_id(client, school, nursery):
    worker = UserFactory(organisation=school, email="sam@castle-high.example")
    client.force_login(worker)
    client.post(PROFILE, profile_data(worker, organisation=nursery.pk,
                                      organisation_id=nursery.pk))
    worker.refresh_from_db()
    assert worker.organisation == school
    assert not MembershipRequest.objects.exists()


def test_asking_to_add_an_organisation_that_exists_is_a_request_to_join_it(client, school,
                                                                             nursery):
    worker = UserFactory(organisation=school, email="sam@castle-high.example")
    client.force_login(worker)
    client.post(PROFILE, profile_data(worker, organisation_name="  sunny DAYS  nurseries ltd ",
                                      organisation_not_listed="on",
                                      new_organisation_sector="private"))
    worker.refresh_from_db()
    assert worker.organisation == school
    assert MembershipRequest.objects.get(user=worker).organisation == nursery


def test_a_double_decision_is_audited_and_emailed_once(client, make_user, school, nursery):
    worker = UserFactory(organisation=school, email="sam@castle-high.example")
    services.profile_update(user=worker, data={"organisation": nursery})
    req = MembershipRequest.objects.get(user=worker)
    client.force_login(make_user(Role.SAFEGUARDING_LEAD, organisation=nursery))
    client.post(decide_url(req), {"decision": "approve", "note": ""})
    client.post(decide_url(req), {"decision": "refuse", "note": "No"})
    assert AuditEntry.objects.filter(action__startswith="membership_request.approved").count() == 1
    assert AuditEntry.objects.filter(action__startswith="membership_request.refused").count() == 0
    assert OutgoingEmail.objects.filter(recipient=worker.email).count() == 1


# The line manager is never one of the delegate's own addresses -----------------------------------

@pytest.mark.parametrize("typed", ["Kim.Home@Mailbox.example", "  kim.home@mailbox.example  "])
def test_an_address_added_after_the_profile_is_refused_at_booking(typed):
    Partnership.objects.filter(pk=1).update(line_manager_approval_required=True)
    delegate = UserFactory(email="kim@school.example")
    delegate.line_manager_email = typed  # saved before the address was on the account
    delegate.save()
    EmailAddress.objects.create(user=delegate, email="kim.home@mailbox.example", verified=False)
    event = EventFactory(start=timezone.now() + timedelta(days=30))
    with pytest.raises(DomainError, match="one of your own"):
        booking_services.booking_create(event=event, delegate=delegate, now=timezone.now())
    assert not Booking.objects.exists()


def test_plus_addressing_is_another_address(client):
    delegate = UserFactory(email="kim@school.example")
    client.force_login(delegate)
    response = client.post(PROFILE, profile_data(delegate,
                                                 line_manager_email="kim+manager@school.example"))
    assert response.status_code == 302
    delegate.refresh_from_db()
    assert delegate.line_manager_email == "kim+manager@school.example"


@pytest.mark.parametrize("name", ["accounts:membershiprequest-decide",
                                  "accounts:organisation-domains"])
def test_a_huge_id_is_a_404_not_a_500(client, make_user, name):
    client.force_login(make_user(Role.OFFICER))
    assert client.get(reverse(name, kwargs={"pk": 10 ** 30})).status_code == 404
