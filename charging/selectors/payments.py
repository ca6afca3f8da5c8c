"""Reads for payments: the outstanding and overdue invoices, one invoice's payments, and the
CSV export for the council's finance system. Staff only (charging.view_invoice): the views
check the permission and every read here starts from invoices_visible_to."""

import csv
import io
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from core.calendar import london_date

from ..models import Payment
from .invoices import invoices_visible_to, invoices_with_balance


def invoices_outstanding(*, user, today, months, overdue_only=False):
    """Unsettled invoices, oldest first, with `credited`, `paid` and `outstanding`; with
    `overdue_only` those past their due date. Each row gets `past_due` and `blocking` (unpaid
    more than `months` calendar months after issue: the organisation cannot book) in the
    view, from issued_on and due_on."""
    qs = invoices_visible_to(user=user).filter(settled_at__isnull=True)
    if overdue_only:
        qs = qs.filter(due_on__lt=today)
    return (invoices_with_balance(qs.select_related("organisation"))
            .order_by("issued_on", "number"))


def blocking_issued_before(*, today, months):
    """Invoices issued before the returned day and still unpaid block bookings today
    (charging.checks.overdue_from: blocked from the day after issue + months, clamped)."""
    from ..checks import overdue_from

    # overdue_from is monotone in the issue date: find the first issue day not yet blocking.
    day = today - relativedelta(months=months) - timedelta(days=3)
    while overdue_from(issued_on=day, months=months) <= today:
        day += timedelta(days=1)
    return day


def blocking_filter(*, today, months):
    return Q(settled_at__isnull=True, issued_on__lt=blocking_issued_before(today=today,
                                                                           months=months))


def invoice_for_payment(*, user, pk):
    """An invoice a person recording payments may open (None: 404), with its organisation."""
    if not user.has_perm("charging.record_payment"):
        return None
    return invoices_visible_to(user=user).select_related("organisation").filter(pk=pk).first()


def invoice_payments(invoice):
    return Payment.objects.filter(invoice=invoice).select_related("recorded_by").order_by(
        "received_on", "id")


# The CSV export ------------------------------------------------------------------------------
# A cell a spreadsheet would read as a formula (=, +, -, @, and tab or carriage return, which
# some programs strip before looking) is written with a leading apostrophe (OWASP: CSV
# injection). Numbers and dates are written by us, never from what someone typed.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def plain_money(amount):
    """12.50 (two places, no £ sign, no thousands separator)."""
    return f"{amount:.2f}"


INVOICE_COLUMNS = ["Invoice number", "Organisation", "Issue date", "Due date", "Total",
                   "Credited", "Paid", "Outstanding", "Purchase order", "Settled"]
PAYMENT_COLUMNS = ["Date received", "Invoice number", "Organisation", "Amount", "Method",
                   "Reference"]


def export_invoices(*, user, date_from=None, date_to=None):
    qs = invoices_visible_to(user=user)
    if date_from:
        qs = qs.filter(issued_on__gte=date_from)
    if date_to:
        qs = qs.filter(issued_on__lte=date_to)
    return invoices_with_balance(qs).order_by("issued_on", "number")


def export_payments(*, user, date_from=None, date_to=None):
    qs = Payment.objects.filter(invoice__in=invoices_visible_to(user=user))
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    return qs.select_related("invoice").order_by("received_on", "id")


def invoices_csv_rows(invoices):
    yield INVOICE_COLUMNS
    for inv in invoices.iterator(chunk_size=500):
        yield [csv_safe(inv.number), csv_safe(inv.organisation_name), inv.issued_on.isoformat(),
               inv.due_on.isoformat(), plain_money(inv.total), plain_money(inv.credited),
               plain_money(inv.paid), plain_money(inv.outstanding),
               csv_safe(inv.purchase_order_reference),
               london_date(inv.settled_at).isoformat() if inv.settled_at else ""]


def payments_csv_rows(payments):
    labels = dict(Payment._meta.get_field("method").choices)
    yield PAYMENT_COLUMNS
    for p in payments.iterator(chunk_size=500):
        yield [p.received_on.isoformat(), csv_safe(p.invoice.number),
               csv_safe(p.invoice.organisation_name), plain_money(p.amount),
               csv_safe(labels.get(p.method, p.method)), csv_safe(p.reference)]


def csv_text(rows):
    """The rows as CSV text (for tests and small exports)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(row)
    return out.getvalue()
