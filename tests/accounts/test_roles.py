"""Who may open which page: every role against every page of the site (STYLE.md: a negative
test for each role), the two-factor rule for staff, and object scoping for the two roles that
belong to one organisation."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import get_resolver, reverse
from django.utils.html import escape

from accounts.models import Organisation, OrganisationRequest, Sector
from accounts.roles import MFA_REQUIRED_ROLES, Role
from core.models import AuditEntry
from tests.bookings.acting_pages import ACTING_PAGES, acting_page_url
from tests.bookings.core_pages import (
    CORE_PAGES,
    CORE_PUBLIC_PAGES,
    core_page_url,
    core_public_url,
)
from tests.bookings.ops_pages import OPS_PAGES, ops_page_url
from tests.charging.charge_pages import (
    CHARGE_PAGES,
    CHARGE_PUBLIC_PAGES,
    CHARGE_REDIRECTS,
    charge_page_url,
)
from tests.charging.invoice_pages import INVOICE_PAGES, invoice_page_url
from tests.charging.payment_pages import PAYMENT_PAGES, PAYMENT_POST_ONLY, payment_page_url
from tests.courses.elearning_pages import (
    ELEARNING_PAGES,
    ELEARNING_PUBLIC_PAGES,
    elearning_page_url,
)
from tests.courses.programme_pages import PROGRAMME_PAGES, programme_page_url
from tests.evaluations.certificate_pages import (
    CERTIFICATE_PAGES,
    CERTIFICATE_PUBLIC_PAGES,
    certificate_page_url,
    certificate_public_url,
)
from tests.evaluations.questionnaire_pages import QUESTIONNAIRE_PAGES, questionnaire_page_url
from tests.evaluations.request_pages import REQUEST_PAGES, REQUEST_POST_ONLY, request_page_url
from tests.evaluations.summary_pages import SUMMARY_PAGES, summary_page_url
from tests.factories import OrganisationFactory, UserFactory
from tests.people.people_pages import PEOPLE_PAGES, people_page_url
from tests.privacy.privacy_pages import (
    PRIVACY_PAGES,
    PRIVACY_POST_ONLY,
    PRIVACY_PUBLIC_PAGES,
    privacy_page_url,
)
from tests.reports.checklist_pages import CHECKLIST_PAGES, checklist_page_url
from tests.reports.narrative_pages import NARRATIVE_PAGES, narrative_page_url
from tests.reports.report_pages import REPORT_PAGES, REPORT_POST_ONLY, report_page_url
from tests.reports.tna_pages import TNA_PAGES, tna_page_url

SITE_ADMIN = "site_admin"  # a superuser: not a Role, but a person who signs in
EVERYONE = frozenset([*Role, SITE_ADMIN])

# Page -> who gets it. Every other signed-in person gets a 403.
PAGES = {
    "accounts:dashboard": EVERYONE,
    "accounts:profile": EVERYONE,
    "accounts:organisation-staff": {Role.SAFEGUARDING_LEAD, SITE_ADMIN},
    "accounts:organisation-account": {Role.FINANCE_CONTACT, SITE_ADMIN},
    "accounts:organisation-list": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "accounts:organisationrequest-list": {Role.OFFICER, SITE_ADMIN},
    "accounts:organisationrequest-decide": {Role.OFFICER, SITE_ADMIN},
    "core:partnership-update": {Role.OFFICER, SITE_ADMIN},
    "core:auditentry-list": {Role.OFFICER, SITE_ADMIN},
    "core:auditentry-export": {Role.OFFICER, SITE_ADMIN},  # the filtered log as CSV or XLSX
    "core:outgoingemail-list": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "core:outgoingemail-detail": {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "core:outgoingemail-resend": {Role.OFFICER, SITE_ADMIN},  # POST only: GET is 405
    "accounts:organisation-domains": {Role.OFFICER, SITE_ADMIN},
    "accounts:membershiprequest-list": {Role.OFFICER, Role.SAFEGUARDING_LEAD, SITE_ADMIN},
    # A lead decides requests to their own organisation only: another's is not found (404).
    "accounts:membershiprequest-decide": {Role.OFFICER, SITE_ADMIN},
    "courses:newsletter-email": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:trainingpool-list": {Role.FACILITATOR, SITE_ADMIN},
    "courses:newsletter-list": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:newsletter-create": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:newsletter-preview": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:newsletter-update": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:newsletter-send": {Role.BUSINESS_SUPPORT, SITE_ADMIN},
    "courses:newsletter-test": {Role.BUSINESS_SUPPORT, SITE_ADMIN},  # POST only: GET is 405
    "reports:report-list": {Role.OFFICER, Role.LOD_MEMBER, SITE_ADMIN},
    "admin:index": {Role.OFFICER, SITE_ADMIN},
}
PAGES.update(PROGRAMME_PAGES)  # programme management and the facilitator's events
PAGES.update(ELEARNING_PAGES)  # e-learning, training record, content review, resources
PAGES.update(OPS_PAGES)  # register, waiting lists, late cancellations, My training
PAGES.update(CORE_PAGES)  # book, waiting list, a booking and what can be done with it
PAGES.update(CERTIFICATE_PAGES)  # a delegate's certificate; officers' list, issue, revoke
PAGES.update(PAYMENT_PAGES)  # payments, unpaid invoices, CSV export; finance statements
PAGES.update(CHARGE_PAGES)  # the charge decision queue and a charge's decision
PAGES.update(INVOICE_PAGES)  # invoicing runs, invoices, credit notes (business support, officers)
PAGES.update(SUMMARY_PAGES)  # facilitator summaries (own events) and themes (officers)
PAGES.update(QUESTIONNAIRE_PAGES)  # editing questionnaires (officers); answering one's own
PAGES.update(REQUEST_PAGES)  # your evaluations; response rates and reminders (officers)
PAGES.update(ACTING_PAGES)  # an officer acting for a delegate (book, cancel, move...)
PAGES.update(PEOPLE_PAGES)  # People and a person's page (officers); training record exports
PAGES.update(CHECKLIST_PAGES)  # the Training Checklist (officers), the organisation view
PAGES.update(TNA_PAGES)  # training needs analysis: rounds, results, a lead's answers
PAGES.update(NARRATIVE_PAGES)  # an annual report's narrative and its issue (officers)
PAGES.update(REPORT_PAGES)  # a report's page, progress and downloads (officers, LOD Group)
PAGES.update(PRIVACY_PAGES)  # Your data, deletion requests; subject access (officers)
# Pages anyone may read without signing in.
PUBLIC_PAGES = ["home", "courses:course-list"]
# Opened from the link in a newsletter email (without its token it says how to opt out).
PUBLIC_PAGES += ["courses:newsletter-unsubscribe"]
# The catalogue: a course's page, an event's page and its .ics file, the calendar feed.
PUBLIC_PAGES += ["courses:course-detail", "courses:event-detail", "courses:event-ics",
                 "courses:calendar-feed"]
# The resources library: public resources for everyone.
PUBLIC_PAGES += ELEARNING_PUBLIC_PAGES
# A line manager agrees to a booking from a signed link, without an account.
PUBLIC_PAGES += CORE_PUBLIC_PAGES
# Anyone may check a certificate's verification code.
PUBLIC_PAGES += CERTIFICATE_PUBLIC_PAGES
# The charging policy, written from the current settings.
PUBLIC_PAGES += CHARGE_PUBLIC_PAGES
# The privacy notice and the accessibility statement.
PUBLIC_PAGES += PRIVACY_PUBLIC_PAGES
# Old addresses that send everyone on to a page above (test_old_addresses_send_on below).
REDIRECT_PAGES = dict(CHARGE_REDIRECTS)
# The site's own apps: every named page in them must be in PAGES or PUBLIC_PAGES.
SITE_NAMESPACES = ["accounts", "core", "courses", "reports", "bookings", "evaluations",
                   "charging", "privacy"]

PERSONS = [*Role, SITE_ADMIN]
POST_ONLY = {"core:outgoingemail-resend", "courses:newsletter-test"}
POST_ONLY |= PAYMENT_POST_ONLY
POST_ONLY |= REQUEST_POST_ONLY
POST_ONLY |= REPORT_POST_ONLY
POST_ONLY |= PRIVACY_POST_ONLY


@pytest.fixture
def pending_request(db):
    requester = UserFactory(organisation=None)
    return OrganisationRequest.objects.create(
        name="Little Acorns Nursery", sector=Sector.PRIVATE, requested_by=requester
    )


@pytest.fixture
def page_url(request, pending_request):
    def url(name):
        if name == "accounts:organisationrequest-decide":
            return reverse(name, kwargs={"pk": pending_request.pk})
        if name in ("core:outgoingemail-detail", "core:outgoingemail-resend"):
            from core.outbox import email_queue

            [row] = email_queue(to=["someone@example.org"], purpose="test:matrix",
                                template="accounts/organisation_requests_waiting",
                                context={"requests": []}, nudge=False)
            return reverse(name, kwargs={"pk": row.pk})
        if name == "accounts:organisation-domains":
            return reverse(name, kwargs={"pk": OrganisationFactory().pk})
        if name == "accounts:membershiprequest-decide":
            from accounts.models import MembershipRequest

            membership = MembershipRequest.objects.create(
                user=UserFactory(), organisation=OrganisationFactory())
            return reverse(name, kwargs={"pk": membership.pk})
        if name in ("courses:newsletter-preview", "courses:newsletter-update",
                    "courses:newsletter-send", "courses:newsletter-email",
                    "courses:newsletter-test"):
            from newsletter.models import Newsletter

            newsletter = Newsletter.objects.create(subject="New safeguarding events")
            return reverse(name, kwargs={"pk": newsletter.pk})
        if name in TNA_PAGES:
            return tna_page_url(name, request)
        if name in PEOPLE_PAGES:
            return people_page_url(name)
        if name in PRIVACY_PAGES:
            return privacy_page_url(name)
        if name in CHECKLIST_PAGES:
            return checklist_page_url(name)
        if name in NARRATIVE_PAGES:
            return narrative_page_url(name)
        if name in REPORT_PAGES:
            return report_page_url(name, request)
        if name in ACTING_PAGES:
            return acting_page_url(name)
        if name in PROGRAMME_PAGES:
            return programme_page_url(name)
        if name in ELEARNING_PAGES:
            return elearning_page_url(name, request)
        if name in OPS_PAGES:
            return ops_page_url(name)
        if name in CORE_PAGES:
            return core_page_url(name, request)
        if name in CERTIFICATE_PAGES:
            return certificate_page_url(name, request)
        if name in PAYMENT_PAGES:
            return payment_page_url(name, request)
        if name in CHARGE_PAGES:
            return charge_page_url(name)
        if name in INVOICE_PAGES:
            return invoice_page_url(name)
        if name in SUMMARY_PAGES:
            return summary_page_url(name, request)
        if name in QUESTIONNAIRE_PAGES:
            return questionnaire_page_url(name, request)
        if name in REQUEST_PAGES:
            return request_page_url(name)
        return reverse(name)

    return url


@pytest.fixture
def person_for(request, make_user):
    def make(who):
        if who == SITE_ADMIN:
            return request.getfixturevalue("site_admin")
        return make_user(who)

    return make


def test_every_page_of_the_site_is_in_the_matrix():
    """A new page cannot slip in without saying who may open it (and being tested for it)."""
    resolver = get_resolver()
    names = set()
    for namespace in SITE_NAMESPACES:
        if namespace not in resolver.namespace_dict:
            continue
        _, sub = resolver.namespace_dict[namespace]
        names |= {f"{namespace}:{key}" for key in sub.reverse_dict if isinstance(key, str)}
    assert names, "no page found: has the URL configuration moved?"
    known = set(PAGES) | set(PUBLIC_PAGES) | set(REDIRECT_PAGES)
    assert names <= known, names - known


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(REDIRECT_PAGES))
def test_old_addresses_send_on(client, make_user, page):
    """The late-cancellation queue moved to charging: its old addresses (bookmarks, emails)
    send an officer to the new pages, which then check who may see them."""
    client.force_login(make_user(Role.OFFICER))
    url = charge_page_url(page)
    response = client.get(url)
    assert response.status_code == 302
    target = charge_page_url(REDIRECT_PAGES[page]).split("/")[:3]
    assert response["Location"].split("/")[:3] == target
    assert client.get(url, follow=True).status_code == 200


MATRIX = [(who, page) for who in PERSONS for page in PAGES]
MATRIX_IDS = [f"{getattr(who, 'value', who)}-{page.split(':')[1]}" for who, page in MATRIX]


@pytest.mark.django_db
@pytest.mark.parametrize("who, page", MATRIX, ids=MATRIX_IDS)
def test_role_page_matrix(client, person_for, who, page, page_url):
    client.force_login(person_for(who))
    response = client.get(page_url(page))
    if who in PAGES[page]:
        expected = 405 if page in POST_ONLY else 200
        assert response.status_code == expected, (who, page, response.status_code)
    elif page == "accounts:membershiprequest-decide" and who == Role.SAFEGUARDING_LEAD:
        assert response.status_code == 404  # another organisation's request
    elif page == "reports:organisation-staff-group" and who == Role.SAFEGUARDING_LEAD:
        assert response.status_code == 404  # not a member of the lead's organisation

    elif page == "admin:index":
        # The Django admin does not answer 403: it shows its own login page to anyone who is
        # not staff, which says they are not authorised. They never see the admin.
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 403, (who, page, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize("page", list(PAGES), ids=[p.split(":")[1] for p in PAGES])
def test_anonymous_visitor_is_sent_to_sign_in(client, page, page_url):
    url = page_url(page)
    response = client.get(url)
    assert response.status_code == 302
    login = reverse("admin:login") if page == "admin:index" else reverse("account_login")
    assert response["Location"].startswith(login)
    assert f"next={url}" in response["Location"]


@pytest.fixture
def public_url(db):
    """The address of a public page, with something to show when it needs an object."""

    def url(name):
        from tests.factories import CourseFactory, EventFactory

        if name == "courses:course-detail":
            return reverse(name, kwargs={"slug": CourseFactory().slug})
        if name in ("courses:event-detail", "courses:event-ics"):
            return reverse(name, kwargs={"pk": EventFactory().pk})
        if name in CORE_PUBLIC_PAGES:
            return core_public_url(name)
        if name in CERTIFICATE_PUBLIC_PAGES:
            return certificate_public_url(name)
        return reverse(name)

    return url


@pytest.mark.django_db
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_need_no_sign_in(client, page, public_url):
    assert client.get(public_url(page)).status_code == 200


# Two-factor authentication --------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("role", MFA_REQUIRED_ROLES, ids=[r.value for r in MFA_REQUIRED_ROLES])
def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, make_user, role):
    user = make_user(role, mfa=False)
    assert not Authenticator.objects.filter(user=user).exists()
    client.force_login(user)
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    # Every page they could reach, not only the dashboard.
    assert client.get(reverse("accounts:profile"))["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_site_admin_without_an_authenticator_is_sent_to_set_one_up(client, make_user):
    admin = make_user(is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
def test_staff_with_an_authenticator_is_let_through(client, make_user):
    officer = make_user(Role.OFFICER)
    client.force_login(officer)
    assert client.get(reverse("accounts:dashboard")).status_code == 200


@pytest.mark.django_db
def test_a_delegate_does_not_need_two_factor(client, delegate):
    assert not Authenticator.objects.filter(user=delegate).exists()
    client.force_login(delegate)
    assert client.get(reverse("accounts:dashboard")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


@pytest.mark.django_db
def test_staff_without_an_authenticator_can_still_reach_the_setup_page(client, make_user):
    user = make_user(Role.SAFEGUARDING_LEAD, mfa=False)
    client.force_login(user)
    response = client.get(reverse("mfa_activate_totp"))
    # Not another redirect to itself: the page (or allauth's reauthentication) answers.
    assert not (response.status_code == 302
                and response["Location"] == reverse("mfa_activate_totp"))


# Object scoping ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_safeguarding_lead_sees_only_their_own_organisations_staff(client, make_user):
    ours, theirs = OrganisationFactory(name="Derby City Council"), OrganisationFactory(
        name="Dudley Group NHS Trust")
    lead = make_user(Role.SAFEGUARDING_LEAD, organisation=ours)
    colleagues = UserFactory.create_batch(3, organisation=ours)
    UserFactory(organisation=ours, is_active=False)  # left: not listed
    others = UserFactory.create_batch(2, organisation=theirs)

    client.force_login(lead)
    response = client.get(reverse("accounts:organisation-staff"),
                          {"organisation": theirs.pk})  # a crafted query cannot widen it

    assert response.status_code == 200
    listed = {u.pk for u in response.context["object_list"]}
    assert listed == {lead.pk, *(u.pk for u in colleagues)}
    page = response.content.decode()
    for other in others:
        assert other.email not in page
    for colleague in colleagues:
        assert escape(colleague.last_name) in page  # O'Sullivan is O&#x27;Sullivan in HTML


@pytest.mark.django_db
def test_safeguarding_lead_without_an_organisation_sees_nobody(client, make_user):
    UserFactory.create_batch(2)
    lead = make_user(Role.SAFEGUARDING_LEAD, organisation=None)
    client.force_login(lead)
    response = client.get(reverse("accounts:organisation-staff"))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == []


@pytest.mark.django_db
def test_finance_contact_edits_only_their_own_organisations_billing(client, make_user):
    ours = OrganisationFactory(name="Happy Days Nurseries Ltd", sector=Sector.PRIVATE,
                               invoice_email="old@happydays.example")
    theirs = OrganisationFactory(name="Sunshine Care Ltd", sector=Sector.PRIVATE,
                                 invoice_email="accounts@sunshine.example",
                                 billing_address="1 High Street", purchase_order_reference="PO-1")
    finance = make_user(Role.FINANCE_CONTACT, organisation=ours)
    client.force_login(finance)

    page = client.get(reverse("accounts:organisation-account"))
    assert page.status_code == 200
    assert page.context["form"].instance == ours
    assert page.context["form"]["invoice_email"].value() == "old@happydays.example"

    response = client.post(
        reverse("accounts:organisation-account"),
        # An id smuggled into the form changes nothing: there is no id in the URL or the form.
        {"invoice_email": "invoices@happydays.example", "billing_address": "2 Mill Lane, Derby",
         "purchase_order_reference": "PO-778", "id": theirs.pk, "organisation": theirs.pk},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organisation-account")

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.invoice_email, ours.billing_address, ours.purchase_order_reference) == (
        "invoices@happydays.example", "2 Mill Lane, Derby", "PO-778")
    assert (theirs.invoice_email, theirs.billing_address, theirs.purchase_order_reference) == (
        "accounts@sunshine.example", "1 High Street", "PO-1")
    entry = AuditEntry.objects.get(action="organisation.billing_update")
    assert entry.actor == finance
    assert entry.target_id == str(ours.pk)
    assert entry.details["invoice_email"] == "invoices@happydays.example"


@pytest.mark.django_db
def test_finance_contact_bad_invoice_email_is_explained_and_not_saved(client, make_user):
    ours = OrganisationFactory(invoice_email="old@happydays.example")
    finance = make_user(Role.FINANCE_CONTACT, organisation=ours)
    client.force_login(finance)
    response = client.post(reverse("accounts:organisation-account"),
                           {"invoice_email": "not an email", "billing_address": "x"})
    assert response.status_code == 200
    assert "Enter a valid email address." in response.context["form"].errors["invoice_email"]
    ours.refresh_from_db()
    assert ours.invoice_email == "old@happydays.example"


@pytest.mark.django_db
def test_finance_contact_without_an_organisation_is_refused(client, make_user):
    finance = make_user(Role.FINANCE_CONTACT, organisation=None)
    client.force_login(finance)
    assert client.get(reverse("accounts:organisation-account")).status_code == 403
    response = client.post(reverse("accounts:organisation-account"),
                           {"invoice_email": "a@b.example"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(invoice_email="a@b.example").exists()
