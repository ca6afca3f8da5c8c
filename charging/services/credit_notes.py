"""Credit notes (DOMAIN.md: an issued invoice is "never edited or deleted once issued: a
credit note reverses one"): all or some of an invoice's lines, each by up to what is left of
it, with a number of its own (`<short_name>-CN-<year>-<00001>`, gapless, taken inside the
transaction), referring to the invoice, emailed as a PDF like the invoice."""

import re
from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.audit import audit_record
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import email_queue

from .. import numbering
from ..models import CreditNote, CreditNoteLine, Invoice
from ..selectors.invoices import invoice_balance, invoice_line_credited
from .invoices import invoice_recipients

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
REASON_MAX = 2000
AMOUNT_PATTERN = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,12})?")


def money_parse(value, *, field=None):
    """A positive amount in pounds and pence, or a DomainError saying what is wrong."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value if value is not None else "").strip().lstrip("£").replace(",", "")
        if not AMOUNT_PATTERN.fullmatch(text):
            raise DomainError("Enter an amount in pounds and pence, like 50.00.",
                              code="malformed", field=field)
        try:
            amount = Decimal(text)
        except (InvalidOperation, ValueError):  # pragma: no cover - the pattern lets numbers only
            raise DomainError("Enter an amount in pounds and pence, like 50.00.",
                              code="malformed", field=field) from None
    if not amount.is_finite():
        raise DomainError("Enter an amount in pounds and pence, like 50.00.",
                          code="malformed", field=field)
    if abs(amount) >= Decimal("100000000") or amount != amount.quantize(PENNY):
        raise DomainError("Enter an amount in pounds and pence, with no more than 2 decimal "
                          "places and less than £100,000,000.", code="malformed", field=field)
    if amount < ZERO:
        raise DomainError("An amount to credit cannot be negative.", code="negative", field=field)
    if amount == ZERO:
        raise DomainError("Enter an amount more than £0, or leave it blank.", code="zero",
                          field=field)
    return amount.quantize(PENNY)


def credit_note_issue(*, invoice, lines, reason, by, now):
    """Issue a credit note against `invoice`: `lines` is {invoice line id: amount}. Each amount
    must be more than 0 and no more than the line's amount minus what earlier credit notes
    took off it, and the whole credit no more than the invoice still owes (total - credited -
    paid). Anything wrong: a DomainError saying what, and nothing saved."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("Enter the reason for the credit note: it is printed on it.",
                          code="reason", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(f"The reason must be {REASON_MAX} characters or fewer.",
                          code="reason", field="reason")
    if not lines:
        raise DomainError("Enter an amount to credit on at least one line.", code="no_lines")

    with transaction.atomic():
        # The invoice row is the lock every change of what it owes takes (credit notes here,
        # payments in services/payments.py), so two at once cannot both take the last pound.
        invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
        invoice_lines = {line.pk: line for line in invoice.lines.all()}
        amounts = {}
        for key, value in lines.items():
            try:
                line_id = int(key)
            except (TypeError, ValueError):
                line_id = None
            if line_id not in invoice_lines:
                raise DomainError(f"That line is not on invoice {invoice.number}.",
                                  code="line_unknown")
            amounts[line_id] = money_parse(value, field=f"line_{line_id}")
        credited = invoice_line_credited(amounts)
        for line_id, amount in amounts.items():
            line = invoice_lines[line_id]
            left = line.amount - credited.get(line_id, ZERO)
            if amount > left:
                said = (f"£{left}" if left > ZERO else "nothing")
                raise DomainError(
                    f"£{amount} is more than is left to credit on this line "
                    f"({line.delegate_name}, {line.course_title}): {said}.",
                    code="too_much", field=f"line_{line_id}")
        total = sum(amounts.values(), ZERO)
        outstanding = invoice_balance(invoice).outstanding
        if total > outstanding:
            raise DomainError(
                f"A credit of £{total} is more than invoice {invoice.number} still owes "
                f"(£{max(outstanding, ZERO)}).", code="too_much")

        partnership = Partnership.load()
        issued_on = numbering.issue_date(now)
        note = CreditNote.objects.create(
            number=numbering.credit_note_number_take(partnership=partnership,
                                                     issued_on=issued_on),
            invoice=invoice, issued_on=issued_on, reason=reason, total=total, created_at=now,
            created_by=by if getattr(by, "pk", None) else None)
        note_lines = CreditNoteLine.objects.bulk_create([
            CreditNoteLine(credit_note=note, invoice_line=invoice_lines[line_id], amount=amount)
            for line_id, amount in sorted(amounts.items(),
                                          key=lambda item: invoice_lines[item[0]].position)
        ])
        audit_record(actor=by, action="credit_note.issued", target=note, details={
            "invoice": invoice.number, "total": str(total), "reason": reason,
            "lines": {str(k): str(v) for k, v in amounts.items()}},
            changes={"number": [None, note.number], "total": [None, str(total)]})
        credit_note_email_queue(credit_note=note, lines=note_lines)
        _invoice_refresh_settled(invoice=invoice, now=now)
    return note


def _invoice_refresh_settled(*, invoice, now):
    """Payments and credits may now cover the invoice: C3's service marks it settled (and so
    lifts the overdue block at once)."""
    from .payments import invoice_refresh_settled

    invoice_refresh_settled(invoice=invoice, now=now)


def credit_note_email_queue(*, credit_note, lines=None):
    """The credit note's PDF to the organisation's invoice contact, through the outbox
    (purpose `credit_note:<number>:issued`)."""
    from ..pdf import credit_note_pdf

    recipients = invoice_recipients(credit_note.invoice.organisation)
    if not recipients:
        return []
    pdf = credit_note_pdf(credit_note=credit_note, lines=lines)
    return email_queue(
        to=recipients, template="charging/credit_note_issued",
        context={"credit_note": credit_note, "invoice": credit_note.invoice},
        purpose=f"credit_note:{credit_note.number}:issued",
        attachments=[(f"{credit_note.number}.pdf", pdf, "application/pdf")])
