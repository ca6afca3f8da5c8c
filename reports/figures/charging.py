"""Charges: raised, waived, invoiced, credited and paid in the period, by kind, waiver reason
and sector.

Where a row belongs (London dates, both ends of the period included):
- a charge is RAISED on the day it was created (whatever has been decided since: its
  status as the report is made is shown beside it: applies, waiting for a decision, waived);
- a charge is WAIVED on the day the officer decided to waive it (Charge.decided_at; a charge
  written waived with no decision date, on the day it was created);
- an invoice is INVOICED on its issue date (issued_on), a credit note on its issue date, a
  payment on the day it was received (received_on).
Charges carry the organisation's sector at the time of booking (Charge.sector): the sector
table uses it. An annual part (children, adults, joint) counts the charges, invoice lines and
credit note lines of its courses; payments pay whole invoices, which may mix audiences, so a
part shows no payments.

Fixed queries: one for charges raised, one for waivers, two for invoices, one for credit
notes, one for payments (whole programme only). Money cells are "12.50" strings."""

from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from accounts.models import Sector
from charging.models import (
    Charge,
    ChargeKind,
    ChargeStatus,
    CreditNoteLine,
    InvoiceLine,
    Payment,
    WaiverReason,
)
from reports.tables import COUNT, MONEY, column, money, row, table

ZERO = Decimal("0.00")
_AUDIENCE = "booking__event__course__audience"


def _sector_label(value):
    try:
        return Sector(value).label
    except ValueError:
        return value or "Sector not recorded"


def _charges_raised(period, audience):
    since, until = period.bounds()
    charges = Charge.objects.filter(created_at__gte=since, created_at__lt=until)
    if audience:
        charges = charges.filter(**{_AUDIENCE: audience})
    return list(charges.order_by().values("kind", "sector", "status").annotate(
        n=Count("pk"), amount=Sum("amount")))


def _waivers(period, audience):
    since, until = period.bounds()
    charges = (Charge.objects.filter(status=ChargeStatus.WAIVED)
               .annotate(waived_at=Coalesce("decided_at", "created_at"))
               .filter(waived_at__gte=since, waived_at__lt=until))
    if audience:
        charges = charges.filter(**{_AUDIENCE: audience})
    return list(charges.order_by().values("waiver_reason", "sector").annotate(
        n=Count("pk"), amount=Sum("amount")))


def _invoiced(period, audience):
    """(invoices, amount) over the whole period and amount per sector: invoice lines of
    invoices issued in the period (an annual part: the lines of its courses)."""
    lines = InvoiceLine.objects.filter(invoice__issued_on__gte=period.start,
                                       invoice__issued_on__lte=period.end)
    if audience:
        lines = lines.filter(**{f"charge__{_AUDIENCE}": audience})
    overall = lines.aggregate(invoices=Count("invoice", distinct=True), amount=Sum("amount"))
    by_sector = {r["charge__sector"]: (r["n"], r["amount"]) for r in lines.order_by()
                 .values("charge__sector").annotate(n=Count("pk"), amount=Sum("amount"))}
    return overall, by_sector


def _credited(period, audience):
    lines = CreditNoteLine.objects.filter(credit_note__issued_on__gte=period.start,
                                          credit_note__issued_on__lte=period.end)
    if audience:
        lines = lines.filter(**{f"invoice_line__charge__{_AUDIENCE}": audience})
    return lines.aggregate(notes=Count("credit_note", distinct=True), amount=Sum("amount"))


def _paid(period):
    return Payment.objects.filter(received_on__gte=period.start,
                                  received_on__lte=period.end).aggregate(
        n=Count("pk"), amount=Sum("amount"))


def _add(totals, key, n, amount):
    count, value = totals.get(key, (0, ZERO))
    totals[key] = (count + n, value + (amount or ZERO))


def tables(period, *, audience=None, partnership):
    raised = _charges_raised(period, audience)
    waivers = _waivers(period, audience)
    invoiced, invoiced_by_sector = _invoiced(period, audience)
    credited = _credited(period, audience)
    paid = _paid(period) if audience is None else None

    # By kind, with what became of them --------------------------------------------------
    by_kind, by_kind_status, by_sector = {}, {}, {}
    for r in raised:
        _add(by_kind, r["kind"], r["n"], r["amount"])
        _add(by_kind_status, (r["kind"], r["status"]), r["n"], r["amount"])
        _add(by_sector, r["sector"], r["n"], r["amount"])

    def kind_cells(kinds):
        n = sum(by_kind.get(k, (0, ZERO))[0] for k in kinds)
        amount = sum((by_kind.get(k, (0, ZERO))[1] for k in kinds), ZERO)

        def of(status):
            return [by_kind_status.get((k, status), (0, ZERO)) for k in kinds]
        return {
            "raised": n, "raised_amount": money(amount),
            "applied_amount": money(sum((a for _, a in of(ChargeStatus.APPLIED)), ZERO)),
            "pending": sum(c for c, _ in of(ChargeStatus.PENDING)),
            "waived": sum(c for c, _ in of(ChargeStatus.WAIVED)),
        }

    kinds = list(ChargeKind.values)
    kind_table = table(
        "charges-by-kind", "Charges raised", row_header="Charge",
        description="Charges raised in the period, and what has been decided on them since.",
        columns=[
            column("raised", "Charges raised", COUNT, compare=True),
            column("raised_amount", "Amount raised", MONEY, compare=True),
            column("applied_amount", "Amount that applies", MONEY),
            column("pending", "Waiting for a decision", COUNT),
            column("waived", "Waived", COUNT),
        ],
        rows=[row(ChargeKind(k).label, **kind_cells([k])) for k in kinds],
        total=row("All charges", **kind_cells(kinds)), chart={"column": "raised"},
        notes=["A charge is counted on the day it was raised (the register marked or the "
               "late cancellation made); the decision columns show where it stands as this "
               "report is made."],
    )

    # Waivers by reason --------------------------------------------------------------------
    by_reason, waived_by_sector = {}, {}
    for r in waivers:
        _add(by_reason, r["waiver_reason"], r["n"], r["amount"])
        _add(waived_by_sector, r["sector"], r["n"], r["amount"])
    reasons = list(WaiverReason.values) + sorted(k for k in by_reason
                                                 if k not in WaiverReason.values)

    def reason_label(value):
        return WaiverReason(value).label if value in WaiverReason.values else (
            value or "No reason recorded")

    waived_n = sum(n for n, _ in by_reason.values())
    waived_amount = sum((a for _, a in by_reason.values()), ZERO)
    waiver_table = table(
        "charges-waived", "Charges waived", row_header="Reason",
        columns=[column("waived", "Charges waived", COUNT, compare=True),
                 column("waived_amount", "Amount waived", MONEY, compare=True)],
        rows=[row(reason_label(k), waived=by_reason.get(k, (0, ZERO))[0],
                  waived_amount=money(by_reason.get(k, (0, ZERO))[1])) for k in reasons],
        total=row("All waivers", waived=waived_n, waived_amount=money(waived_amount)),
        small_groups=True, chart={"column": "waived"},
        notes=["A waiver is counted on the day the officer decided it, whenever the charge "
               "was raised. The amount waived is what the charge would have cost."],
    )

    # Summary ------------------------------------------------------------------------------
    raised_n = sum(n for n, _ in by_kind.values())
    raised_amount = sum((a for _, a in by_kind.values()), ZERO)
    summary_rows = [
        row("Charges raised", number=raised_n, amount=money(raised_amount)),
        row("Charges waived", number=waived_n, amount=money(waived_amount)),
        row("Invoices issued", number=invoiced["invoices"], amount=money(invoiced["amount"])),
        row("Credit notes issued", number=credited["notes"], amount=money(credited["amount"])),
        row("Payments received", number=paid["n"] if paid else None,
            amount=money(paid["amount"]) if paid else None),
    ]
    notes = ["Charges raised: on the day raised. Waived: on the day the officer decided. "
             "Invoices and credit notes: on their issue date. Payments: on the day received."]
    if audience:
        notes.append("Invoices and credit notes count only the lines for this part's courses. "
                     "Payments pay whole invoices, which can cover courses of every audience: "
                     "they are shown for the whole programme only.")
    summary_table = table(
        "charges-summary", "Charges, invoices and payments", row_header="What",
        columns=[column("number", "Number", COUNT, compare=True),
                 column("amount", "Amount", MONEY, compare=True)],
        rows=summary_rows, notes=notes,
    )

    # By sector ------------------------------------------------------------------------------
    sectors = list(Sector.values) + sorted(
        s for s in {*by_sector, *waived_by_sector, *invoiced_by_sector}
        if s not in Sector.values)
    sector_table = table(
        "charges-by-sector", "Charges by sector", row_header="Sector",
        columns=[
            column("raised", "Charges raised", COUNT, compare=True),
            column("raised_amount", "Amount raised", MONEY, compare=True),
            column("waived", "Charges waived", COUNT),
            column("waived_amount", "Amount waived", MONEY),
            column("invoiced", "Charges invoiced", COUNT, compare=True),
            column("invoiced_amount", "Amount invoiced", MONEY, compare=True),
        ],
        rows=[row(_sector_label(s), raised=by_sector.get(s, (0, ZERO))[0],
                  raised_amount=money(by_sector.get(s, (0, ZERO))[1]),
                  waived=waived_by_sector.get(s, (0, ZERO))[0],
                  waived_amount=money(waived_by_sector.get(s, (0, ZERO))[1]),
                  invoiced=invoiced_by_sector.get(s, (0, ZERO))[0],
                  invoiced_amount=money(invoiced_by_sector.get(s, (0, ZERO))[1]))
              for s in sectors],
        total=row("All sectors", raised=raised_n, raised_amount=money(raised_amount),
                  waived=waived_n, waived_amount=money(waived_amount),
                  invoiced=sum(n for n, _a in invoiced_by_sector.values()),
                  invoiced_amount=money(invoiced["amount"])),
        small_groups=True, chart={"column": "raised"},
        notes=["The sector of the organisation when the place was booked (it decides the "
               "attendance fee).",
               "Each amount sits beside its number of charges: charges at a fixed fee would "
               "show a small number through the amount, so both are withheld together."],
    )
    return [summary_table, kind_table, waiver_table, sector_table]
