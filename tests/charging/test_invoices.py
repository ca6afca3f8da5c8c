"""Invoices (issue 10): the PDF read back with pdftotext; issued invoices are never edited or
deleted; the invoicing pages for business support and officers (batch preview and run, batch
history, invoice list and detail, PDF, credit note form), and nobody else."""

import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.roles import Role
from charging.models import (
    CreditNote,
    DocumentCounter,
    Invoice,
    InvoiceBatch,
    InvoiceLine,
    Payment,
)
from charging.pdf import invoice_pdf
from charging.services.credit_notes import credit_note_issue
from core.models import Partnership
from tests.charging.invoice_pages import applied_charge, issued_invoice, private_organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def dspp(db):
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.name = "Dudley Safeguarding People Partnership"
    partnership.address = "Council House\nPriory Road\nDudley DY1 1HF"
    partnership.save()
    return partnership


def pdf_text(content, tmp_path, *, layout=False):
    path = tmp_path / "document.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                            capture_output=True, check=True, timeout=60)
    return " ".join(result.stdout.decode().split())


@pytest.fixture
def business(make_user):
    return make_user(Role.BUSINESS_SUPPORT)


@pytest.fixture
def invoice():
    nursery = private_organisation("Bright Futures Nurseries Ltd")
    applied_charge(nursery, amount="75.00", course_title="Working Together to Safeguard")
    applied_charge(nursery, amount="100.00", course_title="Child on Child Abuse",
                   kind="late_cancellation",
                   reason="Late cancellation: 3 working days' notice (full day)")
    applied_charge(nursery, amount="0.35", course_title="Understanding Risks")
    from charging.services.invoices import invoice_batch_run

    invoice_batch_run(up_to=timezone.localdate(), by=None, now=timezone.now())
    return Invoice.objects.get()


# The PDF ----------------------------------------------------------------------------------
def test_the_invoice_pdf_shows_the_number_each_line_and_the_total(invoice, tmp_path):
    pdf = invoice_pdf(invoice=invoice)
    text = pdf_text(pdf, tmp_path)
    assert invoice.number in text and invoice.number.startswith("DSPP-")
    assert "Bright Futures Nurseries Ltd" in text and "PO-7781" in text
    assert "1 High Street" in text and "Dudley Safeguarding People Partnership" in text
    assert "Priory Road" in text
    for line in invoice.lines.all():
        assert line.delegate_name in text and line.course_title in text
        assert f"£{line.amount}" in text
    assert "Late cancellation: 3 working days' notice (full day)" in text
    assert invoice.due_on.strftime("%-d %B %Y") in text
    assert invoice.total == Decimal("175.35")
    assert "Total due £175.35" in pdf_text(pdf, tmp_path, layout=True)


def test_the_pdf_download_is_the_pdf(client, business, invoice, tmp_path):
    client.force_login(business)
    response = client.get(reverse("charging:invoice-pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
    assert invoice.number in pdf_text(response.content, tmp_path)


# Never edited or deleted ------------------------------------------------------------------
def test_an_issued_invoice_and_its_lines_are_never_changed_or_deleted(invoice):
    invoice.total = Decimal("1.00")
    with pytest.raises(ValidationError, match="cannot be changed"):
        invoice.save()
    with pytest.raises(ValidationError, match="cannot be changed"):
        invoice.save(update_fields=["total"])
    with pytest.raises(ValidationError, match="cannot be deleted"):
        invoice.delete()
    line = invoice.lines.first()
    line.amount = Decimal("0.01")
    with pytest.raises(ValidationError):
        line.save()
    with pytest.raises(ValidationError):
        line.delete()
    fresh = Invoice.objects.get()
    assert fresh.total == Decimal("175.35") and InvoiceLine.objects.count() == 3
    # Only the bookkeeping fields move, and only by name.
    fresh.settled_at = timezone.now()
    fresh.save(update_fields=["settled_at"])
    assert Invoice.objects.get().settled_at is not None


# The batch pages --------------------------------------------------------------------------
def test_business_support_previews_then_issues_the_invoices(client, business):
    nursery = private_organisation("Bright Futures Nurseries Ltd")
    silent = private_organisation("Quiet Nursery Ltd", invoice_email="")
    applied_charge(nursery, amount="75.00", course_title="Working Together")
    applied_charge(silent, amount="25.00")
    client.force_login(business)
    today = timezone.localdate()

    page = client.get(reverse("charging:invoice-batch"), {"up_to": today.isoformat()})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bright Futures Nurseries Ltd" in html and "Working Together" in html
    assert "£100.00" in html and "Issue 2 invoices" in html
    assert not Invoice.objects.exists()  # the preview saves nothing

    response = client.post(reverse("charging:invoice-batch"), {"up_to": today.isoformat()})
    batch = InvoiceBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("charging:invoice-batch-detail", args=[batch.pk])
    assert batch.run_by == business and batch.invoice_count == 2
    page = client.get(response["Location"]).content.decode()
    assert "2 invoices issued, £100.00 in all." in page
    assert "accounts@nursery.example" in page
    assert "Not emailed: no invoice contact" in page and "could not be emailed" in page
    from core.dates import day_and_time
    assert f"<h1>{day_and_time(batch.run_at)}</h1>" in page  # the house style, London time
    page = client.get(reverse("charging:invoice-batch")).content.decode()
    assert f"Last run {day_and_time(batch.run_at)} by" in page


def test_an_empty_period_is_a_message_on_the_page_and_nothing_saved(client, business):
    client.force_login(business)
    applied_charge(private_organisation(), status="pending")
    response = client.post(reverse("charging:invoice-batch"), {"up_to": "2026-11-30"})
    assert response.status_code == 200
    assert "No applied charges to invoice up to Monday 30 November 2026." in response.content.decode()
    assert not InvoiceBatch.objects.exists() and not DocumentCounter.objects.exists()


@pytest.mark.parametrize("up_to, words", [
    ("", "Enter the last day of charges to invoice."),
    ("2026-02-30", "Enter a real date"),
    ("0001-01-01", "Enter a date in 2000 or later."),
    ("9999-12-31", "Enter a date no more than 5 years ahead"),
], ids=["blank", "impossible", "ancient", "far-future"])
def test_a_bad_date_is_a_message_on_the_page(client, business, up_to, words):
    applied_charge(private_organisation())
    client.force_login(business)
    response = client.post(reverse("charging:invoice-batch"), {"up_to": up_to})
    assert response.status_code == 200 and words in response.content.decode()
    assert not Invoice.objects.exists()


def test_tomorrow_is_refused(client, business):
    applied_charge(private_organisation())
    client.force_login(business)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("charging:invoice-batch"), {"up_to": tomorrow})
    assert "today or earlier" in response.content.decode() and not Invoice.objects.exists()


# Invoice list and detail ------------------------------------------------------------------
def test_the_invoice_list_filters_by_organisation_and_status_and_pages(
        client, business, django_assert_max_num_queries):
    nursery = private_organisation("Bright Futures Nurseries Ltd")
    other = private_organisation("Oak Care Homes Ltd")
    paid = issued_invoice(nursery, amounts=("50.00",))
    Payment.objects.create(invoice=paid, received_on=date.today(), amount=Decimal("50.00"),
                           method="bacs")
    paid.settled_at = timezone.now()
    paid.save(update_fields=["settled_at"])
    # Thirty more invoices: more than a page.
    for _ in range(30):
        issued_invoice(other, amounts=("20.00",))
    client.force_login(business)
    url = reverse("charging:invoice-list")
    with django_assert_max_num_queries(15):
        page = client.get(url)
    html = page.content.decode()
    assert "31 invoices" in html and "Pages of invoices" in html

    page = client.get(url, {"organisation": nursery.pk}).content.decode()
    assert paid.number in page and "1 invoice," in page and "Paid" in page
    page = client.get(url, {"state": "settled"}).content.decode()
    assert paid.number in page and "1 invoice," in page
    page = client.get(url, {"state": "outstanding", "organisation": other.pk}).content.decode()
    assert "30 invoices" in page and paid.number not in page
    page = client.get(url, {"organisation": "999999", "state": "nonsense"})
    assert page.status_code == 200 and "Choose an organisation from the list." in (
        page.content.decode())


def test_the_invoice_page_shows_lines_credit_notes_payments_and_the_balance(
        client, business, invoice, django_assert_max_num_queries):
    first = invoice.lines.order_by("position").first()
    credit_note_issue(invoice=invoice, lines={first.pk: "75.00"}, reason="Waived on appeal",
                      by=business, now=timezone.now())
    Payment.objects.create(invoice=invoice, received_on=date.today(), amount=Decimal("50.00"),
                           method="bacs", reference="BACS-123")
    client.force_login(business)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("charging:invoice-detail", args=[invoice.pk]))
    html = response.content.decode()
    for line in invoice.lines.all():
        assert escape(line.delegate_name) in html and escape(line.course_title) in html
    assert "DSPP-CN-" in html and "Waived on appeal" in html and "BACS-123" in html
    assert "£175.35" in html and "£50.35" in html  # total; still owed 175.35 - 75 - 50
    assert reverse("charging:credit-note-create", args=[invoice.pk]) in html


def test_an_unknown_invoice_is_not_found(client, business):
    client.force_login(business)
    for name in ("charging:invoice-detail", "charging:invoice-pdf",
                 "charging:credit-note-create", "charging:credit-note-pdf",
                 "charging:invoice-batch-detail"):
        assert client.get(reverse(name, args=[424242])).status_code == 404


# The credit note form ---------------------------------------------------------------------
def test_the_credit_note_form_issues_one(client, business, invoice):
    lines = list(invoice.lines.order_by("position"))
    client.force_login(business)
    url = reverse("charging:credit-note-create", args=[invoice.pk])
    assert "Up to £75.00" in client.get(url).content.decode()
    response = client.post(url, {f"line_{lines[0].pk}": "75", f"line_{lines[2].pk}": "0.35",
                                 "reason": "Charged in error"})
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert note.total == Decimal("75.35") and note.invoice == invoice
    page = client.get(response["Location"]).content.decode()
    assert f"Credit note {note.number} issued: £75.35 off invoice {invoice.number}." in page


@pytest.mark.parametrize("amount, words", [
    ("100.01", "more than is left to credit on this line (£100.00)"),
    ("-1", "cannot be negative"),
    ("0", "more than £0"),
    ("ten pounds", "Enter an amount in pounds and pence"),
    ("", "Enter an amount to credit on at least one line."),
], ids=["too-much", "negative", "zero", "words", "none"])
def test_bad_credit_note_input_is_a_message_and_nothing_saved(client, business, invoice,
                                                              amount, words):
    line = invoice.lines.order_by("position")[1]
    client.force_login(business)
    response = client.post(reverse("charging:credit-note-create", args=[invoice.pk]),
                           {f"line_{line.pk}": amount, "reason": "Appeal"})
    assert response.status_code == 200 and words in response.content.decode()
    assert not CreditNote.objects.exists()


def test_a_credit_note_larger_than_the_invoice_still_owes_is_a_message(
        client, business, invoice):
    Payment.objects.create(invoice=invoice, received_on=date.today(), amount=Decimal("170.00"),
                           method="bacs")
    line = invoice.lines.order_by("position")[1]
    client.force_login(business)
    response = client.post(reverse("charging:credit-note-create", args=[invoice.pk]),
                           {f"line_{line.pk}": "100.00", "reason": "Appeal"})
    assert response.status_code == 200
    assert "is more than invoice" in response.content.decode()
    assert "still owes (£5.35)" in response.content.decode()
    assert not CreditNote.objects.exists()


# Who may --------------------------------------------------------------------------------
PAGES = ["charging:invoice-batch", "charging:invoice-batch-list", "charging:invoice-list",
         "charging:invoice-batch-detail", "charging:invoice-detail", "charging:invoice-pdf",
         "charging:credit-note-create", "charging:credit-note-pdf"]


def _urls(invoice):
    note = credit_note_issue(invoice=invoice, lines={invoice.lines.first().pk: "1.00"},
                             reason="Goodwill", by=None, now=timezone.now())
    args = {"charging:invoice-batch-detail": [invoice.batch_id],
            "charging:credit-note-pdf": [note.pk], "charging:invoice-detail": [invoice.pk],
            "charging:invoice-pdf": [invoice.pk], "charging:credit-note-create": [invoice.pk]}
    return {name: reverse(name, args=args.get(name, [])) for name in PAGES}


@pytest.mark.parametrize("role", [Role.OFFICER, Role.BUSINESS_SUPPORT])
def test_officers_and_business_support_reach_every_invoicing_page(client, make_user, invoice,
                                                                  role):
    client.force_login(make_user(role))
    for name, url in _urls(invoice).items():
        assert client.get(url).status_code == 200, name


@pytest.mark.parametrize("role", [Role.DELEGATE, Role.FACILITATOR, Role.LOD_MEMBER,
                                  Role.SAFEGUARDING_LEAD, Role.FINANCE_CONTACT])
def test_nobody_else_reaches_invoices_or_the_batch(client, make_user, invoice, role):
    # Even the finance contact of the invoiced organisation: their statement is elsewhere.
    user = make_user(*{Role.DELEGATE, role}, organisation=invoice.organisation)
    client.force_login(user)
    for name, url in _urls(invoice).items():
        assert client.get(url).status_code == 403, name
        assert client.post(url, {"up_to": "2026-11-30"}).status_code in (403, 405), name
    assert Invoice.objects.count() == 1 and CreditNote.objects.count() == 1


def test_a_visitor_is_sent_to_sign_in(client, invoice):
    for name, url in _urls(invoice).items():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name


def test_the_charging_menu_shows_invoices_to_business_support_only(client, business,
                                                                    make_user):
    client.force_login(business)
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("charging:invoice-list") in html and reverse("charging:invoice-batch") in html
    client.force_login(make_user(Role.DELEGATE))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("charging:invoice-list") not in html


def test_the_batch_pages_run_a_bounded_number_of_queries(client, business,
                                                          django_assert_max_num_queries):
    for n in range(6):
        organisation = private_organisation(f"Nursery {n}")
        applied_charge(organisation, amount="75.00")
        applied_charge(organisation, amount="25.00")
    client.force_login(business)
    today = timezone.localdate().isoformat()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("charging:invoice-batch"), {"up_to": today})
    assert "Issue 6 invoices" in page.content.decode()
    client.post(reverse("charging:invoice-batch"), {"up_to": today})
    batch = InvoiceBatch.objects.get()
    with django_assert_max_num_queries(12):
        page = client.get(reverse("charging:invoice-batch-detail", args=[batch.pk]))
    assert page.content.decode().count("accounts@nursery.example") == 6
    with django_assert_max_num_queries(12):
        client.get(reverse("charging:invoice-batch-list"))


def test_a_finance_contact_is_scoped_to_their_own_organisations_invoices(make_user, invoice):
    from charging.selectors.invoices import invoices_visible_to

    own = make_user(Role.DELEGATE, Role.FINANCE_CONTACT, organisation=invoice.organisation)
    other = make_user(Role.DELEGATE, Role.FINANCE_CONTACT,
                      organisation=private_organisation("Other Ltd"))
    delegate = make_user(Role.DELEGATE, organisation=invoice.organisation)
    assert list(invoices_visible_to(user=own)) == [invoice]
    assert not invoices_visible_to(user=other).exists()
    assert not invoices_visible_to(user=delegate).exists()
