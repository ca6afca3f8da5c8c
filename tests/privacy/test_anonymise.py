"""Issue 15: "After anonymisation the quarterly report and every invoice total are unchanged,
and no table holds the person's name or email (checked by a query over every text column)"."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast

from accounts.models import Sector
from accounts.roles import Role
from bookings.models import Booking, Substitution
from charging.models import Charge, ChargeStatus, Invoice
from charging.pdf import invoice_pdf
from charging.services.invoices import invoice_batch_run
from charging.services.payments import payment_record
from core.audit import audit_record
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail
from evaluations.models import Certificate
from newsletter.models import Newsletter, NewsletterDelivery
from privacy.anonymise import ANONYMISED_NAME, anonymised_email, person_anonymise
from reports.build import build_snapshot
from reports.models import ReportKind
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)
from tests.helpers import totp_activate

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
NAME, EMAIL = "Dana Erasewell", "dana.erasewell@example.org"


def text_columns():
    """Every text column of every model of every installed app: CharField, TextField,
    EmailField and JSONField (cast to text), whatever it is for."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, (models.CharField, models.TextField, models.JSONField)):
                yield model, f


def tables_holding(*needles):
    """["table.column", ...] where any needle is found (case ignored)."""
    found = []
    for model, f in text_columns():
        qs = model._base_manager.all()
        lookup = f.name
        if isinstance(f, models.JSONField):
            qs, lookup = qs.annotate(_as_text=Cast(f.name, models.TextField())), "_as_text"
        condition = models.Q()
        for needle in needles:
            condition |= models.Q(**{f"{lookup}__icontains": needle})
        if qs.filter(condition).exists():
            found.append(f"{model._meta.db_table}.{f.column}")
    return found


@pytest.fixture
def world(db, make_user):
    """Dana, a nursery's delegate, attended a course last quarter (access needs shared), was
    charged, invoiced and has paid; she holds a certificate, emails, audit entries, an admin
    log line, a newsletter delivery, a substitution and a colleague who names her as line
    manager; she is signed in, with an authenticator. A colleague is treated the same way and
    must keep everything."""
    officer = make_user(Role.OFFICER)
    business = make_user(Role.BUSINESS_SUPPORT)
    nursery = OrganisationFactory(name="Bright Sparks Nursery Ltd", sector=Sector.PRIVATE,
                                  invoice_email="accounts@brightsparks.example")
    dana = UserFactory(first_name="Dana", last_name="Erasewell", email=EMAIL,
                       organisation=nursery, job_title="Room leader at Bright Sparks",
                       line_manager_name="Morgan Manager",
                       line_manager_email="morgan.manager@example.org",
                       access_needs="Dyslexia: slides beforehand please", newsletter_opt_in=True)
    EmailAddress.objects.create(user=dana, email="dana.home@example.net", verified=True)
    colleague = UserFactory(first_name="Cora", last_name="Keepall", organisation=nursery,
                            line_manager_name=NAME, line_manager_email=EMAIL)
    course = CourseFactory(title="Working Together")
    event = EventFactory(course=course, start=datetime(2026, 8, 10, 8, 30, tzinfo=UTC),
                         end=datetime(2026, 8, 10, 15, 30, tzinfo=UTC))
    dana_booking = BookingFactory(event=event, delegate=dana, status="attended",
                                  access_needs="Dyslexia: slides beforehand please",
                                  approval_sent_to="morgan.manager@example.org",
                                  created_at=datetime(2026, 7, 1, tzinfo=UTC))
    cora_booking = BookingFactory(event=event, delegate=colleague, status="attended",
                                  access_needs="Hearing loop",
                                  created_at=datetime(2026, 7, 1, tzinfo=UTC))
    for booking in (dana_booking, cora_booking):
        Charge.objects.create(booking=booking, organisation=nursery, sector=nursery.sector,
                              kind="attendance", amount=Decimal("75.00"),
                              reason="Attendance, full day", status=ChargeStatus.APPLIED,
                              created_at=datetime(2026, 8, 11, tzinfo=UTC))
    invoice_batch_run(up_to=date(2026, 11, 19), by=business, now=NOW)
    invoice = Invoice.objects.get(organisation=nursery)
    payment_record(invoice=invoice, received_on=date(2026, 11, 20), amount="150.00",
                   method="bacs", reference="BACS 1234", by=business, now=NOW)
    Certificate.objects.create(user=dana, course=course, event=event, booking=dana_booking,
                               delegate_name=NAME, course_title=course.title,
                               course_level="Level 2", completed_on=date(2026, 8, 10),
                               hours=Decimal("6"))
    OutgoingEmail.objects.create(
        purpose="booking:1:confirmed", recipient=EMAIL, user=dana, from_email="x@example.org",
        subject="Your place", body_text=f"Dear {NAME}", body_html=f"<p>Dear {NAME}</p>",
        attachments=[{"filename": "a.ics", "content": f"ATTENDEE:{EMAIL}", "base64": False}],
        status=OutgoingEmail.Status.SENT, sent_at=NOW)
    OutgoingEmail.objects.create(
        purpose="booking:1:manager", recipient="morgan.manager@example.org",
        from_email="x@example.org", subject=f"{NAME} booked Working Together",
        body_text=f"{NAME} ({EMAIL}) booked.", headers={"Reply-To": EMAIL},
        status=OutgoingEmail.Status.SENT, sent_at=NOW)
    OutgoingEmail.objects.create(purpose="later", recipient="Dana.Home@example.net",
                                 from_email="x@example.org", subject="Reminder",
                                 body_text="Hello Dana")
    audit_record(actor=dana, action="booking.create", target=dana_booking)
    audit_record(actor=officer, on_behalf_of=dana, action="booking.cancel", target=dana_booking,
                 details={"note": f"Phoned by {NAME.upper()}", "email": EMAIL})
    audit_record(actor=officer, action="roles.change", target=dana)
    audit_record(actor=dana, action="profile.update", target=dana,
                 changes={"email": ["dana.old@example.org", EMAIL]})
    LogEntry.objects.create(user=officer, content_type=ContentType.objects.get_for_model(dana),
                            object_id=str(dana.pk), object_repr=str(dana), action_flag=CHANGE,
                            change_message="[]")
    newsletter = Newsletter.objects.create(subject="News", created_by=business)
    NewsletterDelivery.objects.create(newsletter=newsletter, user=dana, email=EMAIL, sent_at=NOW)
    Substitution.objects.create(booking=cora_booking, from_delegate=colleague, to_delegate=dana,
                                to_email=EMAIL, by=colleague)
    totp_activate(dana)
    return {"dana": dana, "cora": colleague, "officer": officer, "invoice": invoice,
            "booking": dana_booking, "cora_booking": cora_booking, "event": event}


def _invoice_totals():
    return sorted((i.number, i.total, sum(line.amount for line in i.lines.all()))
                  for i in Invoice.objects.prefetch_related("lines"))


def test_anonymisation_keeps_the_report_and_invoices_and_leaves_no_name_or_email(
        world, client):
    dana = world["dana"]
    client.force_login(dana)
    assert Session.objects.exists()
    before_report = build_snapshot(ReportKind.QUARTERLY, *QUARTER)
    before_totals = _invoice_totals()
    assert before_totals[0][1] == Decimal("150.00")
    # The search finds the copies before (so its empty answer afterwards means something).
    assert {"accounts_user.email", "charging_invoiceline.delegate_name",
            "core_outgoingemail.body_text", "core_outgoingemail.attachments",
            "core_auditentry.details", "core_auditentry.actor_label",
            "evaluations_certificate.delegate_name", "django_admin_log.object_repr",
            "account_emailaddress.email", "bookings_substitution.to_email",
            "newsletter_newsletterdelivery.email"} <= set(tables_holding(NAME, EMAIL))

    person_anonymise(dana, actor=world["officer"], now=NOW, reason="Their request")

    assert tables_holding(NAME, EMAIL, "dana.home@example.net") == []
    assert build_snapshot(ReportKind.QUARTERLY, *QUARTER) == before_report
    assert _invoice_totals() == before_totals
    # The re-rendered invoice names no delegate once erased, and still names the colleague.
    invoice = world["invoice"]
    lines = list(invoice.lines.order_by("position"))
    assert sorted(line.delegate_name for line in lines) == sorted(
        [ANONYMISED_NAME, "Cora Keepall"])
    assert invoice_pdf(invoice=invoice)[:4] == b"%PDF"

    dana = get_user_model().objects.get(pk=dana.pk)
    assert dana.email == anonymised_email(dana.pk)
    assert (dana.job_title, dana.line_manager_name, dana.line_manager_email,
            dana.access_needs) == ("", "", "", "")
    assert not dana.has_usable_password() and not dana.is_active
    assert not dana.newsletter_opt_in and dana.anonymised_at == NOW
    assert dana.staff_group and dana.organisation_id  # the categories reports count by stay
    assert not EmailAddress.objects.filter(user=dana).exists()
    assert not Authenticator.objects.filter(user=dana).exists()
    assert not Session.objects.exists()
    # Her rows stay, anonymously; the colleague's are untouched.
    booking = Booking.objects.get(pk=world["booking"].pk)
    assert booking.delegate_id == dana.pk and booking.status == "attended"
    assert booking.access_needs == ""
    assert Booking.objects.get(pk=world["cora_booking"].pk).access_needs == "Hearing loop"
    assert Charge.objects.filter(booking__delegate=dana, amount=Decimal("75.00")).exists()
    # The email not yet sent to her is not sent; those sent keep subject and status only.
    assert not OutgoingEmail.objects.filter(purpose="later").exists()
    sent = OutgoingEmail.objects.get(purpose="booking:1:confirmed")
    assert (sent.recipient, sent.body_text, sent.attachments, sent.status) == (
        anonymised_email(dana.pk), "", [], "sent")
    to_manager = OutgoingEmail.objects.get(purpose="booking:1:manager")
    assert to_manager.subject == f"{ANONYMISED_NAME} booked Working Together"
    cora = get_user_model().objects.get(pk=world["cora"].pk)
    assert (cora.line_manager_name, cora.line_manager_email) == ("", "")
    assert cora.first_name == "Cora" and cora.email != dana.email
    entry = AuditEntry.objects.filter(action="person.anonymise").get()
    assert entry.actor == world["officer"] and entry.details["reason"] == "Their request"


def test_refused_with_the_reason_while_a_place_is_held(world):
    dana = world["dana"]
    BookingFactory(delegate=dana, event=EventFactory(
        course=CourseFactory(title="Neglect"), start=NOW + timedelta(days=10),
        end=NOW + timedelta(days=10, hours=7)))
    with pytest.raises(DomainError) as refused:
        person_anonymise(dana, actor=None, now=NOW, reason="test")
    assert "Neglect" in refused.value.message and "cancelled first" in refused.value.message
    assert get_user_model().objects.get(pk=dana.pk).email == EMAIL
    assert not AuditEntry.objects.filter(action="person.anonymise").exists()


def test_a_second_anonymisation_is_refused(world):
    person_anonymise(world["dana"], actor=None, now=NOW, reason="test")
    with pytest.raises(DomainError, match="already deleted"):
        person_anonymise(world["dana"], actor=None, now=NOW, reason="test")
    assert AuditEntry.objects.filter(action="person.anonymise").count() == 1
