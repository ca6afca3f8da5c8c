"""The access matrix guard: every URL pattern of the project, requested as every identity with
GET and POST, gives the outcome tests/security/access_matrix.py says (see that file for how to
read it). The URLs name objects that belong to someone else, so a cell that answers 200 where
the table says 404 or 403 is a hole: someone reaching what they should not.

The objects are built once and the cells run in one test; each request runs in a savepoint
rolled back after it, so a POST that does something (cancels a booking, deletes a resource)
leaves the next cell the same world.

ACCESS_MATRIX_DUMP=/tmp/grid.txt writes the grid as observed (a column per identity, a line
per URL and method): a quick way to review it, or to draft the row of a new URL."""

import re
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role, group_name
from tests.helpers import totp_activate

from . import access_matrix as am
from .figures import FIGURES

# The URL patterns of the project -------------------------------------------------------------

def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            ns = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name
            key = (f"{namespace}:{name}" if namespace else name) if name else route
            yield key, route


def url_patterns():
    """{key: route} for every URL pattern: its name (with namespace), or for an unnamed
    pattern its route."""
    found = {}
    for key, route in _walk(get_resolver().url_patterns):
        found.setdefault(key, route)
    return found


def test_every_url_pattern_has_a_row_in_the_access_matrix():
    """A new URL cannot slip in without saying who may reach it."""
    patterns = url_patterns()
    missing = sorted(set(patterns) - set(am.ROWS))
    assert not missing, (
        "URL patterns with no row in tests/security/access_matrix.py (say who may reach "
        "them):\n" + "\n".join(f"  {key}  ({patterns[key]})" for key in missing))
    stale = sorted(set(am.ROWS) - set(patterns))
    assert not stale, f"rows for URL patterns that no longer exist: {stale}"


def test_every_row_names_every_identity_with_a_known_outcome():
    for key, row in am.ROWS.items():
        for method, cells in (("GET", row.get), ("POST", row.post)):
            assert set(cells) == set(am.IDENTITIES), (key, method)
            assert set(cells.values()) <= set(am.OUTCOMES), (key, method, cells)


# The world: objects that belong to someone ---------------------------------------------------

class World:
    pass


def _user(*roles, organisation, superuser=False, **kwargs):
    from tests.factories import UserFactory

    user = UserFactory(roles=list(roles), organisation=organisation, is_superuser=superuser,
                       is_staff=superuser, **kwargs)
    if superuser or any(r != Role.DELEGATE for r in roles):
        totp_activate(user)
    return user


def build_world():
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.mfa.models import Authenticator

    from accounts.models import MembershipRequest, OrganisationRequest, Sector
    from bookings.models import Booking, Substitution
    from bookings.policies import LINE_MANAGER_SALT, SUBSTITUTION_SALT, signed_link_make
    from core.audit import audit_record
    from core.models import AuditEntry, OutgoingEmail, Partnership
    from courses.models import (
        Choice,
        CourseStatus,
        Format,
        Question,
        TrainingPoolMembership,
    )
    from newsletter.models import Newsletter
    from resources.models import Resource
    from tests.factories import (
        CourseFactory,
        EventFactory,
        OrganisationFactory,
        UserFactory,
        VenueFactory,
    )

    w = World()
    now = timezone.now()
    w.org_a = OrganisationFactory(name="Organisation A")
    w.org_b = OrganisationFactory(name="Organisation B")
    w.org_staff = OrganisationFactory(name="The partnership")
    w.users = {
        am.DELEGATE: _user(Role.DELEGATE, organisation=w.org_a),
        am.OWNER: _user(Role.DELEGATE, organisation=w.org_a),
        am.FACILITATOR: _user(Role.FACILITATOR, organisation=w.org_staff),
        am.OTHER_FACILITATOR: _user(Role.FACILITATOR, organisation=w.org_staff),
        am.OFFICER: _user(Role.OFFICER, organisation=w.org_staff),
        am.BUSINESS_SUPPORT: _user(Role.BUSINESS_SUPPORT, organisation=w.org_staff),
        am.LOD_MEMBER: _user(Role.LOD_MEMBER, organisation=w.org_staff),
        am.LEAD_A: _user(Role.DELEGATE, Role.SAFEGUARDING_LEAD, organisation=w.org_a),
        am.FINANCE_A: _user(Role.DELEGATE, Role.FINANCE_CONTACT, organisation=w.org_a),
        am.LEAD_B: _user(Role.DELEGATE, Role.SAFEGUARDING_LEAD, organisation=w.org_b),
        am.FINANCE_B: _user(Role.DELEGATE, Role.FINANCE_CONTACT, organisation=w.org_b),
        am.SUPERUSER: _user(organisation=w.org_staff, superuser=True),
    }
    # Another site administrator: the account the admin's user pages name.
    w.other_admin = _user(organisation=w.org_staff, superuser=True)
    owner = w.users[am.OWNER]

    # The event the URLs name: run by `facilitator`; `other_facilitator` runs another one.
    w.venue = VenueFactory()
    w.course = CourseFactory()
    w.event = EventFactory(course=w.course, venue=w.venue, start=now + timedelta(days=30),
                           facilitators=[w.users[am.FACILITATOR]])
    w.other_event = EventFactory(facilitators=[w.users[am.OTHER_FACILITATOR]])
    for who, course in ((am.FACILITATOR, w.course), (am.OTHER_FACILITATOR, w.other_event.course)):
        TrainingPoolMembership.objects.create(facilitator=w.users[who], course=course)

    def booking(status, *, event=None, **fields):
        b = Booking.objects.create(event=event or w.event, delegate=owner,
                                   organisation=owner.organisation, status=status, **fields)
        return b

    # The owner's bookings, each in the state its page needs to show itself.
    w.booking = booking("booked", booked_at=now)
    soon = EventFactory(course=w.course, start=now + timedelta(days=1),
                        facilitators=[w.users[am.FACILITATOR]])
    w.booking_late = booking("booked", event=soon, booked_at=now)
    w.booking_waiting = booking("waitlisted", event=EventFactory(), waitlisted_at=now)
    w.booking_offered = booking("offered", event=EventFactory(), waitlisted_at=now,
                                offered_at=now, offer_expires_at=now + timedelta(hours=48))
    w.booking_pending = booking("pending_approval", event=EventFactory(),
                                approval_requested_at=now)
    w.booking_late_cancelled = booking("late_cancelled", event=EventFactory(
        start=now + timedelta(days=2)), booked_at=now, cancelled_at=now,
        late_cancellation_reason="other", late_cancellation_detail="Car broke down")
    # Its charge, waiting for the officer's decision (charging:charge-decide names it).
    from charging.models import Charge

    w.charge = Charge.objects.create(
        booking=w.booking_late_cancelled, organisation=w.org_a, sector=w.org_a.sector,
        kind="late_cancellation", amount="100.00", status="pending",
        reason="Late cancellation: 1 working day's notice, fewer than 5 (full day)")
    for event in {w.event, soon}:
        event.places_taken = event.bookings.filter(status="booked").count()
        event.save(update_fields=["places_taken"])
    # The owner offered their place to a colleague who has no account: nobody here is them.
    w.substitution = Substitution.objects.create(
        booking=w.booking, from_delegate=owner, to_email="colleague-no-account@example.org",
        by=owner)
    w.substitution_token = signed_link_make(value=w.substitution.pk, salt=SUBSTITUTION_SALT)
    w.approval_token = signed_link_make(value=str(w.booking_pending.uid), salt=LINE_MANAGER_SALT)

    # An e-learning module with a knowledge check.
    w.module = CourseFactory(format=Format.E_LEARNING, status=CourseStatus.LIVE,
                             module_content="Read this.")
    w.question = Question.objects.create(course=w.module, text="Who do you tell?")
    Choice.objects.create(question=w.question, text="The designated lead", correct=True)
    Choice.objects.create(question=w.question, text="Nobody", correct=False)

    w.resource = Resource.objects.create(title="Briefing for signed-in users", kind="briefing",
                                         url="https://example.org/briefing.pdf", public=False)
    w.newsletter = Newsletter.objects.create(subject="New events",
                                             created_by=w.users[am.BUSINESS_SUPPORT])
    w.org_request = OrganisationRequest.objects.create(
        name="Little Acorns Nursery", sector=Sector.PRIVATE, requested_by=owner)
    audit_record(actor=w.users[am.OFFICER], action="matrix.test", target=w.booking)
    w.audit_entry = AuditEntry.objects.order_by("-pk").first()
    w.partnership = Partnership.load()
    w.authenticator = Authenticator.objects.get(user=w.users[am.SUPERUSER],
                                                type=Authenticator.Type.TOTP)
    w.owner_email = EmailAddress.objects.get(user=owner)
    w.email_key = EmailConfirmationHMAC(w.owner_email).key
    w.group = Group.objects.get(name=group_name(Role.OFFICER))
    w.org_a.invoice_email = "invoices@organisation-a.example"
    w.org_a.save(update_fields=["invoice_email"])
    # The other site administrator's password reset link in the outbox (anyone may ask for
    # one): officers see that it was sent and to whom, business support only that it was sent
    # (address masked); nobody reads its words (the link would take the account over).
    w.outgoing_email = OutgoingEmail.objects.create(
        purpose="account:password_reset_key:matrix", recipient=w.other_admin.email,
        user=w.other_admin, from_email="training@partnership.example",
        subject="Password reset", body_text="Choose a new password: "
        "/accounts/password/reset/key/secret-key/",
        status=OutgoingEmail.Status.FAILED, attempts=12, last_error="550 mailbox unavailable")
    # Someone asking to join organisation A: its lead and officers decide.
    w.joiner = UserFactory(email="joiner-of-a@example.org", organisation=None)
    w.membership_request = MembershipRequest.objects.create(user=w.joiner,
                                                            organisation=w.org_a)
    # Organisation A's invoice (an attended place of the owner's, charged), with a part
    # payment and a credit note: the payment and statement pages name them (charging).
    from charging.models import Charge, CreditNote, CreditNoteLine, Invoice, InvoiceLine, Payment

    attended = booking("attended", event=EventFactory(start=now - timedelta(days=20)),
                       booked_at=now - timedelta(days=30))
    charge_a = Charge.objects.create(
        booking=attended, organisation=w.org_a, sector=w.org_a.sector, kind="attendance",
        amount="75.00", status="applied", reason="Attendance, full day")
    w.invoice_a = Invoice.objects.create(
        number="MATRIX-2026-00001", organisation=w.org_a, issued_on=now.date(),
        due_on=now.date() + timedelta(days=30), organisation_name=w.org_a.name,
        invoice_email="invoices@organisation-a.example", partnership_name="Partnership",
        total="75.00")
    line_a = InvoiceLine.objects.create(
        invoice=w.invoice_a, charge=charge_a, delegate_name="Owner", course_title="Course",
        event_date=now.date(), reason="Attendance, full day", amount="75.00")
    Payment.objects.create(invoice=w.invoice_a, received_on=now.date(), amount="10.00",
                           method="bacs", reference="MATRIX")
    w.credit_note_a = CreditNote.objects.create(
        number="MATRIX-CN-2026-00001", invoice=w.invoice_a, issued_on=now.date(),
        reason="Charged in error", total="5.00")
    CreditNoteLine.objects.create(credit_note=w.credit_note_a, invoice_line=line_a,
                                  amount="5.00")
    # An invoicing run (the invoicing pages name it).
    from charging.models import InvoiceBatch

    w.invoice_batch = InvoiceBatch.objects.create(charges_up_to=now.date(), invoice_count=1,
                                                  total="75.00")
    # The owner's certificate (evaluations): its code fills <code>.
    from evaluations.models import Certificate

    w.certificate = Certificate.objects.create(
        user=owner, course=w.course, event=w.event, booking=w.booking, delegate_name="Owner",
        course_title=w.course.title, course_level="Level 2", completed_on=now.date(), hours=7)
    # The owner's pre-course questionnaire (evaluations:request-answer) and a course's own
    # Stage 1 evaluation (the questionnaire pages).
    from evaluations.models import EvaluationRequest
    from evaluations.services.questionnaires import questionnaire_override_create

    w.evaluation_request, _ = EvaluationRequest.objects.update_or_create(
        kind="pre", booking=w.booking, defaults={
            "user": owner, "course": w.course, "event": w.event, "due_at": now,
            "requested_at": now})
    w.questionnaire = questionnaire_override_create(kind="stage_1", course=w.course, by=None,
                                                    now=now)
    # Training needs analysis: an open round organisation A has answered, and one to close.
    from core.calendar import london_date
    from reports.tna.services import tna_return_submit, tna_round_open
    from tests.reports.tna_helpers import answers_for

    day = london_date(now)
    w.tna_round, _ = tna_round_open(title="TNA", opens_on=day - timedelta(days=1),
                                    closes_on=day + timedelta(days=20), by=None, now=now)
    tna_return_submit(tna_round=w.tna_round, user=w.users[am.LEAD_A],
                      data=answers_for(w.tna_round.version), now=now)
    w.tna_round_to_close, _ = tna_round_open(title="TNA to close", opens_on=day,
                                             closes_on=day + timedelta(days=20), by=None,
                                             now=now)
    # A Training Checklist requirement (reports:checklist-update and -delete name it).
    from reports.models import ChecklistRequirement

    w.requirement = ChecklistRequirement.objects.create(staff_group="group_2", course=w.course)
    # A ready annual report without its narrative (reports:report-narrative and -issue).
    from reports.models import Report

    w.annual_report = Report.objects.create(
        kind="annual", period_start=day.replace(year=day.year - 2, month=4, day=1),
        period_end=day.replace(year=day.year - 1, month=3, day=31), status="ready",
        data={"title": "Annual training report", "parts": []})
    # A ready quarterly report with its PDF and workbook stored (the report pages, downloads).
    from tests.reports.report_pages import ready_report

    w.report = ready_report()
    return w


def _admin_object(w, app_model):
    from django.contrib.sites.models import Site

    objects = {
        "auth_group": w.group, "sites_site": Site.objects.get_current(),
        "account_emailaddress": w.owner_email, "mfa_authenticator": w.authenticator,
        "core_partnership": w.partnership, "core_auditentry": w.audit_entry,
        "accounts_user": w.other_admin, "accounts_organisation": w.org_a,
        "accounts_organisationrequest": w.org_request,
        "accounts_membershiprequest": w.membership_request, "courses_category": w.course.category,
        "courses_question": w.question, "courses_course": w.course,
    }
    assert app_model in objects, (
        f"a new model in the admin ({app_model}): add an object of it to _admin_object "
        "(tests/security/test_access_matrix.py) and its rows to access_matrix.py")
    return objects[app_model]


# The parameters of each URL, by name; failing that, by parameter.
def _params(w):
    return {
        "bookings:booking-late-cancel": {"uid": w.booking_late.uid},
        "bookings:waitlist-leave": {"uid": w.booking_waiting.uid},
        "bookings:acting-booking-late-cancel": {"person_pk": w.users[am.OWNER].pk,
                                                "uid": w.booking_late.uid},
        "bookings:offer-respond": {"uid": w.booking_offered.uid},
        "bookings:late-cancellation-review": {"uid": w.booking_late_cancelled.uid},
        "charging:charge-decide": {"uid": w.booking_late_cancelled.uid},
        "charging:payment-create": {"pk": w.invoice_a.pk},
        "charging:invoice-remind": {"pk": w.invoice_a.pk},
        "charging:statement-invoice": {"pk": w.invoice_a.pk},
        "charging:statement-invoice-pdf": {"pk": w.invoice_a.pk},
        "charging:statement-credit-note-pdf": {"pk": w.credit_note_a.pk},
        "charging:invoice-detail": {"pk": w.invoice_a.pk},
        "charging:invoice-pdf": {"pk": w.invoice_a.pk},
        "charging:credit-note-create": {"pk": w.invoice_a.pk},
        "charging:credit-note-pdf": {"pk": w.credit_note_a.pk},
        "charging:invoice-batch-detail": {"pk": w.invoice_batch.pk},
        "evaluations:request-answer": {"uid": w.evaluation_request.uid},
        "reports:tna-round-close": {"pk": w.tna_round_to_close.pk},
        "reports:report-narrative": {"pk": w.annual_report.pk},
        "reports:report-issue": {"pk": w.annual_report.pk},
        "reports:report-detail": {"pk": w.report.pk},
        "reports:report-progress": {"pk": w.report.pk},
        "reports:report-retry": {"pk": w.report.pk},
        "reports:report-download": {"pk": w.report.pk, "fmt": "pdf"},
        "reports:report-table-csv": {"pk": w.report.pk, "key": "attendance-by-sector"},
        "reports:tna-results": {"pk": w.tna_round.pk},
        "reports:tna-results-export": {"pk": w.tna_round.pk},
        "reports:tna-answer": {"pk": w.tna_round.pk},
        "reports:tna-return": {"pk": w.tna_round.pk},
        "evaluations:questionnaire-update": {"pk": w.questionnaire.pk},
        "evaluations:questionnaire-preview": {"pk": w.questionnaire.pk},
        "evaluations:questionnaire-override-remove": {"pk": w.questionnaire.pk},
        "bookings:line-manager-approval": {"token": w.approval_token},
        "bookings:substitution-accept": {"token": w.substitution_token},
        "courses:elearning-module": {"slug": w.module.slug},
        "courses:elearning-check": {"slug": w.module.slug},
        "courses:elearning-result": {"slug": w.module.slug},
        "courses:course-detail": {"slug": w.course.slug},
        "courses:manage-venue-update": {"pk": w.venue.pk},
        "courses:manage-resource-update": {"pk": w.resource.pk},
        "courses:manage-resource-delete": {"pk": w.resource.pk},
        "courses:resource-download": {"pk": w.resource.pk},
        "courses:newsletter-preview": {"pk": w.newsletter.pk},
        "courses:newsletter-update": {"pk": w.newsletter.pk},
        "courses:newsletter-send": {"pk": w.newsletter.pk},
        "courses:newsletter-test": {"pk": w.newsletter.pk},
        "courses:manage-course-update": {"pk": w.course.pk},
        "courses:manage-pool": {"pk": w.course.pk},
        "accounts:organisationrequest-decide": {"pk": w.org_request.pk},
        "accounts:membershiprequest-decide": {"pk": w.membership_request.pk},
        "accounts:organisation-domains": {"pk": w.org_a.pk},
        "accounts:person-detail": {"pk": w.users[am.OWNER].pk},
        "privacy:person-export": {"pk": w.users[am.OWNER].pk},
        "privacy:person-delete": {"pk": w.users[am.OWNER].pk},
        "accounts:person-roles": {"pk": w.users[am.OWNER].pk},
        "courses:person-training-record-export": {"pk": w.users[am.OWNER].pk, "fmt": "xlsx"},
        "courses:training-record-export": {"fmt": "csv"},
        "reports:checklist-update": {"pk": w.requirement.pk},
        "reports:checklist-delete": {"pk": w.requirement.pk},
        "reports:organisation-training-export": {"fmt": "csv"},
        "reports:organisation-staff-group": {"pk": w.users[am.OWNER].pk},
        "bookings:event-delegates-export": {"event_pk": w.event.pk, "kind": "xlsx"},
        "courses:manage-event-export": {"kind": "csv"},
        "courses:newsletter-email": {"pk": w.newsletter.pk},
        "core:outgoingemail-detail": {"pk": w.outgoing_email.pk},
        "core:outgoingemail-resend": {"pk": w.outgoing_email.pk},
        "account_confirm_email": {"key": w.email_key},
        # Someone else's reset link with a key that is not theirs.
        "account_reset_password_from_key": {"uidb36": _uidb36(w.users[am.OWNER]),
                                            "key": "set-by-someone-else"},
        "admin:view_on_site": {"content_type_id": ContentType.objects.get_for_model(
            w.course).pk, "object_id": w.course.pk},
        "admin:auth_user_password_change": {"id": w.other_admin.pk},
        "admin:app_list": {"app_label": "courses"},
    }


def _uidb36(user):
    from allauth.account.utils import user_pk_to_url_str

    return user_pk_to_url_str(user)


BY_PARAMETER = {"pk": lambda w: w.event.pk, "event_pk": lambda w: w.event.pk,
                "uid": lambda w: w.booking.uid, "code": lambda w: w.certificate.code,
                "person_pk": lambda w: w.users[am.OWNER].pk}


def url_for(key, route, w, params):
    if key in params:
        return reverse(key, kwargs=params[key])
    if key.startswith("admin:") and "object_id" in route:
        app_model = key.removeprefix("admin:").rsplit("_", 1)[0]
        return reverse(key, kwargs={"object_id": _admin_object(w, app_model).pk})
    if key.startswith("admin/") and "(?P<url>" in route:  # the admin's catch-all
        return "/admin/nothing-here/"
    if key.startswith("admin/"):  # admin/<app>/<model>/<path:object_id>/: the old change URL
        app, model = key.split("/")[1:3]
        return "/" + key.replace("<path:object_id>", str(_admin_object(w, f"{app}_{model}").pk))
    # Any other parameter: the event or the owner's booking (BY_PARAMETER).
    kwargs = {}
    for name in (a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)):
        assert name in BY_PARAMETER, (
            f"{key} ({route}): say which object fills <{name}> in _params "
            "(tests/security/test_access_matrix.py): one that belongs to someone else")
        kwargs[name] = BY_PARAMETER[name](w)
    return reverse(key, kwargs=kwargs)


# Running a cell ---------------------------------------------------------------------------------

def outcome_of(response):
    from django.shortcuts import resolve_url

    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if location.startswith(resolve_url(settings.LOGIN_URL)):
            return am.LOGIN
        if location.startswith("/admin/login/"):
            return am.ADMIN_LOGIN
        return am.REDIRECT
    if 200 <= status < 300:
        return am.OK
    return str(status)


def _login(client, user):
    if user is not None:
        client.force_login(user)


@pytest.mark.django_db
def test_access_matrix(settings, tmp_path):
    # Sessions (and allauth's rate limits) in memory rather than in PostgreSQL for this test:
    # where they are kept changes no answer, and it saves queries on each of the thousands of
    # requests. All through the `settings` fixture: an @override_settings decorator beside it
    # was never undone (the fixture's own override, made inside the decorator's, restored the
    # decorator's settings at teardown), so every later test in the process kept sessions in
    # memory, and a browser test whose live server had started earlier was sent to sign in.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "access-matrix"}}
    settings.MEDIA_ROOT = tmp_path  # the report's stored files (build_world)
    started = time.monotonic()
    patterns = url_patterns()
    w = build_world()
    FIGURES["access matrix: world built in"] = f"{time.monotonic() - started:.1f} s"
    params = _params(w)
    urls = {key: url_for(key, route, w, params) for key, route in patterns.items()}
    failures, counts, observed = [], {"GET": 0, "POST": 0}, {}
    for who in am.IDENTITIES:
        user = w.users.get(who)
        client = Client(raise_request_exception=False)
        _login(client, user)
        for key in sorted(patterns):
            row = am.ROWS.get(key)  # None: test_every_url_pattern_has_a_row... names it
            for method in ("GET", "POST"):
                if method == "GET":
                    response = client.get(urls[key])
                else:  # in a savepoint rolled back after it: the next cell sees the same world
                    with transaction.atomic():
                        response = client.post(urls[key])
                        transaction.set_rollback(True)
                counts[method] += 1
                got = outcome_of(response)
                observed[(key, method, who)] = got
                expected = getattr(row, method.lower())[who] if row else got
                if got != expected:
                    where = response.get("Location", "")
                    if getattr(response, "exc_info", None):
                        where = repr(response.exc_info[1])
                    failures.append(f"{method} {urls[key]} [{key}] as {who}: expected "
                                    f"{expected}, got {got} {response.status_code} {where}")
                if user is not None and not response.wsgi_request.user.is_authenticated:
                    # Signed out: sign in again for the next cell.
                    client = Client(raise_request_exception=False)
                    _login(client, user)
        failures += _what_pages_show(who, client, urls, w)
    elapsed = time.monotonic() - started
    FIGURES["access matrix: URL patterns"] = f"{len(patterns)}"
    FIGURES["access matrix: identities"] = f"{len(am.IDENTITIES)} (anonymous and 12 signed in)"
    FIGURES["access matrix: GET cells"] = f"{counts['GET']:,}"
    FIGURES["access matrix: POST cells"] = f"{counts['POST']:,} (in {elapsed:.0f} s with GET)"
    _dump(observed, patterns)
    assert not failures, f"{len(failures)} cells differ from the access matrix:\n" + "\n".join(
        failures)


def _what_pages_show(who, client, urls, w):
    """access_matrix.SHOWS: a page every lead (say) may open shows each only their own."""
    markers = {
        "owner_email": w.users[am.OWNER].email, "invoice_email": w.org_a.invoice_email,
        "joiner_email": w.joiner.email, "booking": str(w.booking.uid),
        "email_words": "secret-key", "email_address": w.outgoing_email.recipient,
        "event_page": reverse("bookings:facilitator-event-detail", kwargs={"pk": w.event.pk}),
        "invoice_number": w.invoice_a.number,
        "tna_answers": reverse("reports:tna-return", kwargs={"pk": w.tna_round.pk}),
        "tna_lead": w.users[am.LEAD_A].email,
    }
    failures = []
    for key, identity, marker, shown in am.SHOWS:
        if identity != who:
            continue
        response = client.get(urls[key])
        text = response.content.decode()
        if response.status_code != 200 or (markers[marker] in text) != shown:
            failures.append(f"GET {urls[key]} [{key}] as {who}: should {'' if shown else 'not '}"
                            f"show {marker} ({markers[marker]}); status {response.status_code}")
    return failures


def _dump(observed, patterns):
    """ACCESS_MATRIX_DUMP=path writes the observed grid, for a reviewer or to draft rows."""
    import os

    path = os.environ.get("ACCESS_MATRIX_DUMP")
    if not path:
        return
    short = {am.OK: "ok", am.LOGIN: "login", am.ADMIN_LOGIN: "alogin", am.REDIRECT: "302"}
    with open(path, "w") as out:
        out.write(" ".join(f"{i:>6.6}" for i in am.IDENTITIES) + "\n")
        for key in sorted(patterns):
            for method in ("GET", "POST"):
                cells = [short.get(observed[(key, method, who)], observed[(key, method, who)])
                         for who in am.IDENTITIES]
                out.write(" ".join(f"{c:>6}" for c in cells) + f"  {method:4} {key}\n")
