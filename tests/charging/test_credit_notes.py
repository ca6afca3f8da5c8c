"""Credit notes (issue 10): an issued invoice is never changed; a credit note with its own
number reverses all or some of its lines and refers to it. Bad input (more than the invoice
still owes, more than a line, zero, negative, malformed) is refused with a clear message and
nothing saved."""

import subprocess
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from charging.models import CreditNote, CreditNoteLine, DocumentCounter, Invoice, Payment
from charging.pdf import credit_note_pdf
from charging.selectors.invoices import invoice_balance
from charging.services.credit_notes import credit_note_issue
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from tests.charging.invoice_pages import issued_invoice, private_organisation

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 30, 11, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def dspp(db):
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    return partnership


@pytest.fixture
def invoice():
    return issued_invoice(private_organisation("Bright Futures Nurseries Ltd"),
                          amounts=("75.00", "100.00", "25.50"), now=NOW)


def pdf_text(pdf, tmp_path, *, layout=False):
    """The PDF's words, read back with pdftotext: in reading order (a table cell's words
    together), or as laid out (a table row's cells on one line)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                            capture_output=True, check=True, timeout=60)
    return " ".join(result.stdout.decode().split())


def lines_of(invoice):
    return list(invoice.lines.order_by("position"))


def nothing_saved(counter_before=0):
    assert not CreditNote.objects.exists() and not CreditNoteLine.objects.exists()
    assert not DocumentCounter.objects.filter(prefix__contains="-CN-").exists() or (
        DocumentCounter.objects.get(prefix__contains="-CN-").last == counter_before)
    assert not OutgoingEmail.objects.filter(purpose__startswith="credit_note:").exists()


def test_a_credit_note_reverses_some_lines_with_its_own_number(invoice):
    first, second, third = lines_of(invoice)
    note = credit_note_issue(invoice=invoice, lines={first.pk: "75.00", third.pk: "10.25"},
                             reason="Charge waived on appeal", by=None, now=NOW)

    assert note.number == "DSPP-CN-2026-00001" and note.invoice == invoice
    assert note.issued_on == date(2026, 11, 30)
    assert note.total == Decimal("85.25")
    assert {(line.invoice_line_id, line.amount) for line in note.lines.all()} == {
        (first.pk, Decimal("75.00")), (third.pk, Decimal("10.25"))}
    balance = invoice_balance(invoice)
    assert (balance.total, balance.credited, balance.paid, balance.outstanding) == (
        Decimal("200.50"), Decimal("85.25"), Decimal("0"), Decimal("115.25"))
    # The invoice itself is unchanged, and still owed.
    invoice.refresh_from_db()
    assert invoice.total == Decimal("200.50") and invoice.settled_at is None
    assert AuditEntry.objects.filter(action="credit_note.issued").count() == 1
    [row] = OutgoingEmail.objects.filter(purpose="credit_note:DSPP-CN-2026-00001:issued")
    assert row.recipient == "accounts@nursery.example"
    assert row.attachments[0]["filename"] == "DSPP-CN-2026-00001.pdf"
    assert invoice.number in row.subject


def test_credit_notes_take_consecutive_numbers_and_a_line_only_what_is_left(invoice):
    first, second, _ = lines_of(invoice)
    credit_note_issue(invoice=invoice, lines={first.pk: "50.00"}, reason="Part", by=None,
                      now=NOW)
    with pytest.raises(DomainError) as refused:
        credit_note_issue(invoice=invoice, lines={first.pk: "25.01"}, reason="More", by=None,
                          now=NOW)
    assert "£25.01 is more than is left to credit on this line" in refused.value.message
    assert "£25.00" in refused.value.message and refused.value.field == f"line_{first.pk}"
    note = credit_note_issue(invoice=invoice, lines={first.pk: "25.00", second.pk: "1"},
                             reason="The rest", by=None, now=NOW)
    assert note.number == "DSPP-CN-2026-00002" and note.total == Decimal("26.00")


def test_crediting_everything_settles_the_invoice(invoice):
    credit_note_issue(invoice=invoice, lines={line.pk: line.amount for line in lines_of(invoice)},
                      reason="Invoiced in error", by=None, now=NOW)
    invoice.refresh_from_db()
    assert invoice.settled_at == NOW
    assert invoice_balance(invoice).outstanding == Decimal("0.00")


def test_a_credit_larger_than_the_invoice_still_owes_is_refused(invoice):
    Payment.objects.create(invoice=invoice, received_on=date(2026, 11, 30),
                           amount=Decimal("150.00"), method="bacs")
    first, second, third = lines_of(invoice)
    with pytest.raises(DomainError) as refused:
        credit_note_issue(invoice=invoice, lines={first.pk: "75.00"}, reason="Appeal",
                          by=None, now=NOW)
    assert refused.value.message == (f"A credit of £75.00 is more than invoice "
                                      f"{invoice.number} still owes (£50.50).")
    nothing_saved()


@pytest.mark.parametrize("amount, words", [
    ("0", "more than £0"),
    ("0.00", "more than £0"),
    ("-5.00", "cannot be negative"),
    ("abc", "pounds and pence"),
    ("NaN", "pounds and pence"),
    ("1e3", "pounds and pence"),
    ("1.005", "no more than 2 decimal places"),
    ("", "pounds and pence"),
    ("75.01", "more than is left"),
    ("٣", "pounds and pence"),
    ("5 0", "pounds and pence"),
], ids=["zero", "zero-pence", "negative", "letters", "nan", "exponent", "fraction-of-penny",
        "blank", "more-than-line", "arabic-digit", "space-inside"])
def test_bad_amounts_are_refused_with_a_message_and_nothing_saved(invoice, amount, words):
    first = lines_of(invoice)[0]
    with pytest.raises(DomainError) as refused:
        credit_note_issue(invoice=invoice, lines={first.pk: amount}, reason="Appeal", by=None,
                          now=NOW)
    assert words in refused.value.message
    nothing_saved()


def test_no_lines_no_reason_or_another_invoices_line_are_refused(invoice):
    other = issued_invoice(private_organisation("Other Nursery Ltd"), amounts=("10.00",),
                           now=NOW)
    first = lines_of(invoice)[0]
    cases = [
        ({}, "Appeal", "at least one line"),
        ({first.pk: "5.00"}, "   ", "Enter the reason"),
        ({other.lines.get().pk: "5.00"}, "Appeal", f"not on invoice {invoice.number}"),
        ({"not-a-number": "5.00"}, "Appeal", "not on invoice"),
    ]
    for lines, reason, words in cases:
        with pytest.raises(DomainError, match=words):
            credit_note_issue(invoice=invoice, lines=lines, reason=reason, by=None, now=NOW)
    nothing_saved()


def test_the_credit_note_pdf_shows_its_number_the_invoice_each_line_and_the_total(
        invoice, tmp_path):
    first, _, third = lines_of(invoice)
    note = credit_note_issue(invoice=invoice, lines={first.pk: "75.00", third.pk: "0.50"},
                             reason="Waived on appeal: illness", by=None, now=NOW)
    pdf = credit_note_pdf(credit_note=note)
    text = pdf_text(pdf, tmp_path)
    assert "Credit note" in text and "DSPP-CN-2026-00001" in text
    assert invoice.number in text and "Waived on appeal: illness" in text
    for line in (first, third):
        assert line.delegate_name in text and line.course_title in text
    assert "£75.00" in text and "£0.50" in text
    assert "Total credited £75.50" in pdf_text(pdf, tmp_path, layout=True)


def test_a_credit_note_is_never_changed_or_deleted(invoice):
    first = lines_of(invoice)[0]
    note = credit_note_issue(invoice=invoice, lines={first.pk: "5.00"}, reason="Goodwill",
                             by=None, now=NOW)
    from django.core.exceptions import ValidationError

    note.reason = "Something else"
    with pytest.raises(ValidationError):
        note.save()
    with pytest.raises(ValidationError):
        note.delete()
    with pytest.raises(ValidationError):
        note.lines.first().delete()
    assert CreditNote.objects.get().reason == "Goodwill"
    assert Invoice.objects.get().total == Decimal("200.50")


def test_numbers_follow_the_issue_year(invoice):
    first = lines_of(invoice)[0]
    next_year = datetime(2027, 1, 4, 9, 0, tzinfo=LONDON)
    a = credit_note_issue(invoice=invoice, lines={first.pk: "1.00"}, reason="A", by=None,
                          now=NOW)
    b = credit_note_issue(invoice=invoice, lines={first.pk: "1.00"}, reason="B", by=None,
                          now=next_year)
    assert (a.number, b.number) == ("DSPP-CN-2026-00001", "DSPP-CN-2027-00001")
    assert b.issued_on == next_year.date() and next_year.date() - a.issued_on == timedelta(35)
