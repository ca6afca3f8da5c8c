"""Invoices for tests: applied charges, an issued invoice; and who may open the invoicing pages
and how to build each page's address (tests/accounts/test_roles.py reads both)."""

from datetime import timedelta
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role

SITE_ADMIN = "site_admin"
INVOICE_STAFF = {Role.OFFICER, Role.BUSINESS_SUPPORT, SITE_ADMIN}

INVOICE_PAGES = {
    "charging:invoice-batch": INVOICE_STAFF,
    "charging:invoice-batch-list": INVOICE_STAFF,
    "charging:invoice-batch-detail": INVOICE_STAFF,
    "charging:invoice-list": INVOICE_STAFF,
    "charging:invoice-detail": INVOICE_STAFF,
    "charging:invoice-pdf": INVOICE_STAFF,
    "charging:credit-note-create": INVOICE_STAFF,
    "charging:credit-note-pdf": INVOICE_STAFF,
}


def private_organisation(name=None, **fields):
    from accounts.models import Sector
    from tests.factories import OrganisationFactory

    kwargs = {"sector": Sector.PRIVATE, "kind": "Nursery",
              "invoice_email": "accounts@nursery.example",
              "billing_address": "1 High Street\nDudley\nDY1 1AA",
              "purchase_order_reference": "PO-7781", **fields}
    if name:
        kwargs["name"] = name
    return OrganisationFactory(**kwargs)


def applied_charge(organisation, *, amount="75.00", created_at=None, status="applied",
                   delegate=None, course_title=None, event_start=None, kind="attendance",
                   reason="Attended a full-day event (private / profit-making organisation)"):
    """A charge of `organisation` for a booking of its delegate (attended, by default)."""
    from charging.models import Charge
    from tests.factories import BookingFactory, CourseFactory, EventFactory, UserFactory

    delegate = delegate or UserFactory(organisation=organisation)
    event_kwargs = {"start": event_start or timezone.now() - timedelta(days=10)}
    if course_title:
        event_kwargs["course"] = CourseFactory(title=course_title)
    booking = BookingFactory(event=EventFactory(**event_kwargs), delegate=delegate,
                             organisation=organisation, status="attended")
    fields = {}
    if status == "waived":
        fields["waiver_reason"] = "illness"
    return Charge.objects.create(
        booking=booking, organisation=organisation, sector=organisation.sector, kind=kind,
        amount=Decimal(amount), reason=reason, status=status,
        created_at=created_at or timezone.now() - timedelta(days=1), **fields)


def issued_invoice(organisation=None, *, amounts=("75.00", "100.00"), by=None, now=None):
    """One organisation's charges invoiced by a batch run; returns the invoice."""
    from charging.models import Invoice
    from charging.services.invoices import invoice_batch_run

    organisation = organisation or private_organisation()
    for amount in amounts:
        applied_charge(organisation, amount=amount)
    now = now or timezone.now()
    batch = invoice_batch_run(up_to=timezone.localdate(now), by=by, now=now)
    return Invoice.objects.get(batch=batch, organisation=organisation)


def invoice_page_url(name):
    """The address of one of INVOICE_PAGES, creating what it shows."""
    if name in ("charging:invoice-detail", "charging:invoice-pdf",
                "charging:credit-note-create"):
        return reverse(name, kwargs={"pk": issued_invoice().pk})
    if name == "charging:invoice-batch-detail":
        return reverse(name, kwargs={"pk": issued_invoice().batch_id})
    if name == "charging:credit-note-pdf":
        from charging.services.credit_notes import credit_note_issue

        invoice = issued_invoice()
        line = invoice.lines.first()
        note = credit_note_issue(invoice=invoice, lines={line.pk: line.amount},
                                 reason="Waived on appeal", by=None, now=timezone.now())
        return reverse(name, kwargs={"pk": note.pk})
    return reverse(name)
