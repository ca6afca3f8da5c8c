"""privacy.policies.deletion_refusals without a database: each refusal at its boundary."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from privacy.policies import BookingFact, ChargeFact, PersonFacts, deletion_refusals

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def booking(status="booked", *, ends_in=timedelta(days=3), cancelled=False):
    end = NOW + ends_in
    return BookingFact(status=status, course_title="Neglect", start=end - timedelta(hours=7),
                       end=end, event_cancelled=cancelled)


def charge(status="applied", number="", settled=False):
    return ChargeFact(status=status, course_title="Neglect", amount=Decimal("75.00"),
                      invoice_number=number, invoice_settled=settled)


@pytest.mark.parametrize(("facts", "codes"), [
    (PersonFacts(), []),
    (PersonFacts(anonymised_at=NOW), ["already_anonymised"]),
    (PersonFacts(roles=("Business support",)), ["staff_roles"]),
    (PersonFacts(is_superuser=True), ["staff_roles"]),
    (PersonFacts(bookings=(booking(),)), ["future_booking"]),
    (PersonFacts(bookings=(booking("waitlisted"),)), ["future_booking"]),
    (PersonFacts(bookings=(booking("offered"),)), ["future_booking"]),
    (PersonFacts(bookings=(booking("pending_approval"),)), ["future_booking"]),
    (PersonFacts(bookings=(booking(ends_in=timedelta(seconds=1)),)), ["future_booking"]),
    (PersonFacts(bookings=(booking(ends_in=timedelta(0)),)), ["register_unmarked"]),
    (PersonFacts(bookings=(booking(ends_in=-timedelta(days=400)),)), ["register_unmarked"]),
    (PersonFacts(bookings=(booking("waitlisted", ends_in=-timedelta(days=1)),)),
     ["booking_open"]),
    (PersonFacts(bookings=(booking("attended", ends_in=-timedelta(days=1)),)), []),
    (PersonFacts(bookings=(booking("cancelled"),)), []),
    (PersonFacts(bookings=(booking(cancelled=True),)), []),
    (PersonFacts(charges=(charge("pending"),)), ["charge_pending"]),
    (PersonFacts(charges=(charge(),)), ["charge_unpaid"]),
    (PersonFacts(charges=(charge(number="DSPP-2026-00042"),)), ["charge_unpaid"]),
    (PersonFacts(charges=(charge(number="DSPP-2026-00042", settled=True),)), []),
    (PersonFacts(charges=(charge("waived"),)), []),
], ids=["nothing", "already", "staff-role", "site-admin", "booked", "waiting-list", "offered",
        "awaiting-approval", "ends-in-a-second", "ended-now-unmarked", "ended-long-ago-unmarked",
        "past-waiting-list", "past-attended", "cancelled-place",
        "cancelled-event", "charge-undecided", "charge-not-invoiced", "invoice-unpaid",
        "invoice-paid", "charge-waived"])
def test_deletion_refusals(facts, codes):
    assert [r.code for r in deletion_refusals(facts=facts, now=NOW)] == codes


def test_each_refusal_says_what_to_do():
    facts = PersonFacts(bookings=(booking(),), charges=(charge(number="DSPP-2026-00042"),))
    reasons = [r.reason for r in deletion_refusals(facts=facts, now=NOW)]
    assert reasons[0].startswith("Neglect on ") and "must be cancelled first" in reasons[0]
    past = PersonFacts(bookings=(booking(ends_in=-timedelta(days=2)),))
    [unmarked] = [r.reason for r in deletion_refusals(facts=past, now=NOW)]
    assert unmarked == ("Neglect on Sunday 29 November 2026, 3am: the register must be marked "
                        "first.")
    assert reasons[1] == ("A charge of £75.00 for Neglect is on invoice DSPP-2026-00042, "
                          "which is not paid yet.")
