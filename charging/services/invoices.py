"""Invoicing (DOMAIN.md, Invoices; issue 10): business support previews and runs a batch that
collects each organisation's applied, uninvoiced charges into one invoice, numbered without
gaps, with the organisation's and the partnership's details copied onto it, and emailed as a
PDF to the organisation's invoice contact.

One batch is ONE transaction: every invoice of a run is issued, or none is. The invoice
number is taken inside it (charging.numbering), so a failure anywhere in the run rolls the
counter back and burns no number; the counter row stays locked until the run commits, so
the invoices of one run carry consecutive numbers and two runs never interleave theirs.
Charges are locked FOR UPDATE SKIP LOCKED, organisation by organisation: two runs at once
share the work instead of waiting for each other, and never invoice a charge twice (the
one-to-one InvoiceLine.charge is the database's backstop)."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Organisation
from core.audit import audit_record
from core.dates import day
from core.exceptions import DomainError
from core.models import Partnership
from core.outbox import email_queue

from .. import numbering
from ..models import Invoice, InvoiceBatch, InvoiceLine
from ..selectors.charges import finance_contacts_of
from ..selectors.invoices import charges_to_invoice

ZERO = Decimal("0.00")
ALREADY_RUN = "already_run"
EMPTY = "empty"
RACED = "raced"


@dataclass(frozen=True)
class LineDraft:
    """One line of an invoice, in the words the invoice prints."""

    charge: object
    delegate_name: str
    course_title: str
    event_date: object
    reason: str
    amount: Decimal


@dataclass
class InvoiceDraft:
    organisation: Organisation
    lines: list = field(default_factory=list)

    @property
    def total(self):
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True)
class BatchPreview:
    up_to: object
    invoices: list

    @property
    def total(self):
        return sum((draft.total for draft in self.invoices), ZERO)

    @property
    def charge_count(self):
        return sum(len(draft.lines) for draft in self.invoices)


def empty_period_message(up_to):
    return f"No applied charges to invoice up to {day(up_to)}."


def _line_draft(charge):
    booking = charge.booking
    delegate = booking.delegate
    return LineDraft(
        charge=charge,
        delegate_name=(delegate.get_full_name() or delegate.email)[:300],
        course_title=booking.event.course.title[:200],
        event_date=timezone.localdate(booking.event.start),
        reason=charge.reason,
        amount=charge.amount,
    )


def _charges(queryset):
    return (queryset.select_related("organisation", "booking__delegate",
                                    "booking__event__course")
            .order_by("booking__event__start", "created_at", "id"))


def invoice_batch_preview(*, up_to, now):
    """What a batch run up to `up_to` would invoice, per organisation (by name): its lines and
    totals. Nothing is written."""
    drafts = {}
    for charge in _charges(charges_to_invoice(up_to=up_to)):
        draft = drafts.setdefault(charge.organisation_id, InvoiceDraft(charge.organisation))
        draft.lines.append(_line_draft(charge))
    invoices = sorted(drafts.values(),
                      key=lambda d: (d.organisation.name.lower(), d.organisation.pk))
    return BatchPreview(up_to=up_to, invoices=invoices)


def partnership_contact(partnership):
    parts = [partnership.contact_email, partnership.contact_phone]
    return " · ".join(p for p in parts if p)[:300]


def invoice_recipients(organisation):
    """The organisation's invoice email; failing that its finance contacts (role); failing
    that nobody (the batch page says so)."""
    if organisation.invoice_email:
        return [organisation.invoice_email]
    return list(finance_contacts_of(organisation_id=organisation.pk)
                .values_list("email", flat=True))


def _invoice_issue(*, draft, batch, partnership, issued_on, by, now):
    """One invoice for one organisation, inside the batch's transaction."""
    organisation = draft.organisation
    invoice = Invoice.objects.create(
        number=numbering.invoice_number_take(partnership=partnership, issued_on=issued_on),
        organisation=organisation, batch=batch, issued_on=issued_on,
        due_on=issued_on + timedelta(days=partnership.invoice_payment_days),
        created_at=now, created_by=by if getattr(by, "pk", None) else None,
        organisation_name=organisation.name, invoice_email=organisation.invoice_email,
        billing_address=organisation.billing_address,
        purchase_order_reference=organisation.purchase_order_reference,
        partnership_name=partnership.name, partnership_address=partnership.address,
        partnership_contact=partnership_contact(partnership), total=draft.total,
    )
    lines = InvoiceLine.objects.bulk_create([
        InvoiceLine(invoice=invoice, charge=line.charge, position=position,
                    delegate_name=line.delegate_name, course_title=line.course_title,
                    event_date=line.event_date, reason=line.reason, amount=line.amount)
        for position, line in enumerate(draft.lines, start=1)
    ])
    audit_record(actor=by, action="invoice.issued", target=invoice, details={
        "organisation": organisation.name, "total": str(invoice.total), "lines": len(lines),
        "charges": [line.charge_id for line in lines], "batch": batch.pk},
        changes={"number": [None, invoice.number], "total": [None, str(invoice.total)]})
    invoice_email_queue(invoice=invoice, lines=lines, organisation=organisation)
    return invoice


def invoice_email_queue(*, invoice, lines=None, organisation=None):
    """The invoice's PDF to the organisation's invoice contact, through the outbox (purpose
    `invoice:<number>:issued`: queued once whatever runs again). Returns the rows."""
    from ..pdf import invoice_pdf

    recipients = invoice_recipients(organisation or invoice.organisation)
    if not recipients:
        return []
    pdf = invoice_pdf(invoice=invoice, lines=lines)
    return email_queue(
        to=recipients, template="charging/invoice_issued",
        context={"invoice": invoice, "line_count": len(lines) if lines is not None
                 else invoice.lines.count()},
        purpose=f"invoice:{invoice.number}:issued",
        attachments=[(f"{invoice.number}.pdf", pdf, "application/pdf")])


def invoice_batch_run(*, up_to, by, now, scheduled_for=None):
    """Run invoicing: each organisation's applied charges not yet invoiced, created on or
    before `up_to`, become one invoice (DOMAIN.md: "charges billed to an organisation,
    numbered"). Issue date today (London), due `invoice_payment_days` later.

    `scheduled_for` (beat's run on the partnership's invoice_run_day) is unique: a second run
    for the same day is refused and invoices nothing. An empty period saves nothing."""
    partnership = Partnership.load()
    issued_on = numbering.issue_date(now)
    if up_to > issued_on:
        raise DomainError("The date must be today or earlier: charges cannot be invoiced "
                          "before they are made.", code="future", field="up_to")
    try:
        with transaction.atomic():
            batch = InvoiceBatch(run_at=now, run_by=by if getattr(by, "pk", None) else None,
                                 charges_up_to=up_to, scheduled_for=scheduled_for)
            if scheduled_for is not None:
                try:
                    with transaction.atomic():
                        batch.save()
                except IntegrityError:
                    raise DomainError(f"Invoicing for {day(scheduled_for)} has already run.",
                                      code=ALREADY_RUN) from None
            else:
                batch.save()
            invoices = _batch_invoices(batch=batch, up_to=up_to, partnership=partnership,
                                       issued_on=issued_on, by=by, now=now)
            if not invoices:
                raise DomainError(empty_period_message(up_to), code=EMPTY, field="up_to")
            batch.invoice_count = len(invoices)
            batch.total = sum((i.total for i in invoices), ZERO)
            batch.save(update_fields=["invoice_count", "total"])
            audit_record(actor=by, action="invoice_batch.run", target=batch, details={
                "charges_up_to": up_to.isoformat(), "invoices": [i.number for i in invoices],
                "total": str(batch.total),
                "scheduled_for": scheduled_for.isoformat() if scheduled_for else None})
    except IntegrityError:
        # Another run invoiced one of these charges between our lock and our insert (the
        # one-to-one line refused it): this run is rolled back whole, numbers included.
        raise DomainError("Another invoicing run took some of these charges at the same "
                          "moment, so this run invoiced nothing. Run invoicing again to "
                          "invoice what is left.", code=RACED) from None
    return batch


def _batch_invoices(*, batch, up_to, partnership, issued_on, by, now):
    organisation_ids = list(charges_to_invoice(up_to=up_to)
                            .order_by().values_list("organisation_id", flat=True).distinct())
    organisations = Organisation.objects.filter(pk__in=organisation_ids).order_by("name", "pk")
    invoices = []
    for organisation in organisations:
        # Lock this organisation's charges; those another run holds are skipped (it is
        # invoicing them), never waited for.
        locked = list(_charges(charges_to_invoice(up_to=up_to).filter(organisation=organisation))
                      .select_for_update(skip_locked=True, of=("self",)))
        if not locked:
            continue
        # Re-check under the lock, in a new statement: a run that committed while this one
        # was choosing may have invoiced some of them.
        taken = set(InvoiceLine.objects.filter(charge_id__in=[c.pk for c in locked])
                    .values_list("charge_id", flat=True))
        charges = [c for c in locked if c.pk not in taken]
        if not charges:
            continue
        draft = InvoiceDraft(organisation, [_line_draft(c) for c in charges])
        invoices.append(_invoice_issue(draft=draft, batch=batch, partnership=partnership,
                                       issued_on=issued_on, by=by, now=now))
    return invoices


def invoice_batch_scheduled(*, now):
    """Beat, daily: on the partnership's invoice_run_day, invoice everything applied up to
    yesterday (charges of today wait for next month's run). Returns the batch, or None when it
    is not the day, the day's run already happened, or there is nothing to invoice."""
    partnership = Partnership.load()
    today = timezone.localdate(now)
    if today.day != partnership.invoice_run_day:
        return None
    try:
        return invoice_batch_run(up_to=today - timedelta(days=1), by=None, now=now,
                                 scheduled_for=today)
    except DomainError as error:
        if error.code in (ALREADY_RUN, EMPTY):
            return None
        raise
