"""Charging emails give dates in the house style, with the weekday: "Tuesday 8 December
2026" (PDFs too; tables in PDFs use "Tue 8 Dec 2026")."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.roles import Role
from charging.services.charges import charge_decide
from charging.services.credit_notes import credit_note_issue
from core.models import OutgoingEmail
from tests.charging.invoice_pages import applied_charge, issued_invoice, private_organisation

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def long_date(day):
    return f"{day:%A} {day.day} {day:%B %Y}"


def test_decision_emails_name_the_events_weekday(make_user):
    org = private_organisation("Bright Futures Nurseries Ltd", invoice_email="")
    finance = make_user(Role.FINANCE_CONTACT, organisation=org)
    officer = make_user(Role.OFFICER)
    start = datetime(2026, 11, 10, 9, 30, tzinfo=LONDON)  # a Tuesday
    charge = applied_charge(org, status="pending", kind="late_cancellation",
                            event_start=start, reason="Late cancellation")
    charge_decide(charge=charge, by=officer, apply=True, waiver_reason="", note="",
                  now=timezone.now())
    emails = list(OutgoingEmail.objects.filter(template__startswith="charging/charge_"))
    assert {e.recipient for e in emails} == {charge.booking.delegate.email, finance.email}
    for email in emails:
        assert "Tuesday 10 November 2026" in email.body_text
        assert "Tuesday 10 November 2026" in email.body_html
    decided = next(e for e in emails if e.template == "charging/charge_decided")
    assert "Tuesday 10 November 2026" in decided.subject


def test_invoice_and_credit_note_emails_name_the_weekday(make_user):
    invoice = issued_invoice(private_organisation())
    issued = OutgoingEmail.objects.get(template="charging/invoice_issued")
    assert long_date(invoice.due_on) in issued.subject
    assert long_date(invoice.due_on) in issued.body_html.split("</head>")[-1]
    line = invoice.lines.first()
    credit_note_issue(invoice=invoice, lines={line.pk: "10.00"}, reason="Waived on appeal",
                      by=make_user(Role.BUSINESS_SUPPORT), now=timezone.now())
    note = OutgoingEmail.objects.get(template="charging/credit_note_issued")
    assert f"issued {long_date(invoice.issued_on)}" in note.body_text
    assert f"issued {long_date(invoice.issued_on)}" in note.body_html


def test_the_pdfs_give_long_dates_and_short_dates_in_tables(make_user, tmp_path):
    import subprocess

    from charging.pdf import credit_note_pdf, invoice_pdf

    def text(pdf):
        path = tmp_path / "document.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True,
                             timeout=60).stdout.decode()
        return " ".join(out.split())

    invoice = issued_invoice(private_organisation())
    line = invoice.lines.first()
    short = f"{line.event_date:%a} {line.event_date.day} {line.event_date:%b %Y}"
    invoice_text = text(invoice_pdf(invoice=invoice))
    assert long_date(invoice.issued_on) in invoice_text and short in invoice_text
    assert long_date(invoice.due_on) in invoice_text
    note = credit_note_issue(invoice=invoice, lines={line.pk: "10.00"}, reason="Waived",
                             by=make_user(Role.BUSINESS_SUPPORT), now=timezone.now())
    note_text = text(credit_note_pdf(credit_note=note))
    assert long_date(note.issued_on) in note_text and short in note_text
