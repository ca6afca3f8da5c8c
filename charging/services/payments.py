"""Payments against invoices, whether an invoice is settled, and overdue reminders.

Issue 10: record a payment (date, amount, method, reference); part payments; an invoice is
paid when payments and credits cover it, and that lifts the overdue block at once (the block
reads Invoice.settled_at). A reminder of an unpaid invoice goes to its invoice contact, once a
day at most."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from core.audit import audit_record
from core.calendar import london_date
from core.dates import long_date
from core.exceptions import DomainError
from core.forms import EARLIEST_DATE, ONE_LINE_MESSAGE, one_line_validator

from ..models import Invoice, Payment, PaymentMethod
from ..selectors.invoices import invoice_balance

PENNY = Decimal("0.01")
REFERENCE_MAX = Payment._meta.get_field("reference").max_length
# The largest amount a payment row holds (DecimalField(max_digits=10, decimal_places=2)).
AMOUNT_MAX = Decimal("99999999.99")


def money_words(amount):
    return f"£{amount:,.2f}"


def payment_amount_problem(amount, *, outstanding=None):
    """Why `amount` (a Decimal) cannot be a payment, in words, or None: not a number, zero or
    less, fractions of a penny, or more than is still owed on the invoice."""
    if not isinstance(amount, Decimal):
        try:
            amount = Decimal(str(amount))
        except (InvalidOperation, ValueError):
            return "Enter the amount received as a number of pounds, like 25.00."
    if not amount.is_finite():
        return "Enter the amount received as a number of pounds, like 25.00."
    if amount <= 0:
        return "Enter an amount greater than £0.00."
    if amount > AMOUNT_MAX:
        return "Enter an amount no more than what is owed on the invoice."
    if amount.as_tuple().exponent < -2 and amount != amount.quantize(PENNY):
        return ("Enter the amount in pounds and pence, with no more than 2 decimal places, "
                "like 12.35.")
    if outstanding is not None and amount > outstanding:
        if outstanding <= 0:
            return "Nothing is owed on this invoice: it is already paid or credited."
        return (f"The amount is more than the {money_words(outstanding)} still owed on this "
                f"invoice: enter {money_words(outstanding)} or less.")
    return None


def _clean_reference(reference):
    reference = (reference or "").strip()
    try:
        one_line_validator(reference)
    except Exception:  # noqa: BLE001 – a ValidationError: said in words below
        raise DomainError(ONE_LINE_MESSAGE, code="reference", field="reference") from None
    if len(reference) > REFERENCE_MAX:
        raise DomainError(f"Enter a reference of {REFERENCE_MAX} characters or fewer.",
                          code="reference", field="reference")
    return reference


def payment_record(*, invoice, received_on, amount, method, reference, by, now):
    """Record a payment received for an invoice (part payments allowed). Refuses 0, negative,
    fractions of a penny and more than is still owed (payments plus credits never exceed the
    total); nothing is saved on a refusal. Settles the invoice when payments and credits
    cover it, which lifts the overdue block at once."""
    if not isinstance(received_on, date):
        raise DomainError("Enter the date the payment was received.", code="date",
                          field="received_on")
    today = london_date(now)
    if received_on > today:
        raise DomainError("The date received cannot be in the future.", code="date",
                          field="received_on")
    if received_on < EARLIEST_DATE:
        raise DomainError(f"Enter a date in {EARLIEST_DATE.year} or later.", code="date",
                          field="received_on")
    if method not in PaymentMethod.values:
        raise DomainError("Choose how the payment was made.", code="method", field="method")
    reference = _clean_reference(reference)
    if problem := payment_amount_problem(amount):
        raise DomainError(problem, code="amount", field="amount")
    amount = Decimal(str(amount)).quantize(PENNY)

    with transaction.atomic():
        # Locked: two people recording the last payment at once cannot both be under the total.
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if received_on < locked.issued_on:
            raise DomainError(
                f"The date received cannot be before the invoice was issued "
                f"({long_date(locked.issued_on)}).", code="date", field="received_on")
        balance = invoice_balance(locked)
        if problem := payment_amount_problem(amount, outstanding=balance.outstanding):
            raise DomainError(problem, code="amount", field="amount")
        payment = Payment.objects.create(
            invoice=locked, received_on=received_on, amount=amount, method=method,
            reference=reference, recorded_at=now, recorded_by=by)
        audit_record(actor=by, action="payment.record", target=locked, details={
            "payment": payment.pk, "amount": str(amount), "method": method,
            "received_on": received_on.isoformat(), "reference": reference,
            "outstanding_before": str(balance.outstanding)},
            changes={"outstanding": [str(balance.outstanding),
                                     str(balance.outstanding - amount)]})
        invoice_refresh_settled(invoice=locked, now=now)
    invoice.settled_at = locked.settled_at
    return payment


def invoice_refresh_settled(*, invoice, now):
    """Invoice.settled_at follows the money: set (to `now`) when payments and credit notes
    cover the total, cleared if they no longer do (which the services never allow). Call it
    inside the transaction that records a payment or issues a credit note, after writing it.
    Returns the invoice with settled_at up to date."""
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        settled = invoice_balance(locked).settled
        if settled and locked.settled_at is None:
            locked.settled_at = now
            locked.save(update_fields=["settled_at"])
            audit_record(actor=None, action="invoice.settled", target=locked,
                         details={"settled_at": now.isoformat()},
                         changes={"settled": [False, True]})
        elif not settled and locked.settled_at is not None:
            locked.settled_at = None
            locked.save(update_fields=["settled_at"])
            audit_record(actor=None, action="invoice.unsettled", target=locked,
                         changes={"settled": [True, False]})
    invoice.settled_at = locked.settled_at
    return invoice


def invoice_reminder_send(*, invoice, by, now):
    """Email the invoice contact a reminder of an unpaid invoice, with its PDF: what is still
    owed, when it was due, and (once it blocks) that the organisation's staff cannot book
    until it is paid. One a day at most (the purpose names the day); records reminded_at."""
    from core.models import Partnership
    from core.outbox import email_queue

    from ..checks import is_overdue, overdue_from

    today = london_date(now)
    with transaction.atomic():
        locked = (Invoice.objects.select_for_update(of=("self",))
                  .select_related("organisation").get(pk=invoice.pk))
        if locked.settled_at is not None:
            raise DomainError(f"Invoice {locked.number} is already paid or credited: there is "
                              "nothing to remind anyone of.", code="settled")
        if locked.reminded_at is not None and london_date(locked.reminded_at) == today:
            raise DomainError(f"A reminder of invoice {locked.number} was already sent today. "
                              "You can send another tomorrow.", code="reminded")
        to = locked.organisation.invoice_email or locked.invoice_email
        if not to:
            raise DomainError(
                f"{locked.organisation.name} has no email address for invoices: ask its finance "
                "contact to add one on their organisation's account page, or contact them "
                "another way.", code="no_address")
        partnership = Partnership.load()
        balance = invoice_balance(locked)
        months = partnership.invoice_overdue_months
        blocked_from = overdue_from(issued_on=locked.issued_on, months=months)
        from ..pdf import invoice_pdf

        email_queue(
            to=[to], template="charging/overdue_reminder",
            purpose=f"invoice:{locked.number}:reminder:{today.isoformat()}",
            attachments=[(f"{locked.number}.pdf", invoice_pdf(invoice=locked),
                          "application/pdf")],
            context={"invoice": locked, "balance": balance, "organisation": locked.organisation,
                     "past_due": locked.due_on < today,
                     "blocking": is_overdue(issued_on=locked.issued_on, months=months,
                                            today=today),
                     "blocked_from": blocked_from})
        locked.reminded_at = now
        locked.save(update_fields=["reminded_at"])
        audit_record(actor=by, action="invoice.reminder_send", target=locked,
                     details={"to": to, "outstanding": str(balance.outstanding)})
    invoice.reminded_at = locked.reminded_at
    return locked
