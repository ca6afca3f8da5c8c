"""An organisation's statement, for its finance contact: its charges, invoices (with their
PDFs), credit notes and payments, and no other organisation's.

Scoped by construction: every read starts from the organisation of the person asking, and
only someone holding accounts.manage_own_organisation_account (the finance contact) gets any
rows, so another organisation's invoice id finds nothing (404). Delegates hold no such
permission and see no invoice."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum

from ..models import Charge, ChargeStatus, CreditNote, Invoice, InvoiceLine, Payment
from .charges import with_credited
from .invoices import invoices_with_balance

ZERO = Decimal("0.00")
PERMISSION = "accounts.manage_own_organisation_account"


def statement_organisation_id(*, user):
    if not user.is_authenticated or not user.has_perm(PERMISSION):
        return None
    return user.organisation_id


def _invoices(user):
    org = statement_organisation_id(user=user)
    if org is None:
        return Invoice.objects.none()
    return Invoice.objects.filter(organisation_id=org)


def statement_invoices(*, user):
    return invoices_with_balance(_invoices(user)).order_by("-issued_on", "-number")


def statement_invoice(*, user, pk):
    """One of the organisation's invoices, or None (the view says 404)."""
    return _invoices(user).select_related("organisation").filter(pk=pk).first()


def statement_credit_notes(*, user):
    return (CreditNote.objects.filter(invoice__in=_invoices(user)).select_related("invoice")
            .order_by("-issued_on", "-number"))


def statement_credit_note(*, user, pk):
    return statement_credit_notes(user=user).filter(pk=pk).first()


def statement_payments(*, user):
    return (Payment.objects.filter(invoice__in=_invoices(user)).select_related("invoice")
            .order_by("-received_on", "-id"))


def statement_charges(*, user):
    """Every charge on the organisation (waiting for a decision, applied, waived), newest
    first, with the invoice it went on (if any)."""
    org = statement_organisation_id(user=user)
    if org is None:
        return Charge.objects.none()
    return with_credited(Charge.objects.filter(organisation_id=org)
                         .select_related("booking__event__course", "booking__delegate",
                                         "invoice_line__invoice")
                         .order_by("-created_at", "-id"))


def statement_totals(*, user):
    """What the organisation owes now (unpaid invoices), and what is charged but not yet
    invoiced (applied) or waiting for the training team's decision. Two queries."""
    org = statement_organisation_id(user=user)
    if org is None:
        return {"owed": ZERO, "unpaid": 0, "to_invoice": ZERO, "pending": 0}
    owed = invoices_with_balance(_invoices(user).filter(settled_at__isnull=True)).aggregate(
        owed=Sum("outstanding"), unpaid=Count("pk"))
    invoiced = InvoiceLine.objects.filter(charge=OuterRef("pk"))
    charges = (Charge.objects.filter(organisation_id=org)
               .exclude(Exists(invoiced))
               .aggregate(to_invoice=Sum("amount", filter=_applied()),
                          pending=Count("pk", filter=_pending())))
    return {"owed": owed["owed"] or ZERO, "unpaid": owed["unpaid"] or 0,
            "to_invoice": charges["to_invoice"] or ZERO, "pending": charges["pending"] or 0}


def _applied():
    return Q(status=ChargeStatus.APPLIED)


def _pending():
    return Q(status=ChargeStatus.PENDING)


# PDFs: the same documents business support sends (charging/pdf.py) --------------------------

def invoice_pdf_bytes(invoice):
    from .. import pdf

    return pdf.invoice_pdf(invoice=invoice)


def credit_note_pdf_bytes(note):
    from .. import pdf

    return pdf.credit_note_pdf(credit_note=note)
