"""Statements (issue 10): an organisation's finance contact sees its charges, invoices (PDFs),
credit notes and payments, and no other organisation's (changing the id gives 404); delegates
never see invoices."""

import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import Sector
from accounts.roles import Role
from charging.models import Charge, ChargeStatus, CreditNote, CreditNoteLine, Payment
from tests.factories import BookingFactory, OrganisationFactory, UserFactory

from .test_payments import invoice_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Acorn Nurseries Ltd", sector=Sector.PRIVATE,
                               invoice_email="accounts@acorn.example")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Birch Care Ltd", sector=Sector.PRIVATE,
                               invoice_email="accounts@birch.example")


@pytest.fixture
def finance_a(make_user, org_a):
    return make_user(Role.FINANCE_CONTACT, organisation=org_a)


@pytest.fixture
def world(org_a, org_b):
    today = timezone.localdate()
    a = invoice_make(organisation=org_a, issued_on=today - timedelta(days=5),
                     amounts=["75.00", "100.00"])
    b = invoice_make(organisation=org_b, issued_on=today - timedelta(days=5),
                     amounts=["50.00"])
    Payment.objects.create(invoice=a, received_on=today, amount="60.00", method="cheque",
                           reference="CHQ 000123")
    Payment.objects.create(invoice=b, received_on=today, amount="20.00", method="bacs",
                           reference="B-SECRET-REF")
    line = a.lines.order_by("position").first()
    note = CreditNote.objects.create(number="CN-A-1", invoice=a, issued_on=today,
                                     reason="Attended for the council", total="75.00")
    CreditNoteLine.objects.create(credit_note=note, invoice_line=line, amount="75.00")
    note_b = CreditNote.objects.create(number="CN-B-1", invoice=b, issued_on=today,
                                       reason="B only", total="10.00")
    CreditNoteLine.objects.create(credit_note=note_b, invoice_line=b.lines.first(),
                                  amount="10.00")
    # A late cancellation waiting for a decision, and a waived no-show (not invoiced).
    pending = Charge.objects.create(
        booking=BookingFactory(delegate=UserFactory(organisation=org_a, first_name="Kelly",
                                                    last_name="Morris"),
                               status="late_cancelled"),
        organisation=org_a, sector=org_a.sector, kind="late_cancellation", amount="100.00",
        reason="Late cancellation: 3 working days' notice", status=ChargeStatus.PENDING)
    waived = Charge.objects.create(
        booking=BookingFactory(delegate=UserFactory(organisation=org_a, first_name="Simon",
                                                    last_name="Baxter"),
                               status="no_show"),
        organisation=org_a, sector=org_a.sector, kind="no_show", amount="50.00",
        reason="Did not attend, half day", status=ChargeStatus.WAIVED, waiver_reason="illness")
    return {"a": a, "b": b, "note": note, "note_b": note_b, "pending": pending,
            "waived": waived}


def test_the_finance_contact_sees_their_own_organisations_statement(
        client, finance_a, world, django_assert_max_num_queries):
    client.force_login(finance_a)
    with django_assert_max_num_queries(15):
        text = client.get(reverse("charging:statement")).content.decode()
    a, b = world["a"], world["b"]
    assert a.number in text and b.number not in text
    # 175.00 - 75.00 credited - 60.00 paid
    assert "£40.00" in text and "Part paid" in text
    assert "1 possible charge" in text  # the late cancellation waiting for a decision

    text = client.get(reverse("charging:statement-payments")).content.decode()
    assert "CHQ 000123" in text and "B-SECRET-REF" not in text
    text = client.get(reverse("charging:statement-credit-notes")).content.decode()
    assert "CN-A-1" in text and "CN-B-1" not in text
    text = client.get(reverse("charging:statement-charges")).content.decode()
    assert "Kelly Morris" in text and "Waiting for a decision" in text
    assert "Simon Baxter" in text and "Waived" in text
    assert escape(b.lines.first().delegate_name) not in text

    text = client.get(reverse("charging:statement-invoice", args=[a.pk])).content.decode()
    for line in a.lines.all():
        assert escape(line.delegate_name) in text  # a Faker name may hold an apostrophe
    assert "CN-A-1" in text and "CHQ 000123" in text and "£40.00" in text


def test_another_organisations_invoice_is_not_found(client, finance_a, world):
    client.force_login(finance_a)
    b = world["b"]
    for name, pk in (("charging:statement-invoice", b.pk),
                     ("charging:statement-invoice-pdf", b.pk),
                     ("charging:statement-credit-note-pdf", world["note_b"].pk)):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_the_invoice_pdf_reads_back(client, finance_a, world, tmp_path):
    client.force_login(finance_a)
    a = world["a"]
    response = client.get(reverse("charging:statement-invoice-pdf", args=[a.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "invoice.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert a.number in text
    for line in a.lines.all():
        assert line.delegate_name in text
    assert "175.00" in text

    response = client.get(reverse("charging:statement-credit-note-pdf",
                                  args=[world["note"].pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.SAFEGUARDING_LEAD, Role.FACILITATOR,
                                  Role.LOD_MEMBER],
                         ids=["delegate", "safeguarding-lead", "facilitator", "lod-member"])
def test_delegates_and_other_roles_never_see_invoices(client, make_user, org_a, world, role):
    client.force_login(make_user(role, organisation=org_a))
    for name, args in (("charging:statement", []),
                       ("charging:statement-invoice", [world["a"].pk]),
                       ("charging:statement-invoice-pdf", [world["a"].pk]),
                       ("charging:statement-payments", []),
                       ("charging:statement-charges", [])):
        assert client.get(reverse(name, args=args)).status_code == 403, name


def test_a_finance_contact_without_an_organisation_sees_nothing(client, make_user, world):
    finance = make_user(Role.FINANCE_CONTACT, organisation=None)
    client.force_login(finance)
    text = client.get(reverse("charging:statement")).content.decode()
    assert "not linked to an organisation" in text
    assert world["a"].number not in text
    assert client.get(reverse("charging:statement-invoice", args=[world["a"].pk])
                      ).status_code == 404


def test_a_paid_invoice_shows_as_paid(client, finance_a, org_a, make_user):
    from charging.services.payments import payment_record

    invoice = invoice_make(organisation=org_a, issued_on=timezone.localdate() - timedelta(days=3))
    payment_record(invoice=invoice, received_on=timezone.localdate(), amount=Decimal("75.00"),
                   method="card", reference="", by=make_user(Role.BUSINESS_SUPPORT),
                   now=timezone.now())
    client.force_login(finance_a)
    text = client.get(reverse("charging:statement")).content.decode()
    assert "£0.00" in text and ">Paid<" in text


def test_every_statement_page_runs_a_bounded_number_of_queries(
        client, finance_a, org_a, world, django_assert_max_num_queries):
    for n in range(8):  # more charges and payments: still the same number of queries
        invoice = invoice_make(organisation=org_a,
                               issued_on=timezone.localdate() - timedelta(days=20 + n))
        Payment.objects.create(invoice=invoice, received_on=timezone.localdate(),
                               amount="5.00", method="bacs")
    client.force_login(finance_a)
    for name in ("charging:statement", "charging:statement-charges",
                 "charging:statement-payments", "charging:statement-credit-notes"):
        with django_assert_max_num_queries(15):
            assert client.get(reverse(name)).status_code == 200
    with django_assert_max_num_queries(15):
        client.get(reverse("charging:statement-invoice", args=[world["a"].pk]))
