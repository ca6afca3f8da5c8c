"""Reads for invoices, invoicing batches and credit notes, scoped to the person asking.

Business support and officers (charging.view_invoice) see every invoice; an organisation's
finance contact sees its own organisation's and no other's; everyone else sees none, so an
id in a URL never reaches an invoice the person may not see (404)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.roles import Role, user_has_role

from ..models import (
    Charge,
    ChargeStatus,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceBatch,
    InvoiceLine,
    Payment,
)

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=12, decimal_places=2)


class InvoiceState:
    OUTSTANDING = "outstanding"
    OVERDUE = "overdue"
    SETTLED = "settled"
    CHOICES = [(OUTSTANDING, "Outstanding (not yet paid)"),
               (OVERDUE, "Overdue (past its due date)"), (SETTLED, "Paid or credited")]


# Who may see what -------------------------------------------------------------------------
def invoices_visible_to(*, user):
    if not user.is_authenticated:
        return Invoice.objects.none()
    if user.has_perm("charging.view_invoice"):
        return Invoice.objects.all()
    if user_has_role(user, Role.FINANCE_CONTACT) and user.organisation_id:
        return Invoice.objects.filter(organisation_id=user.organisation_id)
    return Invoice.objects.none()


def credit_notes_visible_to(*, user):
    return CreditNote.objects.filter(invoice__in=invoices_visible_to(user=user))


def batches_visible_to(*, user):
    if user.is_authenticated and user.has_perm("charging.view_invoice"):
        return InvoiceBatch.objects.all()
    return InvoiceBatch.objects.none()


# Balances ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class InvoiceBalance:
    total: Decimal
    credited: Decimal
    paid: Decimal

    @property
    def outstanding(self):
        return self.total - self.credited - self.paid

    @property
    def settled(self):
        return self.outstanding <= ZERO


def invoice_balance(invoice):
    """What the invoice came to, what credit notes took off, what was paid, and what is still
    owed (total - credited - paid), as exact Decimals. Two queries."""
    credited = (CreditNoteLine.objects.filter(credit_note__invoice=invoice)
                .aggregate(s=Sum("amount"))["s"] or ZERO)
    paid = Payment.objects.filter(invoice=invoice).aggregate(s=Sum("amount"))["s"] or ZERO
    return InvoiceBalance(total=invoice.total, credited=credited, paid=paid)


def invoices_with_balance(queryset):
    """The queryset annotated with `credited`, `paid` and `outstanding` (one query for a page
    of invoices, however many)."""
    credited = (CreditNoteLine.objects.filter(credit_note__invoice=OuterRef("pk"))
                .values("credit_note__invoice").annotate(s=Sum("amount")).values("s"))
    paid = (Payment.objects.filter(invoice=OuterRef("pk")).values("invoice")
            .annotate(s=Sum("amount")).values("s"))
    return queryset.annotate(
        credited=Coalesce(Subquery(credited, output_field=MONEY), Value(ZERO), output_field=MONEY),
        paid=Coalesce(Subquery(paid, output_field=MONEY), Value(ZERO), output_field=MONEY),
    ).annotate(outstanding=Coalesce("total", Value(ZERO)) - Coalesce(
        "credited", Value(ZERO)) - Coalesce("paid", Value(ZERO)))


def invoice_line_credited(line_ids):
    """{invoice line id: amount already credited} for the given lines."""
    rows = (CreditNoteLine.objects.filter(invoice_line_id__in=list(line_ids))
            .values("invoice_line_id").annotate(s=Sum("amount")))
    return {r["invoice_line_id"]: r["s"] for r in rows}


# Lists and pages --------------------------------------------------------------------------
def invoice_list(*, user, organisation=None, state="", today=None):
    qs = invoices_visible_to(user=user).select_related("organisation")
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if state == InvoiceState.SETTLED:
        qs = qs.filter(settled_at__isnull=False)
    elif state == InvoiceState.OUTSTANDING:
        qs = qs.filter(settled_at__isnull=True)
    elif state == InvoiceState.OVERDUE:
        qs = qs.filter(settled_at__isnull=True, due_on__lt=today or timezone.localdate())
    return invoices_with_balance(qs).order_by("-issued_on", "-number")


def invoice_detail(*, user, pk):
    """The invoice with its lines, credit notes and payments, or None (the view says 404)."""
    return (invoices_visible_to(user=user).select_related("organisation", "batch", "created_by")
            .filter(pk=pk).first())


def invoice_lines_with_credit(invoice):
    """The invoice's lines, each with `credited` and `remaining` (what a credit note may still
    take off it)."""
    lines = list(invoice.lines.order_by("position", "id"))
    credited = invoice_line_credited(line.pk for line in lines)
    for line in lines:
        line.credited = credited.get(line.pk, ZERO)
        line.remaining = line.amount - line.credited
    return lines


def batch_list(*, user):
    return batches_visible_to(user=user).select_related("run_by")


def batch_detail(*, user, pk):
    return batches_visible_to(user=user).select_related("run_by").filter(pk=pk).first()


# The invoicing batch ----------------------------------------------------------------------
def day_end(day):
    """The first moment after `day` in London: charges created before it are "on or before"
    that day."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def charges_to_invoice(*, up_to):
    """Applied charges with no invoice line, created on or before `up_to` (a London date)."""
    invoiced = InvoiceLine.objects.filter(charge=OuterRef("pk"))
    return (Charge.objects.filter(status=ChargeStatus.APPLIED, created_at__lt=day_end(up_to))
            .filter(~Exists(invoiced)))


def organisations_to_invoice(*, up_to):
    """(organisation id, number of charges, total) for each organisation owed, by name."""
    return (charges_to_invoice(up_to=up_to).values("organisation_id", "organisation__name")
            .annotate(count=Count("id"), total=Sum("amount"))
            .order_by("organisation__name", "organisation_id"))


def invoice_emails(numbers):
    """{invoice number: [addresses its "issued" email was queued to]} (the batch page says
    who got each invoice and which had nobody to send it to)."""
    from core.models import OutgoingEmail

    purposes = {f"invoice:{n}:issued": n for n in numbers}
    found = {n: [] for n in numbers}
    for purpose, recipient in (OutgoingEmail.objects.filter(purpose__in=list(purposes))
                               .values_list("purpose", "recipient").order_by("recipient")):
        found[purposes[purpose]].append(recipient)
    return found


def organisation_options():
    """Organisations with at least one invoice, for the invoice list's filter."""
    from accounts.models import Organisation

    return Organisation.objects.filter(Q(invoices__isnull=False)).distinct().order_by("name")
