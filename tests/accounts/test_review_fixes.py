"""Fixes from the code review (accounts): a role that belongs to one organisation cannot move
itself to another through the profile; the organisation directory survives a NUL byte; the
organisation request reminder is not lost when the email fails. And what the review checked
and found right, kept by a test: an officer in the admin never grants site administration nor
touches a superuser's account."""

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import OrganisationRequest, Sector, StaffGroup
from accounts.roles import Role
from tests.factories import OrganisationFactory, UserFactory

PROFILE = reverse("accounts:profile")


def profile_data(user, **overrides):
    data = {
        "first_name": user.first_name, "last_name": user.last_name,
        "job_title": user.job_title, "staff_group": StaffGroup.GROUP_2,
        "line_manager_name": "Morgan Manager",
        "line_manager_email": "morgan.manager@example.org", "access_needs": "",
        "organisation_name": user.organisation.name,
    }
    data.update(overrides)
    return data


# A safeguarding lead sees their own organisation's staff, a finance contact edits their own
# organisation's billing: "own" is the organisation in their profile, so they must not be able
# to switch it themselves and reach another organisation's people or invoices.

ORGANISATION_ROLES = [Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ORGANISATION_ROLES, ids=[r.value for r in ORGANISATION_ROLES])
def test_an_organisation_role_cannot_move_itself_to_another_organisation(client, make_user,
                                                                         role):
    own = OrganisationFactory(name="Dudley Council")
    other = OrganisationFactory(name="Sunny Days Nurseries", sector=Sector.PRIVATE)
    colleague_elsewhere = UserFactory(organisation=other)
    user = make_user(role, organisation=own)
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, organisation_name=other.name))

    assert response.status_code == 200
    assert "ask the training team" in response.content.decode()
    user.refresh_from_db()
    assert user.organisation == own
    if role == Role.SAFEGUARDING_LEAD:
        staff = client.get(reverse("accounts:organisation-staff")).content.decode()
        assert colleague_elsewhere.email not in staff


@pytest.mark.django_db
@pytest.mark.parametrize("role", ORGANISATION_ROLES, ids=[r.value for r in ORGANISATION_ROLES])
def test_an_organisation_role_cannot_ask_to_move_to_a_new_organisation(client, make_user, role):
    user = make_user(role, organisation=OrganisationFactory(name="Dudley Council"))
    client.force_login(user)

    response = client.post(PROFILE, profile_data(
        user, organisation_name="Brand New Charity", organisation_not_listed="on",
        new_organisation_sector=Sector.VOLUNTARY))

    assert response.status_code == 200
    assert not OrganisationRequest.objects.filter(requested_by=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ORGANISATION_ROLES, ids=[r.value for r in ORGANISATION_ROLES])
def test_an_organisation_role_still_saves_the_rest_of_its_profile(client, make_user, role):
    own = OrganisationFactory(name="Dudley Council")
    user = make_user(role, organisation=own)
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, job_title="Designated lead"))

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.job_title, user.organisation) == ("Designated lead", own)


@pytest.mark.django_db
def test_a_delegate_can_still_change_organisation(client):
    # At once when their verified address is at one of its domains (tests/accounts/
    # test_membership.py: otherwise its safeguarding lead or an officer approves).
    other = OrganisationFactory(name="Sunny Days Nurseries", domains=["example.org"])
    user = UserFactory(roles=[Role.DELEGATE])
    client.force_login(user)

    response = client.post(PROFILE, profile_data(user, organisation_name=other.name))

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.organisation == other


# Odd input ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_organisation_directory_ignores_a_nul_byte_in_the_search(client, make_user):
    OrganisationFactory(name="Dudley Council")
    client.force_login(make_user(Role.OFFICER))

    response = client.get(reverse("accounts:organisation-list") + "?q=Dud%00ley")

    assert response.status_code == 200
    assert "Dudley Council" in response.content.decode()


# The reminder sweep -----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_reminder_is_owed_with_the_mark_and_delivered_after_an_smtp_failure(make_user):
    """A sweep marks what it reminded in the transaction that queues the email in the outbox:
    an SMTP failure leaves the email owed (retried), never lost, and a second run queues
    nothing more."""
    from unittest import mock

    from django.core import mail

    from core.models import OutgoingEmail
    from core.outbox import outbox_deliver

    make_user(Role.OFFICER)
    requester = UserFactory(organisation=None)
    now = timezone.now()
    request = OrganisationRequest.objects.create(
        name="Little Acorns", sector=Sector.PRIVATE, requested_by=requester,
        requested_at=now - timezone.timedelta(days=2))
    assert services.organisation_requests_remind(now=now) == 1
    assert services.organisation_requests_remind(now=now) == 0
    request.refresh_from_db()
    assert request.reminded_at == now
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("SMTP server unavailable")):
        outbox_deliver()
    [row] = OutgoingEmail.objects.all()
    assert row.status == OutgoingEmail.Status.RETRY and not mail.outbox
    outbox_deliver(now=row.next_attempt_at)
    assert [m.subject for m in mail.outbox] == ["1 organisation request waiting for a decision"]


# The administration: an officer assigns roles, never site administration ----------------------

def _admin_change_data(user, **extra):
    data = {
        "email": user.email, "first_name": user.first_name, "last_name": user.last_name,
        "job_title": user.job_title, "organisation": user.organisation_id or "",
        "staff_group": user.staff_group, "line_manager_name": user.line_manager_name,
        "line_manager_email": user.line_manager_email, "access_needs": "",
        "groups": list(user.groups.values_list("pk", flat=True)), "is_active": "on",
    }
    data.update(extra)
    return data


@pytest.mark.django_db
def test_an_officer_cannot_make_anyone_a_superuser_in_the_admin(client, make_user):
    from django.contrib.auth.models import Permission

    officer = make_user(Role.OFFICER)
    colleague = make_user(Role.OFFICER)
    permission = Permission.objects.get(codename="delete_user")
    client.force_login(officer)

    for person in (officer, colleague):
        url = reverse("admin:accounts_user_change", args=[person.pk])
        response = client.post(url, _admin_change_data(
            person, is_superuser="on", is_staff="on", user_permissions=[permission.pk]))
        assert response.status_code == 302, response.content.decode()[:500]
        person.refresh_from_db()
        assert not person.is_superuser
        assert not person.user_permissions.exists()


@pytest.mark.django_db
def test_an_officer_cannot_open_or_change_a_superusers_account(client, make_user, site_admin):
    client.force_login(make_user(Role.OFFICER))

    for name in ("admin:accounts_user_change", "admin:auth_user_password_change"):
        url = reverse(name, args=[site_admin.pk])
        assert client.get(url).status_code in (302, 404), name
        client.post(url, {"email": "taken@example.org", "password1": "x-Long-enough-9",
                          "password2": "x-Long-enough-9"})
    site_admin.refresh_from_db()
    assert site_admin.email != "taken@example.org"
    assert site_admin.check_password("correct-horse-battery-7")
    changelist = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert site_admin.email not in changelist


@pytest.mark.django_db
def test_a_mail_server_failure_does_not_spoil_the_officers_decision(
        make_user, django_capture_on_commit_callbacks):
    """The decision is saved with its email owed in the outbox: an SMTP error never reaches
    the officer's page as a 500, and the email waits for a retry."""
    from unittest import mock

    from django.utils import timezone

    from accounts import services
    from accounts.models import OrganisationRequest, Sector
    from core.models import OutgoingEmail

    officer = make_user(Role.OFFICER)
    delegate = make_user(Role.DELEGATE)
    req = OrganisationRequest.objects.create(name="Holly House", sector=Sector.PRIVATE,
                                             requested_by=delegate)
    with mock.patch("django.core.mail.backends.locmem.EmailBackend.send_messages",
                    side_effect=OSError("SMTP server unavailable")):
        with django_capture_on_commit_callbacks(execute=True):
            services.organisation_request_decide(
                organisation_request=req, by=officer, decision="approve", name="Holly House",
                sector=Sector.PRIVATE, note="", now=timezone.now())

    req.refresh_from_db()
    assert req.status == OrganisationRequest.Status.APPROVED
    [row] = OutgoingEmail.objects.filter(recipient=delegate.email)
    assert row.status == OutgoingEmail.Status.RETRY
    assert row.purpose == f"organisation_request:{req.pk}:decided"
