"""The demo's charging story (demo/charging.py): a private nursery with an attendance charge,
a late cancellation waiting for a decision, a waived no-show, an issued invoice with a part
payment, and an organisation blocked by an overdue invoice; loading it again changes nothing."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.checks import booking_refusals
from courses.models import Event, EventStatus

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime(2027, 2, 10, 12, 0))


def _load(now=NOW, *, history=False):
    """The demo, without the history (demo/history.py) unless a test needs it."""
    from demo.services import demo_load

    return demo_load(now=now, history=history)


def _snapshot():
    from charging.models import Charge, CreditNote, DocumentCounter, Invoice, Payment
    from core.models import AuditEntry, OutgoingEmail

    return {
        "charges": list(Charge.objects.order_by("pk").values()),
        "invoices": list(Invoice.objects.order_by("pk").values()),
        "payments": list(Payment.objects.order_by("pk").values()),
        "credit_notes": CreditNote.objects.count(),
        "counters": list(DocumentCounter.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "emails": OutgoingEmail.objects.count(),
    }


def test_the_demo_charging_story():
    from charging.models import Charge, ChargeStatus, Invoice
    from charging.selectors.invoices import invoice_balance
    from demo.bookings import CE, _event

    _load(history=True)
    # The story is on the last Child Exploitation course (the history before it, for the
    # reports, has charges of its own: demo/history.py).
    story = _event(CE, upcoming=False, now=NOW)
    by_person = {c.booking.delegate.get_full_name(): c
                 for c in Charge.objects.filter(booking__event=story)
                 .select_related("booking__delegate")}
    assert by_person["Natalie Cooper"].kind == "attendance"
    assert by_person["Natalie Cooper"].status == ChargeStatus.APPLIED
    assert by_person["Kelly Morris"].kind == "late_cancellation"
    assert by_person["Kelly Morris"].status == ChargeStatus.PENDING
    assert by_person["Simon Baxter"].kind == "no_show"
    assert by_person["Simon Baxter"].status == ChargeStatus.WAIVED
    assert by_person["Simon Baxter"].decided_by.email == "officer@demo.example"

    bright = Invoice.objects.get(lines__charge=by_person["Natalie Cooper"])
    assert bright.organisation.name == "Bright Futures Nurseries Ltd"
    assert bright.number.startswith("DSPP-2027-")
    assert bright.issued_on == timezone.localdate(NOW)
    balance = invoice_balance(bright)
    assert (balance.total, balance.paid, balance.outstanding) == (
        Decimal("175.00"), Decimal("75.00"), Decimal("100.00"))
    assert bright.settled_at is None

    # The history's invoices were paid in full: Oakfield's one unpaid invoice is the story's.
    oakfield = Invoice.objects.get(organisation__name="Oakfield Care Homes Ltd",
                                   settled_at__isnull=True)
    assert oakfield.number.startswith("DSPP-2026-")  # issued in December 2026
    assert oakfield.settled_at is None
    older = Event.objects.get(bookings__delegate__email="deborah.wright@oakfield-care.example")
    assert older.status == EventStatus.COMPLETED
    assert older.places_taken == 1

    # Oakfield's delegates cannot book; Bright Futures' can.
    from accounts.models import User

    upcoming = Event.objects.filter(status=EventStatus.SCHEDULED, start__gt=NOW).first()
    deborah = User.objects.get(email="deborah.wright@oakfield-care.example")
    [reason] = booking_refusals(delegate=deborah, event=upcoming, now=NOW)
    assert oakfield.number in reason
    natalie = User.objects.get(email="natalie.cooper@brightfutures-nurseries.example")
    assert booking_refusals(delegate=natalie, event=upcoming, now=NOW) == []


def test_loading_the_demo_again_changes_no_charge_invoice_or_payment():
    _load(history=True)
    first = _snapshot()
    result = _load(history=True)
    assert _snapshot() == first
    assert not result.changed


def test_a_later_load_keeps_the_story_and_what_people_did_since():
    from charging.models import Charge, ChargeStatus, Invoice

    _load()
    kelly = Charge.objects.get(booking__delegate__last_name="Morris",
                               status=ChargeStatus.PENDING)
    Charge.objects.filter(pk=kelly.pk).update(status=ChargeStatus.APPLIED)  # the officer decided
    later = timezone.make_aware(datetime(2027, 3, 3, 12, 0))
    _load(later)
    assert Charge.objects.get(pk=kelly.pk).status == ChargeStatus.APPLIED
    # The same older course and the same overdue invoice: nothing made twice.
    assert Invoice.objects.filter(organisation__name="Oakfield Care Homes Ltd",
                                  settled_at__isnull=True).count() == 1
    assert Event.objects.filter(
        bookings__delegate__email="deborah.wright@oakfield-care.example").count() == 1
