"""Invoice and credit note numbers are gapless per partnership (DOMAIN.md, Invoices), whatever
runs at once: `<short_name>-<year>-<00042>` and `<short_name>-CN-<year>-<00001>`.

The concurrency tests run on PostgreSQL with real threads, each with its own connection,
released together by a barrier (as tests/bookings/test_concurrency.py does for places)."""

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connections, transaction
from django.utils import timezone

from accounts.models import Organisation, User
from bookings.models import Booking
from charging import numbering
from charging.models import Charge, CreditNote, DocumentCounter, Invoice, InvoiceLine
from charging.services.credit_notes import credit_note_issue
from charging.services.invoices import invoice_batch_run
from core.exceptions import DomainError
from core.models import Partnership
from tests.factories import EventFactory

UTC = ZoneInfo("UTC")


@pytest.fixture
def dspp(db):
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    return partnership


# Format, year, prefix ----------------------------------------------------------------------
@pytest.mark.django_db
def test_numbers_count_up_per_prefix_and_restart_each_year(dspp):
    with transaction.atomic():
        first = numbering.invoice_number_take(partnership=dspp,
                                              issued_on=datetime(2026, 11, 30).date())
        second = numbering.invoice_number_take(partnership=dspp,
                                               issued_on=datetime(2026, 12, 31).date())
        note = numbering.credit_note_number_take(partnership=dspp,
                                                 issued_on=datetime(2026, 12, 1).date())
        next_year = numbering.invoice_number_take(partnership=dspp,
                                                  issued_on=datetime(2027, 1, 1).date())
    assert (first, second, note, next_year) == (
        "DSPP-2026-00001", "DSPP-2026-00002", "DSPP-CN-2026-00001", "DSPP-2027-00001")


@pytest.mark.django_db
@pytest.mark.parametrize("moment, year", [
    (datetime(2026, 12, 31, 23, 59, tzinfo=UTC), 2026),
    (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), 2027),
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): still 2027 either way, but the
    # issue date is the London day.
    (datetime(2027, 6, 30, 23, 30, tzinfo=UTC), 2027),
], ids=["new-year-eve-london", "new-year-london", "bst-next-day"])
def test_the_year_is_the_issue_dates_in_london(dspp, moment, year):
    issued_on = numbering.issue_date(moment)
    assert issued_on.year == year
    if moment.month == 6:
        assert issued_on.isoformat() == "2027-07-01"


@pytest.mark.django_db(transaction=True)
def test_a_number_cannot_be_taken_outside_a_transaction(dspp):
    with pytest.raises(RuntimeError):
        numbering.number_take(prefix="DSPP-2026")
    assert not DocumentCounter.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_transaction_gives_its_number_back(dspp):
    issued_on = datetime(2026, 11, 30).date()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert numbering.invoice_number_take(partnership=dspp,
                                             issued_on=issued_on) == "DSPP-2026-00001"
        raise ZeroDivisionError("the rest of the document failed")
    with transaction.atomic():
        assert numbering.invoice_number_take(partnership=dspp,
                                             issued_on=issued_on) == "DSPP-2026-00001"


# Concurrency ------------------------------------------------------------------------------
THREADS = 20


def _race(work, arguments):
    """Run work(argument) in one thread per argument, all released at once; returns what each
    returned (or raised)."""
    barrier = threading.Barrier(len(arguments))
    outcomes, guard = [], threading.Lock()

    def attempt(argument):
        try:
            barrier.wait(timeout=30)
            outcome = work(argument)
        except Exception as exc:  # noqa: BLE001 – reported by the test, not lost in the thread
            outcome = exc
        finally:
            connections.close_all()
        with guard:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt, args=(a,)) for a in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == len(arguments), "a thread did not finish"
    return outcomes


def _charges_for(organisations, per_organisation):
    """Applied charges, made fast (bulk) so that the race is not spread over the setup."""
    now = timezone.now()
    events = [EventFactory(start=now - timedelta(days=10 + i)) for i in range(per_organisation)]
    delegates = User.objects.bulk_create(
        User(email=f"delegate{i}@nursery{o.pk}.example", first_name="Sam", last_name=f"Race{i}",
             organisation=o, password="!")
        for o in organisations for i in range(per_organisation))
    bookings = Booking.objects.bulk_create(
        Booking(event=events[i % per_organisation], delegate=d, organisation=d.organisation,
                status="attended", booked_at=now - timedelta(days=20))
        for i, d in enumerate(delegates))
    return Charge.objects.bulk_create(
        Charge(booking=b, organisation=b.organisation, sector="private", kind="attendance",
               amount=Decimal("75.00") if i % 2 else Decimal("25.50"), status="applied",
               reason="Attended a full-day event (private / profit-making organisation)",
               created_at=now - timedelta(days=1))
        for i, b in enumerate(bookings))


def _assert_gapless(numbers, prefix):
    expected = [f"{prefix}-{n:05d}" for n in range(1, len(numbers) + 1)]
    assert sorted(numbers) == expected, sorted(numbers)
    assert len(set(numbers)) == len(numbers)


@pytest.mark.django_db(transaction=True)
def test_twenty_batches_at_once_number_without_gap_or_duplicate_and_invoice_each_charge_once():
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Nursery {i:02d}", sector="private", invoice_email=f"a{i}@n.example")
        for i in range(THREADS))
    charges = _charges_for(organisations, per_organisation=3)
    now = timezone.now()

    def run(_):
        try:
            return invoice_batch_run(up_to=timezone.localdate(now), by=None, now=now)
        except DomainError as error:
            return error.code

    outcomes = _race(run, list(range(THREADS)))
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]

    numbers = list(Invoice.objects.values_list("number", flat=True))
    prefix = f"DSPP-{numbering.issue_date(now).year}"
    _assert_gapless(numbers, prefix)
    assert DocumentCounter.objects.get(prefix=prefix).last == len(numbers)
    # Every charge on exactly one invoice, and every invoice's total the exact sum of its lines.
    assert InvoiceLine.objects.count() == len(charges)
    assert set(InvoiceLine.objects.values_list("charge_id", flat=True)) == {c.pk for c in charges}
    for invoice in Invoice.objects.prefetch_related("lines"):
        assert invoice.total == sum((line.amount for line in invoice.lines.all()), Decimal("0"))
    assert sum(Invoice.objects.values_list("total", flat=True)) == sum(c.amount for c in charges)
    # The batches that found nothing left said so; none invoiced an organisation twice over.
    assert all(o in ("empty", "raced") or hasattr(o, "pk") for o in outcomes)
    for batch in [o for o in outcomes if hasattr(o, "pk")]:
        orgs = list(batch.invoices.values_list("organisation_id", flat=True))
        assert len(orgs) == len(set(orgs))


@pytest.mark.django_db(transaction=True)
def test_twenty_credit_notes_at_once_number_without_gap_or_duplicate():
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Nursery {i:02d}", sector="private", invoice_email=f"a{i}@n.example")
        for i in range(THREADS))
    _charges_for(organisations, per_organisation=1)
    now = timezone.now()
    invoice_batch_run(up_to=timezone.localdate(now), by=None, now=now)
    invoices = list(Invoice.objects.all())
    assert len(invoices) == THREADS

    def credit(invoice):
        line = invoice.lines.get()
        return credit_note_issue(invoice=invoice, lines={line.pk: Decimal("10.00")},
                                 reason="Goodwill", by=None, now=now).number

    outcomes = _race(credit, invoices)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert not errors, errors[:3]
    _assert_gapless(outcomes, f"DSPP-CN-{numbering.issue_date(now).year}")
    assert CreditNote.objects.count() == THREADS


@pytest.mark.django_db(transaction=True)
def test_control_without_the_counter_lock_numbers_collide(monkeypatch):
    """Known to catch a race: taking MAX+1 without the lock, the same twenty at once read the
    same last number, and the database refuses the duplicates (or they would share it)."""
    import time

    def unlocked_take(*, prefix):
        counter, _ = DocumentCounter.objects.get_or_create(prefix=prefix)
        last = counter.last
        time.sleep(0.2)  # every thread reads before any writes
        DocumentCounter.objects.filter(pk=counter.pk).update(last=last + 1)
        return f"{prefix}-{last + 1:05d}"

    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.save()
    with transaction.atomic():  # the counter row exists before the race, as in a busy month
        numbering.number_take(prefix="DSPP-CN-2026")
    monkeypatch.setattr(numbering, "number_take", unlocked_take)

    def take(_):
        with transaction.atomic():
            return numbering.credit_note_number_take(
                partnership=partnership, issued_on=datetime(2026, 11, 30).date())

    outcomes = _race(take, list(range(5)))
    assert len(set(outcomes)) < len(outcomes)  # duplicates: the lock is what prevents them
