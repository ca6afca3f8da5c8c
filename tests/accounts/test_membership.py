"""Organisation membership (DOMAIN.md): a delegate joins an organisation at once when their
verified email domain is one of its domains; otherwise its safeguarding lead or an officer
approves, and until then they stay where they were. And a delegate's line manager is never
one of the delegate's own addresses."""

import re
from datetime import timedelta
from html import unescape

import pytest
from allauth.account.models import EmailAddress
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import policies, services
from accounts.models import MembershipRequest, OrganisationDomain, Sector, StaffGroup
from accounts.roles import Role
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail
from tests.factories import OrganisationFactory, UserFactory

PROFILE = reverse("accounts:profile")
STAFF = reverse("accounts:organisation-staff")


def text(response):
    return re.sub(r"\s+", " ", unescape(response.content.decode()))


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def profile_data(user, **overrides):
    data = {
        "first_name": user.first_name, "last_name": user.last_name,
        "job_title": user.job_title or "Teaching assistant", "staff_group": StaffGroup.GROUP_2,
        "line_manager_name": "Morgan Manager",
        "line_manager_email": "morgan.manager@castle-high.example", "access_needs": "",
        "organisation_name": user.organisation.name if user.organisation else "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def school():
    return OrganisationFactory(name="Castle High School")


@pytest.fixture
def nursery():
    return OrganisationFactory(name="Sunny Days Nurseries Ltd", sector=Sector.PRIVATE)


@pytest.fixture
def teacher(school):
    return UserFactory(organisation=school, email="kim.teacher@castle-high.example")


@pytest.fixture
def nursery_lead(make_user, nursery):
    return make_user(Role.SAFEGUARDING_LEAD, Role.DELEGATE, organisation=nursery,
                     email="lead@sunnydays.example")


# Finding 5: anyone could join any organisation -------------------------------------------------

@pytest.mark.django_db
def test_a_delegate_who_picks_another_organisation_does_not_appear_on_its_staff_page(
        client, school, nursery, teacher, nursery_lead):
    client.force_login(teacher)
    response = client.post(PROFILE, profile_data(teacher, organisation_name=nursery.name))
    assert response.status_code == 302

    client.force_login(nursery_lead)
    staff = client.get(STAFF)
    assert staff.status_code == 200
    assert teacher.email not in text(staff)

    teacher.refresh_from_db()
    assert teacher.organisation == school  # still the school's, until the nursery agrees


@pytest.mark.django_db
def test_a_delegate_naming_their_own_second_address_as_line_manager_is_refused(client, teacher):
    EmailAddress.objects.create(user=teacher, email="kim.home@mailbox.example", verified=True,
                                primary=False)
    client.force_login(teacher)

    response = client.post(PROFILE, profile_data(
        teacher, line_manager_email="Kim.Home@Mailbox.example"))

    assert response.status_code == 200
    [error] = response.context["form"].errors["line_manager_email"]
    assert "not one of your own" in error
    assert "not one of your own" in text(response)
    teacher.refresh_from_db()
    assert teacher.line_manager_email != "kim.home@mailbox.example"


# Joining at once: the verified primary address is at one of the organisation's domains --------

@pytest.mark.django_db
def test_a_verified_address_at_one_of_its_domains_joins_at_once(client, school, nursery_lead):
    nursery = nursery_lead.organisation
    OrganisationDomain.objects.create(organisation=nursery, domain="sunnydays.example")
    worker = UserFactory(organisation=school, email="sam@SunnyDays.example")
    client.force_login(worker)

    response = client.post(PROFILE, profile_data(worker, organisation_name=nursery.name))

    assert response.status_code == 302
    assert "Your profile is saved." in messages_of(response)
    worker.refresh_from_db()
    assert worker.organisation == nursery
    assert not MembershipRequest.objects.exists()
    entry = AuditEntry.objects.get(action="membership.join")
    assert entry.actor == worker and entry.details["from_organisation"] == school.pk
    client.force_login(nursery_lead)
    assert worker.email in text(client.get(STAFF))


@pytest.mark.django_db
@pytest.mark.parametrize("addresses", [
    [("sam@sunnydays.example", True, False)],  # primary, not verified
    [("sam@castle-high.example", True, True), ("sam@sunnydays.example", False, True)],
], ids=["primary-not-verified", "verified-but-not-primary"])
def test_only_the_verified_primary_address_counts(client, school, nursery, addresses):
    OrganisationDomain.objects.create(organisation=nursery, domain="sunnydays.example")
    worker = UserFactory(organisation=school, email=addresses[0][0], verified=False)
    for email, primary, verified in addresses:
        EmailAddress.objects.create(user=worker, email=email, primary=primary, verified=verified)
    client.force_login(worker)

    client.post(PROFILE, profile_data(worker, organisation_name=nursery.name))

    worker.refresh_from_db()
    assert worker.organisation == school
    assert MembershipRequest.objects.get().organisation == nursery


# Asking to join: the request waits, and the delegate stays where they were ----------------------

@pytest.mark.django_db
def test_the_request_waits_and_the_profile_says_for_whom(client, school, nursery, teacher):
    client.force_login(teacher)
    response = client.post(PROFILE, profile_data(teacher, organisation_name=nursery.name))

    [message] = messages_of(response)
    assert "You have asked to join Sunny Days Nurseries Ltd" in message
    assert "its safeguarding lead or the training team must approve" in message
    assert "Until then you stay with Castle High School." in message
    req = MembershipRequest.objects.get()
    assert (req.user, req.organisation, req.from_organisation, req.status) == (
        teacher, nursery, school, MembershipRequest.Status.PENDING)
    assert AuditEntry.objects.filter(action="membership_request.create", actor=teacher).exists()

    page = text(client.get(PROFILE))
    assert "Your request to join Sunny Days Nurseries Ltd is waiting for approval." in page
    assert "Its safeguarding lead or the training team must approve it" in page
    assert "Until then you stay with Castle High School" in page
    assert "Your request to join Sunny Days Nurseries Ltd is waiting" in text(
        client.get(reverse("accounts:dashboard")))

    # Saving the profile again (the form shows the organisation asked for) keeps one request.
    form = client.get(PROFILE).context["form"]
    assert form.initial["organisation_name"] == nursery.name
    client.post(PROFILE, profile_data(teacher, organisation_name=nursery.name))
    assert MembershipRequest.objects.filter(status="pending").count() == 1

    # Choosing the school again withdraws it.
    client.post(PROFILE, profile_data(teacher, organisation_name=school.name))
    req.refresh_from_db()
    assert req.status == MembershipRequest.Status.WITHDRAWN
    teacher.refresh_from_db()
    assert teacher.organisation == school


@pytest.mark.django_db
def test_while_the_request_waits_bookings_go_to_the_current_organisation(school, nursery,
                                                                          teacher):
    from bookings.services import booking_create
    from tests.factories import EventFactory

    services.profile_update(user=teacher, data={"organisation": nursery})
    booking = booking_create(event=EventFactory(start=timezone.now() + timedelta(days=20)),
                             delegate=teacher, now=timezone.now())
    assert booking.organisation == school


@pytest.mark.django_db
def test_with_no_organisation_yet_a_waiting_request_is_not_enough_to_book(nursery):
    from bookings.services import booking_create
    from tests.factories import EventFactory

    newcomer = UserFactory(organisation=None, email="newcomer@mailbox.example")
    services.profile_update(user=newcomer, data={"organisation": nursery})
    newcomer.refresh_from_db()
    assert newcomer.organisation is None
    assert newcomer.profile_complete  # the answer is given; the approval is what waits
    with pytest.raises(DomainError, match="your organisation"):
        booking_create(event=EventFactory(start=timezone.now() + timedelta(days=20)),
                       delegate=newcomer, now=timezone.now())


# The safeguarding lead (own organisation only) or an officer decides ---------------------------

@pytest.fixture
def join_request(teacher, nursery):
    return MembershipRequest.objects.create(user=teacher, organisation=nursery,
                                            from_organisation=teacher.organisation)


def decide_url(req):
    return reverse("accounts:membershiprequest-decide", kwargs={"pk": req.pk})


QUEUE = reverse("accounts:membershiprequest-list")


@pytest.mark.django_db
def test_the_lead_sees_the_count_and_the_queue_of_their_own_organisation(
        client, nursery_lead, join_request, school):
    elsewhere = MembershipRequest.objects.create(
        user=UserFactory(email="someone@else.example"), organisation=school)
    client.force_login(nursery_lead)

    dashboard = client.get(reverse("accounts:dashboard"))
    assert dashboard.context["membership_requests_waiting"] == 1
    assert re.search(r"Requests to join</a> <strong[^>]*>1 waiting", text(dashboard))
    staff = text(client.get(STAFF))
    assert "1 person has asked to join Sunny Days Nurseries Ltd." in staff
    assert join_request.user.email not in staff.split("asked to join")[0]

    queue = client.get(QUEUE)
    assert list(queue.context["object_list"]) == [join_request]
    assert "kim.teacher@castle-high.example" in text(queue)
    assert "someone@else.example" not in text(queue)
    assert client.get(decide_url(elsewhere)).status_code == 404


@pytest.mark.django_db
def test_the_lead_approves_and_the_delegate_joins(
        client, nursery_lead, join_request, teacher, nursery,
        django_capture_on_commit_callbacks):
    client.force_login(nursery_lead)
    page = client.get(decide_url(join_request))
    assert page.status_code == 200
    assert "Does" in text(page) and "work for Sunny Days Nurseries Ltd?" in text(page)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(decide_url(join_request), {"decision": "approve", "note": ""})

    assert response.status_code == 302 and response["Location"] == QUEUE
    join_request.refresh_from_db()
    assert join_request.status == MembershipRequest.Status.APPROVED
    assert join_request.decided_by == nursery_lead and join_request.decided_at is not None
    teacher.refresh_from_db()
    assert teacher.organisation == nursery
    assert teacher.email in text(client.get(STAFF))
    entry = AuditEntry.objects.get(action="membership_request.approved")
    assert entry.actor == nursery_lead
    assert entry.details["user"] == teacher.pk

    [email] = OutgoingEmail.objects.filter(purpose=f"membership:{join_request.pk}:decided")
    assert email.recipient == teacher.email
    [message] = mail.outbox
    assert message.to == [teacher.email]
    assert "You have joined Sunny Days Nurseries Ltd" in message.subject


@pytest.mark.django_db
def test_an_officer_refuses_with_a_note_and_the_delegate_stays(
        client, make_user, join_request, teacher, school, django_capture_on_commit_callbacks):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    assert join_request in client.get(QUEUE).context["object_list"]
    assert "Requests to join an organisation" in text(client.get(reverse("accounts:dashboard")))

    blank = client.post(decide_url(join_request), {"decision": "refuse", "note": "  "})
    assert blank.status_code == 200
    assert "Say why you refuse the request" in text(blank)

    note = "Sunny Days has no record of you: ask your manager there to contact us."
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(join_request), {"decision": "refuse", "note": note})

    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == (
        MembershipRequest.Status.REFUSED, officer)
    teacher.refresh_from_db()
    assert teacher.organisation == school
    assert AuditEntry.objects.get(action="membership_request.refused").details["note"] == note
    [message] = mail.outbox
    assert message.to == [teacher.email]
    assert "was refused" in message.subject
    assert note in message.body and "stays with Castle High School" in message.body


@pytest.mark.django_db
def test_another_organisations_lead_can_neither_see_nor_decide(client, make_user, join_request,
                                                                school, teacher):
    other_lead = make_user(Role.SAFEGUARDING_LEAD, organisation=school)
    client.force_login(other_lead)
    assert list(client.get(QUEUE).context["object_list"]) == []
    assert client.get(decide_url(join_request)).status_code == 404
    assert client.post(decide_url(join_request), {"decision": "approve"}).status_code == 404
    with pytest.raises(DomainError):
        services.membership_request_decide(membership_request=join_request, by=other_lead,
                                           decision="approve", note="", now=timezone.now())
    join_request.refresh_from_db()
    assert join_request.status == MembershipRequest.Status.PENDING
    teacher.refresh_from_db()
    assert teacher.organisation == school


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FINANCE_CONTACT, Role.BUSINESS_SUPPORT,
                                  Role.FACILITATOR], ids=lambda r: r.value)
def test_other_roles_cannot_reach_the_queue(client, make_user, join_request, nursery, role):
    client.force_login(make_user(role, organisation=nursery))
    assert client.get(QUEUE).status_code == 403
    assert client.post(decide_url(join_request), {"decision": "approve"}).status_code == 403
    join_request.refresh_from_db()
    assert join_request.status == MembershipRequest.Status.PENDING


@pytest.mark.django_db
def test_a_decided_request_says_so(client, nursery_lead, join_request,
                                   django_capture_on_commit_callbacks):
    client.force_login(nursery_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(decide_url(join_request), {"decision": "approve"})
    response = client.post(decide_url(join_request), {"decision": "refuse", "note": "No"})
    assert response.status_code == 302
    assert any("already approved" in m for m in messages_of(response))
    assert len(mail.outbox) == 1


# Domains, kept by officers ----------------------------------------------------------------------

def domains_url(organisation):
    return reverse("accounts:organisation-domains", kwargs={"pk": organisation.pk})


@pytest.mark.django_db
def test_an_officer_sets_an_organisations_domains(client, make_user, nursery):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    assert client.get(domains_url(nursery)).status_code == 200

    response = client.post(domains_url(nursery), {
        "domains": " SunnyDays.example \nsunnydays-nurseries.example.\n\nsunnydays.example"})

    assert response.status_code == 302
    assert sorted(nursery.domains.values_list("domain", flat=True)) == [
        "sunnydays-nurseries.example", "sunnydays.example"]
    entry = AuditEntry.objects.get(action="organisation.domains_update")
    assert entry.actor == officer
    listing = text(client.get(reverse("accounts:organisation-list")))
    assert "sunnydays-nurseries.example, sunnydays.example" in listing

    client.post(domains_url(nursery), {"domains": "sunnydays.example"})
    assert list(nursery.domains.values_list("domain", flat=True)) == ["sunnydays.example"]
    last = AuditEntry.objects.filter(action="organisation.domains_update").order_by("pk").last()
    assert last.details == {"added": [], "removed": ["sunnydays-nurseries.example"]}


@pytest.mark.django_db
@pytest.mark.parametrize("typed, error", [
    ("hr@sunnydays.example", "without the @"),
    ("sunny days.example", "is not an email domain"),
    ("localhost", "is not an email domain"),
    ("-sunny.example", "is not an email domain"),
    ("gmail.com", "used by people from many organisations"),
    ("castle-high.example", "already belongs to Castle High School"),
], ids=["at-sign", "space", "no-dot", "hyphen", "webmail", "another-organisations"])
def test_a_bad_domain_is_explained_and_nothing_is_saved(client, make_user, nursery, school,
                                                        typed, error):
    OrganisationDomain.objects.create(organisation=school, domain="castle-high.example")
    OrganisationDomain.objects.create(organisation=nursery, domain="sunnydays.example")
    client.force_login(make_user(Role.OFFICER))

    response = client.post(domains_url(nursery), {"domains": f"sunnydays.example\n{typed}"})

    assert response.status_code == 200
    assert error in text(response)
    assert typed in response.context["form"]["domains"].value()
    assert list(nursery.domains.values_list("domain", flat=True)) == ["sunnydays.example"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.BUSINESS_SUPPORT, Role.SAFEGUARDING_LEAD, Role.DELEGATE],
                         ids=lambda r: r.value)
def test_only_officers_keep_domains(client, make_user, nursery, role):
    client.force_login(make_user(role, organisation=nursery))
    assert client.get(domains_url(nursery)).status_code == 403
    assert client.post(domains_url(nursery), {"domains": "evil.example"}).status_code == 403
    assert not nursery.domains.exists()


@pytest.mark.django_db
def test_a_missing_organisation_is_a_404(client, make_user):
    client.force_login(make_user(Role.OFFICER))
    assert client.get(reverse("accounts:organisation-domains", kwargs={"pk": 999999})
                      ).status_code == 404


@pytest.mark.parametrize("domain, ok", [
    ("derby.gov.uk", True), ("xn--bcher-kva.example", True), ("a.b", False),
    ("derby", False), ("derby..gov.uk", False), ("derby.gov.uk-", False), ("", False),
], ids=["gov-uk", "punycode", "short-tld", "one-label", "empty-label", "trailing-hyphen",
        "empty"])
def test_domain_policy(domain, ok):
    assert (policies.domain_problem(domain) is None) == ok


# The line manager is never one of the delegate's own addresses ---------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("manager", ["KIM.TEACHER@castle-high.example", "kim@old-job.example"],
                         ids=["own-login-address", "unverified-second-address"])
def test_any_own_address_is_refused_as_line_manager(client, teacher, manager):
    EmailAddress.objects.create(user=teacher, email="kim@old-job.example", verified=False)
    client.force_login(teacher)
    response = client.post(PROFILE, profile_data(teacher, line_manager_email=manager))
    assert response.status_code == 200
    assert response.context["form"].errors["line_manager_email"] == [
        services.LINE_MANAGER_OWN_ADDRESS]
    with pytest.raises(DomainError, match="not one of your own") as refused:
        services.profile_update(user=teacher, data={"line_manager_email": manager})
    assert refused.value.field == "line_manager_email"


# The demo partnership ---------------------------------------------------------------------------

@pytest.mark.django_db
def test_demo_organisations_have_their_delegates_domains_and_a_request_waits_for_the_lead(
        client):
    from accounts.models import User
    from demo.services import demo_load

    demo_load(now=timezone.now(), history=False)
    members = User.objects.filter(organisation__isnull=False).exclude(
        email__endswith="@demo.example").select_related("organisation")
    assert members.count() >= 20
    for member in members:
        domain = member.email.rpartition("@")[2]
        assert OrganisationDomain.objects.get(domain=domain).organisation == member.organisation

    lead = User.objects.get(email="lead@demo.example")
    client.force_login(lead)
    queue = client.get(QUEUE)
    assert [r.user.email for r in queue.context["object_list"]] == ["becky.nash@mailbox.example"]


@pytest.mark.django_db
def test_the_admin_refuses_the_persons_own_address_as_line_manager_and_a_webmail_domain(teacher):
    from django.forms.models import model_to_dict

    from accounts.admin import EmailUserChangeForm, OrganisationDomainForm

    EmailAddress.objects.create(user=teacher, email="kim@old-job.example", verified=True)
    data = {k: v for k, v in model_to_dict(teacher).items() if v is not None}
    data.update(line_manager_email="KIM@old-job.example", groups=[], user_permissions=[])
    form = EmailUserChangeForm(data=data, instance=teacher)
    assert not form.is_valid()
    assert "one of the person's own email addresses" in form.errors["line_manager_email"][0]

    assert not OrganisationDomainForm(data={"domain": "GMAIL.com"}).is_valid()
    domain_form = OrganisationDomainForm(data={"domain": " Castle-High.Example. "})
    assert domain_form.is_valid() and domain_form.cleaned_data["domain"] == "castle-high.example"
