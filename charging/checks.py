"""The overdue-invoice booking check, registered with bookings.checks.

DOMAIN.md, Invoices: an organisation with an invoice still unpaid more than
`invoice_overdue_months` CALENDAR months after its issue date cannot book (or join a waiting
list) until it is paid or credited; its delegates see why (the invoice number, never the
amount) and whom to contact. Places already held are kept: the check only refuses new ones.

It runs on every booking attempt and on every event page a delegate opens, so it costs one
query on the (organisation, settled_at) index when nothing blocks; naming whom to contact
costs more only when it refuses."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db.models import Subquery

from bookings.checks import register_booking_check
from core.calendar import london_date


def overdue_from(*, issued_on: date, months: int) -> date:
    """The first day an invoice issued on `issued_on` and still unpaid blocks bookings: the day
    after its issue date plus `months` calendar months, clamped to the end of a short month.
    Issued 1 October 2026, one month: allowed on 1 November, blocked from 2 November. Issued
    31 January 2027: allowed on 28 February, blocked from 1 March 2027."""
    return issued_on + relativedelta(months=months) + timedelta(days=1)


def is_overdue(*, issued_on: date, months: int, today: date) -> bool:
    return today >= overdue_from(issued_on=issued_on, months=months)


@dataclass(frozen=True)
class OverdueBlock:
    """Why an organisation cannot book: its oldest invoice unpaid past the limit."""

    organisation_id: int
    invoice_number: str
    issued_on: date
    blocked_from: date
    months: int


def _months_subquery():
    from core.models import Partnership

    return Subquery(Partnership.objects.filter(pk=1).values("invoice_overdue_months")[:1])


def overdue_block_for(*, organisation_id, now):
    """The OverdueBlock of an organisation at `now`, or None: ONE query. Its oldest unsettled
    invoice is the first to go overdue, so if that one does not block, none does. The months
    come from the partnership settings in the same query."""
    from .models import Invoice

    if not organisation_id:
        return None
    row = (Invoice.objects.filter(organisation_id=organisation_id, settled_at__isnull=True)
           .annotate(months=_months_subquery())
           .order_by("issued_on", "number")
           .values_list("number", "issued_on", "months").first())
    if row is None:
        return None
    number, issued_on, months = row
    months = 1 if months is None else months  # no settings row yet: the default
    blocked_from = overdue_from(issued_on=issued_on, months=months)
    if london_date(now) < blocked_from:
        return None
    return OverdueBlock(organisation_id=organisation_id, invoice_number=number,
                        issued_on=issued_on, blocked_from=blocked_from, months=months)


def whom_to_contact(*, organisation_id):
    """"your organisation's finance contact, Gary Price (finance@...), or the training team at
    training@..." : the finance contact(s) of the organisation and the partnership."""
    from core.models import Partnership

    from .selectors.charges import finance_contacts_of

    partnership = Partnership.load()
    contacts = list(finance_contacts_of(organisation_id=organisation_id)[:2])
    team = f"the training team at {partnership.contact_email}"
    if not contacts:
        return f"your organisation's finance team or {team}"
    names = " or ".join(f"{c.get_full_name() or c.email} ({c.email})" for c in contacts)
    return f"your organisation's finance contact, {names}, or {team}"


def months_words(months):
    return "a calendar month" if months == 1 else f"{months} calendar months"


def overdue_block_message(block, *, organisation_name=None):
    """What a delegate is told (the invoice number, not the amount; whom to contact)."""
    from core.dates import day

    who = organisation_name or "Your organisation"
    contact = whom_to_contact(organisation_id=block.organisation_id)
    return (f"{who} cannot book training at the moment: invoice {block.invoice_number}, "
            f"issued on {day(block.issued_on)}, is still unpaid more than "
            f"{months_words(block.months)} after it was issued. Places already booked are "
            f"kept. To settle it, contact {contact}.")


@register_booking_check(new_places_only=True)
def overdue_invoice(*, delegate, event, now):
    """bookings.checks: refuse a new place (booking, waiting list, accepting an offer) while the
    delegate's organisation has an overdue invoice; a place already held may still pass to a
    colleague."""
    block = overdue_block_for(organisation_id=getattr(delegate, "organisation_id", None), now=now)
    if block is None:
        return None
    return overdue_block_message(block)
