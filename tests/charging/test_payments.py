"""Payments (issue 10): part payments, refusals that save nothing, the invoice settled when
payments and credits cover it, the reminder (once a day), the outstanding list and the CSV
export for the council's finance system."""

import csv
import io
import threading
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from charging.models import Charge, ChargeStatus, Invoice, InvoiceLine, Payment
from charging.selectors.invoices import invoice_balance
from charging.selectors.payments import csv_safe
from charging.services.payments import invoice_reminder_send, payment_record
from core.calendar import LONDON
from core.exceptions import DomainError
from core.models import AuditEntry
from tests.factories import BookingFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

_numbers = count(1)


def london(y, m, d, hour=12, minute=0):
    return datetime(y, m, d, hour, minute, tzinfo=LONDON)


def invoice_make(*, organisation, issued_on, amounts=("75.00",), due_days=30, number=None):
    """An issued invoice with one line per amount, each for an applied charge on an attended
    booking of a delegate of `organisation` (written straight to the database)."""
    amounts = [Decimal(a) for a in amounts]
    invoice = Invoice.objects.create(
        number=number or f"TEST-{issued_on.year}-{next(_numbers):05d}", organisation=organisation,
        issued_on=issued_on, due_on=issued_on + timedelta(days=due_days),
        organisation_name=organisation.name, invoice_email=organisation.invoice_email,
        partnership_name="Test Safeguarding Partnership", total=sum(amounts, Decimal("0")))
    for position, amount in enumerate(amounts):
        delegate = UserFactory(organisation=organisation)
        booking = BookingFactory(delegate=delegate, organisation=organisation, status="attended")
        charge = Charge.objects.create(
            booking=booking, organisation=organisation, sector=organisation.sector,
            kind="attendance", amount=amount, reason="Attendance, full day",
            status=ChargeStatus.APPLIED)
        InvoiceLine.objects.create(
            invoice=invoice, charge=charge, position=position,
            delegate_name=delegate.get_full_name(), course_title=booking.event.course.title,
            event_date=booking.event.start.date(), reason=charge.reason, amount=amount)
    return invoice


@pytest.fixture
def nursery(db):
    return OrganisationFactory(name="Bright Sparks Nursery Ltd", sector=Sector.PRIVATE,
                               invoice_email="accounts@brightsparks.example")


@pytest.fixture
def business(make_user):
    return make_user(Role.BUSINESS_SUPPORT)


NOW = london(2026, 11, 20)


def pay(invoice, amount, *, by, now=NOW, received_on=date(2026, 11, 19), method="bacs",
        reference="BACS 1234"):
    return payment_record(invoice=invoice, received_on=received_on, amount=amount,
                          method=method, reference=reference, by=by, now=now)


# The service -----------------------------------------------------------------------------------

def test_part_payments_then_the_rest_settle_the_invoice(nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2),
                           amounts=["75.00", "100.00"])
    pay(invoice, Decimal("50.00"), by=business)
    invoice.refresh_from_db()
    assert invoice.settled_at is None
    assert invoice_balance(invoice).outstanding == Decimal("125.00")

    pay(invoice, Decimal("125.00"), by=business, now=NOW + timedelta(hours=1))
    invoice.refresh_from_db()
    assert invoice.settled_at == NOW + timedelta(hours=1)
    assert invoice_balance(invoice).outstanding == Decimal("0.00")
    assert list(Payment.objects.filter(invoice=invoice).values_list("amount", flat=True)) == [
        Decimal("50.00"), Decimal("125.00")]
    actions = list(AuditEntry.objects.filter(action__in=["payment.record", "invoice.settled"])
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["payment.record", "payment.record", "invoice.settled"]


@pytest.mark.parametrize("amount, words", [
    (Decimal("0"), "greater than £0.00"),
    (Decimal("-5"), "greater than £0.00"),
    (Decimal("12.345"), "no more than 2 decimal places"),
    (Decimal("175.01"), "more than the £175.00 still owed"),
    (Decimal("NaN"), "as a number"),
], ids=["zero", "negative", "fraction-of-a-penny", "more-than-owed", "not-a-number"])
def test_the_service_refuses_bad_amounts_and_saves_nothing(nursery, business, amount, words):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2),
                           amounts=["75.00", "100.00"])
    with pytest.raises(DomainError) as refused:
        pay(invoice, amount, by=business)
    assert words in refused.value.message
    assert not Payment.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.record").exists()
    invoice.refresh_from_db()
    assert invoice.settled_at is None


def test_a_payment_after_the_invoice_is_settled_is_refused(nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2))
    pay(invoice, Decimal("75.00"), by=business)
    with pytest.raises(DomainError, match="already paid or credited"):
        pay(invoice, Decimal("1.00"), by=business)
    assert Payment.objects.count() == 1


def test_dates_in_the_future_or_before_the_issue_are_refused(nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2))
    with pytest.raises(DomainError, match="cannot be in the future"):
        pay(invoice, Decimal("5.00"), by=business, received_on=date(2026, 11, 21))
    with pytest.raises(DomainError, match="before the invoice was issued"):
        pay(invoice, Decimal("5.00"), by=business, received_on=date(2026, 11, 1))
    assert not Payment.objects.exists()


# The page --------------------------------------------------------------------------------------

def today():
    return timezone.localdate()


def _form(amount, **extra):
    return {"received_on": today().isoformat(), "amount": amount, "method": "bacs",
            "reference": "REMIT 42", **extra}


@pytest.mark.parametrize("typed, words", [
    ("0", "greater than £0.00"),
    ("0.00", "greater than £0.00"),
    ("-5", "greater than £0.00"),
    ("12.345", "no more than 2 decimal places"),
    ("£5", "without the £ sign"),
    ("abc", "as a number of pounds and pence"),
    ("1,000", "without commas"),
    ("", "Enter the amount received"),
    ("1e3", "as a number of pounds and pence"),
    ("200.00", "more than the £175.00 still owed"),
], ids=["zero", "zero-pence", "negative", "three-places", "pound-sign", "letters", "comma",
        "empty", "exponent", "more-than-owed"])
def test_the_form_says_what_is_wrong_and_saves_nothing(client, nursery, business, typed, words):
    invoice = invoice_make(organisation=nursery, issued_on=today() - timedelta(days=10),
                           amounts=["75.00", "100.00"])
    client.force_login(business)
    response = client.post(reverse("charging:payment-create", args=[invoice.pk]), _form(typed))
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and words in text
    assert not Payment.objects.exists()


def test_recording_a_part_payment_on_the_page(client, nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=today() - timedelta(days=10),
                           amounts=["75.00", "100.00"])
    client.force_login(business)
    url = reverse("charging:payment-create", args=[invoice.pk])
    response = client.post(url, _form("75.50"), follow=True)
    assert "£99.50 is still owed on invoice" in response.content.decode()
    response = client.post(url, _form("99.50"), follow=True)
    text = response.content.decode()
    assert f"invoice {invoice.number} is now paid in full" in text
    assert "Record the payment" not in text  # no form once nothing is owed
    invoice.refresh_from_db()
    assert invoice.settled_at is not None


def test_the_payment_page_runs_a_bounded_number_of_queries(client, nursery, business,
                                                           django_assert_max_num_queries):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2))
    for _ in range(5):
        Payment.objects.create(invoice=invoice, received_on=date(2026, 11, 3), amount="1.00",
                               method="bacs", recorded_by=business)
    client.force_login(business)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("charging:payment-create", args=[invoice.pk]))
    assert response.status_code == 200


def test_only_business_support_and_officers_record_payments(client, nursery, make_user):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2))
    url = reverse("charging:payment-create", args=[invoice.pk])
    finance = make_user(Role.FINANCE_CONTACT, organisation=nursery)
    client.force_login(finance)
    assert client.post(url, _form("5.00")).status_code == 403
    client.force_login(make_user(Role.DELEGATE, organisation=nursery))
    assert client.get(url).status_code == 403
    client.force_login(make_user(Role.OFFICER))
    assert client.get(url).status_code == 200
    assert client.get(reverse("charging:payment-create", args=[invoice.pk + 999])
                      ).status_code == 404
    assert not Payment.objects.exists()


# Outstanding invoices and reminders -------------------------------------------------------------

def test_the_outstanding_list_shows_unpaid_invoices_and_what_blocks(
        client, nursery, business, django_assert_max_num_queries):
    issued = today() - relativedelta(months=2)
    old = invoice_make(organisation=nursery, issued_on=issued)  # stopping bookings
    recent = invoice_make(organisation=nursery, issued_on=today() - timedelta(days=3))
    paid = invoice_make(organisation=nursery, issued_on=issued - timedelta(days=30))
    Payment.objects.create(invoice=paid, received_on=issued, amount=paid.total, method="bacs")
    Invoice.objects.filter(pk=paid.pk).update(settled_at=NOW)
    for _ in range(6):
        invoice_make(organisation=OrganisationFactory(), issued_on=today() - timedelta(days=1))
    client.force_login(business)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("charging:payment-outstanding"))
    text = response.content.decode()
    assert old.number in text and recent.number in text and paid.number not in text
    assert text.index(old.number) < text.index(recent.number)  # oldest first
    since = issued + relativedelta(months=1) + timedelta(days=1)
    assert "Stopping bookings" in text and f"since {since:%a} {since.day} {since:%b %Y}" in text

    blocking = client.get(reverse("charging:payment-outstanding") + "?show=blocking")
    assert old.number in blocking.content.decode()
    assert recent.number not in blocking.content.decode()


def test_a_reminder_goes_to_the_invoice_contact_once_a_day(nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    pay(invoice, Decimal("25.00"), by=business, received_on=date(2026, 10, 5))
    mail.outbox.clear()
    invoice_reminder_send(invoice=invoice, by=business, now=NOW)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["accounts@brightsparks.example"]
    assert invoice.number in message.subject and "overdue" in message.subject
    assert "Still owed: £50.00" in message.body
    assert "cannot book training" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    invoice.refresh_from_db()
    assert invoice.reminded_at == NOW

    with pytest.raises(DomainError, match="already sent today"):
        invoice_reminder_send(invoice=invoice, by=business, now=NOW + timedelta(hours=3))
    invoice_reminder_send(invoice=invoice, by=business, now=NOW + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_no_reminder_for_a_settled_invoice_or_without_an_address(nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1))
    pay(invoice, invoice.total, by=business)
    with pytest.raises(DomainError, match="already paid"):
        invoice_reminder_send(invoice=invoice, by=business, now=NOW)
    nowhere = OrganisationFactory(name="No Address Ltd", sector=Sector.PRIVATE)
    other = invoice_make(organisation=nowhere, issued_on=date(2026, 10, 1))
    with pytest.raises(DomainError, match="no email address for invoices"):
        invoice_reminder_send(invoice=other, by=business, now=NOW)
    assert not mail.outbox


def test_the_reminder_button_posts_and_comes_back(client, nursery, business):
    invoice = invoice_make(organisation=nursery, issued_on=today() - timedelta(days=40))
    client.force_login(business)
    url = reverse("charging:invoice-remind", args=[invoice.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"next": "/charging/outstanding/?show=blocking"})
    assert response.status_code == 302
    assert response["Location"] == "/charging/outstanding/?show=blocking"
    response = client.post(url, {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("charging:payment-outstanding")
    assert "already sent today" in response.content.decode()
    assert len(mail.outbox) == 1


# The CSV export ---------------------------------------------------------------------------------

def test_csv_cells_that_start_a_formula_are_quoted():
    assert csv_safe("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    for start in "=+-@":
        assert csv_safe(f"{start}1") == f"'{start}1"
    assert csv_safe("\t=1") == "'\t=1"
    assert csv_safe("Bright Sparks") == "Bright Sparks"


def _csv(response):
    body = response.content.decode("utf-8")
    return list(csv.reader(io.StringIO(body)))


def test_csv_export_of_invoices_and_payments(client, nursery, business):
    nasty = OrganisationFactory(name="=cmd|' /C calc'!A0", sector=Sector.PRIVATE)
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 10, 1),
                           amounts=["75.00", "100.00"])
    invoice_make(organisation=nasty, issued_on=date(2026, 11, 2), amounts=["1234.50"])
    invoice_make(organisation=nursery, issued_on=date(2026, 6, 1))  # before the range
    pay(invoice, Decimal("25.50"), by=business, received_on=date(2026, 10, 6),
        reference="-2+3")
    client.force_login(business)
    url = reverse("charging:payment-export")
    assert "Download the CSV file" in client.get(url).content.decode()

    response = client.get(url, {"what": "invoices", "date_from": "2026-09-01",
                                "date_to": "2026-11-30"})
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:8] == ["Invoice number", "Organisation", "Issue date", "Due date", "Total",
                           "Credited", "Paid", "Outstanding"]
    assert rows[1][:8] == [invoice.number, nursery.name, "2026-10-01", "2026-10-31", "175.00",
                           "0.00", "25.50", "149.50"]
    assert rows[2][1] == "'=cmd|' /C calc'!A0"
    assert rows[2][4] == "1234.50"
    assert len(rows) == 3

    rows = _csv(client.get(url, {"what": "payments"}))
    assert rows == [["Date received", "Invoice number", "Organisation", "Amount", "Method",
                     "Reference"],
                    ["2026-10-06", invoice.number, nursery.name, "25.50",
                     "Bank transfer (BACS)", "'-2+3"]]


def test_csv_export_bad_dates_say_so(client, business):
    client.force_login(business)
    response = client.get(reverse("charging:payment-export"),
                          {"what": "invoices", "date_from": "2026-12-01",
                           "date_to": "2026-11-01"})
    assert response.status_code == 200
    assert "must be the same as or after" in response.content.decode()
    response = client.get(reverse("charging:payment-export"), {"what": "bogus"})
    assert "Choose invoices or payments" in response.content.decode()


def test_delegates_and_finance_contacts_cannot_export(client, nursery, make_user):
    url = reverse("charging:payment-export")
    for role in (Role.DELEGATE, Role.FINANCE_CONTACT, Role.SAFEGUARDING_LEAD):
        client.force_login(make_user(role, organisation=nursery))
        assert client.get(url, {"what": "invoices"}).status_code == 403


# Two people recording the last payment at once ---------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_payments_of_what_is_owed_at_once_record_one(nursery, make_user):
    """The invoice row is locked while the balance is checked: of two people recording the
    whole amount at the same moment, one is told nothing more is owed."""
    business = make_user(Role.BUSINESS_SUPPORT)
    invoice = invoice_make(organisation=nursery, issued_on=date(2026, 11, 2),
                           amounts=["75.00", "100.00"])
    barrier, outcomes, guard = threading.Barrier(2), [], threading.Lock()

    def attempt():
        try:
            barrier.wait(timeout=30)
            outcome = pay(invoice, Decimal("175.00"), by=business)
        except Exception as exc:  # noqa: BLE001 – checked below
            outcome = exc
        finally:
            connections.close_all()
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(outcomes) == 2 and len(refused) == 1, outcomes
    assert "already paid or credited" in refused[0].message
    assert list(Payment.objects.values_list("amount", flat=True)) == [Decimal("175.00")]
    invoice.refresh_from_db()
    assert invoice.settled_at is not None
