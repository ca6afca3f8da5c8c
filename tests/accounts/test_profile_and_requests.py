"""A delegate's profile (the organisation typed and matched against the list, or requested),
the officer's decision on an organisation request, and sign-up with mandatory verification."""

import re
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organisation, OrganisationRequest, Sector, StaffGroup, User
from accounts.roles import Role
from accounts.services import organisation_request_decide
from core.exceptions import DomainError
from core.models import AuditEntry
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

PROFILE = reverse("accounts:profile")


def page_text(response):
    return unescape(response.content.decode())


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def profile_data(**overrides):
    data = {
        "first_name": "Priya", "last_name": "Shah", "job_title": "Family support worker",
        "staff_group": StaffGroup.GROUP_2, "line_manager_name": "Morgan Manager",
        "line_manager_email": "morgan.manager@example.org", "access_needs": "",
        "organisation_name": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# Profile completion ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_new_account_is_missing_every_profile_answer():
    user = User.objects.create_user("new.person@example.org", PASSWORD)
    assert user.profile_missing == [
        "your name", "your job title", "your organisation", "your staff group",
        "your line manager",
    ]
    assert not user.profile_complete


@pytest.mark.django_db
@pytest.mark.parametrize(
    "blank, missing",
    [
        ({"last_name": ""}, "your name"),
        ({"job_title": ""}, "your job title"),
        ({"organisation": None}, "your organisation"),
        ({"staff_group": ""}, "your staff group"),
        ({"line_manager_email": ""}, "your line manager"),
    ],
    ids=["name", "job-title", "organisation", "staff-group", "line-manager"],
)
def test_profile_missing_names_the_one_answer_left(blank, missing):
    user = UserFactory(**blank)
    assert user.profile_missing == [missing]


@pytest.mark.django_db
def test_a_pending_organisation_request_counts_as_an_answer():
    user = UserFactory(organisation=None)
    OrganisationRequest.objects.create(name="Little Acorns", sector=Sector.PRIVATE,
                                       requested_by=user)
    assert user.profile_complete


@pytest.mark.django_db
def test_login_with_an_incomplete_profile_goes_to_the_profile_page(client):
    user = UserFactory(job_title="")
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == PROFILE


# The profile form, through the page -----------------------------------------------------------

@pytest.mark.django_db
def test_choosing_a_listed_organisation_ignores_case_and_spaces(client):
    # The delegate's verified address is at one of its domains, so they join at once
    # (otherwise a membership request waits: tests/accounts/test_membership.py).
    council = OrganisationFactory(name="Derby City Council", domains=["example.org"])
    user = UserFactory(organisation=None, job_title="", staff_group="")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(organisation_name="  derby   CITY council "))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:dashboard")
    user.refresh_from_db()
    assert user.organisation == council
    assert user.job_title == "Family support worker"
    assert user.profile_complete
    assert "Your profile is saved." in messages_of(response)
    assert not OrganisationRequest.objects.exists()
    assert AuditEntry.objects.filter(action="profile.update", actor=user).exists()


@pytest.mark.django_db
def test_the_profile_page_offers_the_listed_organisations(client):
    OrganisationFactory(name="Derby City Council")
    OrganisationFactory(name="Closed Agency", active=False)
    client.force_login(UserFactory())
    response = client.get(PROFILE)
    assert response.status_code == 200
    names = [o.name for o in response.context["organisations"]]
    assert "Derby City Council" in names
    assert "Closed Agency" not in names


@pytest.mark.django_db
def test_an_unknown_organisation_is_explained_and_nothing_is_lost(client):
    council = OrganisationFactory(name="Derby City Council")
    user = UserFactory(organisation=council, job_title="Social worker")
    client.force_login(user)

    response = client.post(PROFILE, profile_data(
        organisation_name="Nowhere Ltd", job_title="Senior social worker",
        access_needs="Captions on videos, please",
    ))

    assert response.status_code == 200
    form = response.context["form"]
    [error] = form.errors["organisation_name"]
    assert "We do not know an organisation called “Nowhere Ltd”" in error
    assert "My organisation is not on the list" in error
    assert "We do not know an organisation called “Nowhere Ltd”" in page_text(response)
    # What was typed is still on the page, ready to correct...
    assert form["job_title"].value() == "Senior social worker"
    assert form["organisation_name"].value() == "Nowhere Ltd"
    assert "Captions on videos, please" in page_text(response)
    # ...and what was saved before is untouched.
    user.refresh_from_db()
    assert user.organisation == council
    assert user.job_title == "Social worker"
    assert not OrganisationRequest.objects.exists()


@pytest.mark.django_db
def test_an_empty_organisation_is_asked_for(client):
    user = UserFactory(organisation=None)
    client.force_login(user)
    response = client.post(PROFILE, profile_data(organisation_name="   "))
    assert response.status_code == 200
    assert response.context["form"].errors["organisation_name"] == [
        "Enter the organisation you work for."]


@pytest.mark.django_db
def test_line_manager_email_must_not_be_the_delegates_own(client):
    user = UserFactory(email="priya@example.org")
    client.force_login(user)
    response = client.post(PROFILE, profile_data(
        organisation_name=user.organisation.name, line_manager_email="PRIYA@example.org"))
    assert response.status_code == 200
    assert response.context["form"].errors["line_manager_email"] == [
        "Enter your line manager's email address, not one of your own: we ask them to agree "
        "to your training."]


@pytest.mark.django_db
def test_requesting_a_new_organisation_makes_one_pending_request(client):
    user = UserFactory(organisation=None)
    client.force_login(user)

    response = client.post(PROFILE, profile_data(
        organisation_name="Little  Acorns Nursery", organisation_not_listed="on",
        new_organisation_sector=Sector.PRIVATE))

    assert response.status_code == 302
    request = OrganisationRequest.objects.get()
    assert (request.name, request.sector, request.requested_by, request.status) == (
        "Little Acorns Nursery", Sector.PRIVATE, user, OrganisationRequest.Status.PENDING)
    assert not Organisation.objects.filter(name__iexact="Little Acorns Nursery").exists()
    assert any("asked the training team to add “Little Acorns Nursery”" in m
               for m in messages_of(response))
    user.refresh_from_db()
    assert user.organisation is None
    assert user.profile_complete  # they may book while the officer decides
    assert AuditEntry.objects.filter(action="organisation_request.create").count() == 1

    # Asking again (a corrected name) keeps one request per person.
    client.post(PROFILE, profile_data(
        organisation_name="Little Acorns Nurseries Ltd", organisation_not_listed="on",
        new_organisation_sector=Sector.PRIVATE))
    request = OrganisationRequest.objects.get()
    assert request.name == "Little Acorns Nurseries Ltd"

    # The pending request is shown on the profile page.
    assert "Little Acorns Nurseries Ltd" in page_text(client.get(PROFILE))


@pytest.mark.django_db
def test_requesting_an_organisation_needs_its_sector(client):
    user = UserFactory(organisation=None)
    client.force_login(user)
    response = client.post(PROFILE, profile_data(
        organisation_name="Little Acorns Nursery", organisation_not_listed="on"))
    assert response.status_code == 200
    assert response.context["form"].errors["new_organisation_sector"] == [
        "Choose the sector of the organisation you are asking us to add."]
    assert not OrganisationRequest.objects.exists()


@pytest.mark.django_db
def test_choosing_a_listed_organisation_withdraws_the_pending_request(client):
    council = OrganisationFactory(name="Derby City Council", domains=["example.org"])
    user = UserFactory(organisation=None)
    OrganisationRequest.objects.create(name="Derby Council", sector=Sector.STATUTORY,
                                       requested_by=user)
    client.force_login(user)
    client.post(PROFILE, profile_data(organisation_name="Derby City Council"))
    user.refresh_from_db()
    assert user.organisation == council
    assert not OrganisationRequest.objects.filter(status="pending").exists()


# The officer's decision ----------------------------------------------------------------------

@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


@pytest.fixture
def requester(db):
    return UserFactory(organisation=None, email="priya.shah@example.org")


@pytest.fixture
def org_request(requester):
    return OrganisationRequest.objects.create(
        name="Little Acorns Nursery", sector=Sector.PRIVATE, requested_by=requester)


def decide_url(req):
    return reverse("accounts:organisationrequest-decide", kwargs={"pk": req.pk})


def assert_html_and_text(message):
    assert message.body.strip()
    assert "<html" not in message.body.lower() and "<p" not in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<" in html


@pytest.mark.django_db
def test_officer_sees_the_pending_requests(client, officer, org_request):
    OrganisationRequest.objects.create(
        name="Old Request", sector=Sector.VOLUNTARY, requested_by=UserFactory(),
        status=OrganisationRequest.Status.DECLINED)
    client.force_login(officer)
    response = client.get(reverse("accounts:organisationrequest-list"))
    assert list(response.context["object_list"]) == [org_request]
    assert "Little Acorns Nursery" in page_text(response)
    assert "Old Request" not in page_text(response)


@pytest.mark.django_db
def test_officer_approves_a_request_creating_the_organisation(
        client, officer, org_request, requester, django_capture_on_commit_callbacks):
    client.force_login(officer)
    page = client.get(decide_url(org_request))
    assert page.status_code == 200
    assert page.context["form"].initial["name"] == "Little Acorns Nursery"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(org_request), {
            "decision": "approve", "name": "Little Acorns  Nursery Ltd",
            "sector": Sector.PRIVATE, "note": ""})

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisationrequest-list")
    organisation = Organisation.objects.get(name="Little Acorns Nursery Ltd")
    assert organisation.sector == Sector.PRIVATE
    org_request.refresh_from_db()
    requester.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.APPROVED
    assert (org_request.decided_by, org_request.organisation) == (officer, organisation)
    assert requester.organisation == organisation
    assert any("approved" in m for m in messages_of(response))

    [message] = mail.outbox
    assert message.to == ["priya.shah@example.org"]
    assert_html_and_text(message)
    assert "Little Acorns Nursery Ltd" in message.body

    actions = set(AuditEntry.objects.filter(actor=officer).values_list("action", flat=True))
    assert {"organisation.create", "organisation_request.approved"} <= actions


@pytest.mark.django_db
def test_approving_a_name_that_exists_links_to_that_organisation(
        client, officer, org_request, requester, django_capture_on_commit_callbacks):
    existing = OrganisationFactory(name="Little Acorns Nursery", sector=Sector.PRIVATE)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(org_request), {
            "decision": "approve", "name": "little acorns NURSERY", "sector": Sector.PRIVATE})
    assert Organisation.objects.filter(name__iexact="little acorns nursery").count() == 1
    requester.refresh_from_db()
    assert requester.organisation == existing
    assert not AuditEntry.objects.filter(action="organisation.create").exists()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_declining_needs_a_note(client, officer, org_request):
    client.force_login(officer)
    response = client.post(decide_url(org_request), {
        "decision": "decline", "name": org_request.name, "sector": Sector.PRIVATE,
        "note": "   "})
    assert response.status_code == 200
    assert response.context["form"].errors["note"] == [
        "Say why the request is declined; the delegate is told."]
    assert "Say why the request is declined" in page_text(response)
    org_request.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.PENDING
    assert mail.outbox == []


@pytest.mark.django_db
def test_officer_declines_with_a_note_the_delegate_reads(
        client, officer, org_request, requester, django_capture_on_commit_callbacks):
    client.force_login(officer)
    note = "Little Acorns is part of Busy Bees: choose Busy Bees Nurseries from the list."
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(org_request), {
            "decision": "decline", "name": org_request.name, "sector": Sector.PRIVATE,
            "note": note})
    assert response.status_code == 302
    org_request.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.DECLINED
    assert org_request.decision_note == note
    assert not Organisation.objects.filter(name__iexact=org_request.name).exists()
    requester.refresh_from_db()
    assert requester.organisation is None
    [message] = mail.outbox
    assert message.to == [requester.email]
    assert_html_and_text(message)
    assert "Busy Bees Nurseries" in message.body
    entry = AuditEntry.objects.get(action="organisation_request.declined")
    assert entry.actor == officer
    assert entry.details == {"note": note}


@pytest.mark.django_db
def test_a_second_decision_is_refused_with_a_message(
        client, officer, make_user, org_request, django_capture_on_commit_callbacks):
    """Two officers open the same request; the second to save is told it is already decided
    (not a 500, not a 'page not found'), and nothing changes."""
    other_officer = make_user(Role.OFFICER)
    client.force_login(officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(org_request), {
            "decision": "approve", "name": org_request.name, "sector": Sector.PRIVATE})
    assert len(mail.outbox) == 1

    client.force_login(other_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(org_request), {
            "decision": "decline", "name": org_request.name, "sector": Sector.PRIVATE,
            "note": "Duplicate"}, follow=True)

    assert response.status_code == 200
    assert any("already approved" in m for m in (str(m) for m in response.context["messages"]))
    org_request.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.APPROVED
    assert org_request.decided_by == officer
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
def test_opening_a_decided_request_says_it_is_decided(client, officer, org_request, method):
    org_request.status = OrganisationRequest.Status.DECLINED
    org_request.save()
    client.force_login(officer)
    response = getattr(client, method)(decide_url(org_request), {
        "decision": "approve", "name": org_request.name, "sector": Sector.PRIVATE})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisationrequest-list")
    assert any("already declined" in m for m in messages_of(response))
    org_request.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.DECLINED


@pytest.mark.django_db
def test_the_service_refuses_a_second_decision(officer, org_request):
    now = timezone.now()
    organisation_request_decide(organisation_request=org_request, by=officer, decision="decline",
                                name=org_request.name, sector=org_request.sector,
                                note="Not an agency we work with", now=now)
    with pytest.raises(DomainError, match="already declined"):
        organisation_request_decide(organisation_request=org_request, by=officer,
                                    decision="approve", name=org_request.name,
                                    sector=org_request.sector, note="", now=now)
    org_request.refresh_from_db()
    assert org_request.status == OrganisationRequest.Status.DECLINED


@pytest.mark.django_db
def test_an_unknown_request_is_not_found(client, officer):
    client.force_login(officer)
    response = client.get(reverse("accounts:organisationrequest-decide", kwargs={"pk": 999999}))
    assert response.status_code == 404


# Sign-up and email verification ---------------------------------------------------------------

SIGNUP = reverse("account_signup")


def signup_data(**overrides):
    data = {"first_name": "Sam", "last_name": "Jones", "email": "sam.jones@example.org",
            "password1": PASSWORD, "password2": PASSWORD}
    data.update(overrides)
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    "email",
    ["sam.jones@", "@example.org", "sam jones@example.org", "sam.jones.example.org",
     "sam@@example.org"],
    ids=["no-domain", "no-name", "space", "no-at", "two-ats"],
)
def test_a_malformed_email_at_signup_is_explained(client, email):
    response = client.post(SIGNUP, signup_data(email=email))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert "Enter a valid email address." in page_text(response)
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_signup_asks_for_the_name(client):
    response = client.post(SIGNUP, signup_data(first_name="", last_name=""))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "last_name"}
    assert not User.objects.exists()


@pytest.mark.django_db
def test_signup_requires_verifying_the_email_before_signing_in(client):
    response = client.post(SIGNUP, signup_data(email="Sam.Jones@Example.org"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get()
    assert user.email == "sam.jones@example.org"
    assert (user.first_name, user.last_name) == ("Sam", "Jones")
    assert not EmailAddress.objects.get(user=user).verified
    # Not signed in: the account pages send them to sign in.
    assert "_auth_user_id" not in client.session
    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.status_code == 302
    assert dashboard["Location"].startswith(reverse("account_login"))

    [message] = mail.outbox
    assert message.to == ["sam.jones@example.org"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert link, message.body

    # Following the link and confirming signs them in and asks for the profile.
    confirm = client.post(link.group(1))
    assert confirm.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)
    assert confirm["Location"] == PROFILE


@pytest.mark.django_db
def test_login_before_verifying_resends_the_confirmation_and_does_not_sign_in(client):
    user = UserFactory(verified=False, email="unverified@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    response = client.post(reverse("account_login"),
                           {"login": "unverified@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
    [message] = mail.outbox
    assert message.to == ["unverified@example.org"]
    assert "/accounts/confirm-email/" in message.body


@pytest.mark.django_db
def test_a_wrong_password_is_explained_and_does_not_sign_in(client):
    user = UserFactory()
    response = client.post(reverse("account_login"),
                           {"login": user.email, "password": "not-the-password"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session
