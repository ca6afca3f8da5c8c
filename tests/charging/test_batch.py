"""The invoicing batch (issue 10): each organisation's applied, uninvoiced charges become one
invoice; a preview writes nothing; an empty period says so and saves nothing; a failure
mid-way rolls back whole and burns no number; running twice invoices nothing twice; beat runs
it once on the partnership's invoice_run_day."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import IntegrityError

from accounts.roles import Role
from charging.models import (
    Charge,
    DocumentCounter,
    Invoice,
    InvoiceBatch,
    InvoiceLine,
)
from charging.services import invoices as invoicing
from charging.services.invoices import (
    invoice_batch_preview,
    invoice_batch_run,
    invoice_batch_scheduled,
)
from core.exceptions import DomainError
from core.models import AuditEntry, OutgoingEmail, Partnership
from tests.charging.invoice_pages import applied_charge, private_organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)
UP_TO = NOW.date()


@pytest.fixture(autouse=True)
def dspp(db):
    partnership = Partnership.load()
    partnership.short_name = "DSPP"
    partnership.name = "Dudley Safeguarding People Partnership"
    partnership.address = "Council House\nPriory Road\nDudley DY1 1HF"
    partnership.contact_email = "training@dspp.example"
    partnership.contact_phone = "01384 000000"
    partnership.invoice_payment_days = 30
    partnership.invoice_run_day = 1
    partnership.save()
    return partnership


def at(day, hour=12, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def two_organisations():
    nursery = private_organisation("Bright Futures Nurseries Ltd")
    care = private_organisation("Oak Care Homes Ltd", invoice_email="ledger@oak.example",
                                billing_address="Oak House\nStourbridge",
                                purchase_order_reference="")
    charges = [
        applied_charge(nursery, amount="75.00", course_title="Working Together",
                       event_start=at(NOW.date() - timedelta(days=20), 9, 30),
                       created_at=at(NOW.date() - timedelta(days=19))),
        applied_charge(nursery, amount="100.00", kind="late_cancellation",
                       reason="Late cancellation: 3 working days' notice (full day)",
                       course_title="Child on Child Abuse",
                       created_at=at(NOW.date() - timedelta(days=5))),
        applied_charge(nursery, amount="25.50", created_at=at(NOW.date() - timedelta(days=2))),
        applied_charge(care, amount="0.10", created_at=at(NOW.date() - timedelta(days=3))),
        applied_charge(care, amount="0.20", created_at=at(NOW.date() - timedelta(days=3))),
    ]
    return nursery, care, charges


# Preview ----------------------------------------------------------------------------------
def test_the_preview_shows_each_organisations_lines_and_totals_and_writes_nothing(
        two_organisations):
    nursery, care, charges = two_organisations
    applied_charge(nursery, status="pending", amount="50.00")
    applied_charge(nursery, status="waived", amount="50.00")
    preview = invoice_batch_preview(up_to=UP_TO, now=NOW)

    assert [d.organisation for d in preview.invoices] == [nursery, care]
    assert [d.total for d in preview.invoices] == [Decimal("200.50"), Decimal("0.30")]
    assert preview.total == Decimal("200.80") and preview.charge_count == 5
    first = preview.invoices[0].lines[0]
    charge = charges[0]
    assert first.delegate_name == charge.booking.delegate.get_full_name()
    assert first.course_title == "Working Together"
    assert first.event_date == NOW.date() - timedelta(days=20)
    assert (first.reason, first.amount) == (charge.reason, Decimal("75.00"))
    assert not Invoice.objects.exists() and not InvoiceBatch.objects.exists()
    assert not DocumentCounter.objects.exists() and not OutgoingEmail.objects.exists()


def test_up_to_is_a_london_day_the_last_minute_in_the_first_out():
    nursery = private_organisation()
    inside = applied_charge(nursery, created_at=at(UP_TO, 23, 59))
    applied_charge(nursery, created_at=at(UP_TO + timedelta(days=1), 0, 0))
    preview = invoice_batch_preview(up_to=UP_TO, now=NOW)
    assert [line.charge for line in preview.invoices[0].lines] == [inside]


# Run ---------------------------------------------------------------------------------------
def test_a_run_issues_one_invoice_per_organisation_with_everything_copied(
        two_organisations, dspp):
    nursery, care, charges = two_organisations
    officer = UserFactory(roles=[Role.BUSINESS_SUPPORT])
    batch = invoice_batch_run(up_to=UP_TO, by=officer, now=NOW)

    assert (batch.invoice_count, batch.total) == (2, Decimal("200.80"))
    first, second = Invoice.objects.order_by("number")
    assert (first.number, second.number) == ("DSPP-2026-00001", "DSPP-2026-00002")
    assert first.organisation == nursery and second.organisation == care
    assert first.issued_on == UP_TO and first.due_on == UP_TO + timedelta(days=30)
    assert (first.organisation_name, first.invoice_email, first.billing_address,
            first.purchase_order_reference) == (
        "Bright Futures Nurseries Ltd", "accounts@nursery.example",
        "1 High Street\nDudley\nDY1 1AA", "PO-7781")
    assert first.partnership_name == "Dudley Safeguarding People Partnership"
    assert first.partnership_address == "Council House\nPriory Road\nDudley DY1 1HF"
    assert "training@dspp.example" in first.partnership_contact
    assert "01384 000000" in first.partnership_contact
    assert first.created_by == officer and first.batch == batch
    # Lines in event order, each charge once; totals are exact Decimal sums (0.10 + 0.20).
    assert [line.charge_id for line in first.lines.all()] == [c.pk for c in charges[:3]]
    assert first.total == Decimal("200.50")
    assert second.total == Decimal("0.30") and isinstance(second.total, Decimal)
    assert InvoiceLine.objects.count() == 5
    # Audited: the run and each invoice.
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("invoice.issued") == 2 and actions.count("invoice_batch.run") == 1


def test_each_invoice_is_emailed_with_its_pdf_to_the_invoice_contact(two_organisations):
    invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    rows = {r.purpose: r for r in OutgoingEmail.objects.all()}
    assert set(rows) == {"invoice:DSPP-2026-00001:issued", "invoice:DSPP-2026-00002:issued"}
    row = rows["invoice:DSPP-2026-00001:issued"]
    assert row.recipient == "accounts@nursery.example"
    assert "DSPP-2026-00001" in row.subject and "£200.50" in row.subject
    [attachment] = row.attachments
    assert attachment["filename"] == "DSPP-2026-00001.pdf"
    assert attachment["mimetype"] == "application/pdf"
    assert rows["invoice:DSPP-2026-00002:issued"].recipient == "ledger@oak.example"


def test_without_an_invoice_email_the_finance_contacts_get_it_or_nobody():
    with_finance = private_organisation("Acorn Childcare Ltd", invoice_email="")
    UserFactory(organisation=with_finance, email="finance@acorn.example",
                roles=[Role.DELEGATE, Role.FINANCE_CONTACT])
    UserFactory(organisation=with_finance, email="lead@acorn.example",
                roles=[Role.DELEGATE, Role.SAFEGUARDING_LEAD])
    nobody = private_organisation("Zebra Nursery Ltd", invoice_email="")
    applied_charge(with_finance)
    applied_charge(nobody)
    invoice_batch_run(up_to=UP_TO, by=None, now=NOW)

    rows = list(OutgoingEmail.objects.values_list("purpose", "recipient"))
    assert rows == [("invoice:DSPP-2026-00001:issued", "finance@acorn.example")]
    assert Invoice.objects.get(organisation=nobody).number == "DSPP-2026-00002"


def test_an_empty_period_says_so_and_saves_nothing():
    nursery = private_organisation()
    applied_charge(nursery, created_at=at(UP_TO + timedelta(days=1)))  # after the date
    applied_charge(nursery, status="pending")
    with pytest.raises(DomainError) as refused:
        invoice_batch_run(up_to=UP_TO, by=None, now=NOW + timedelta(days=2))
    assert refused.value.message == "No applied charges to invoice up to Monday 30 November 2026."
    assert not InvoiceBatch.objects.exists() and not Invoice.objects.exists()
    assert not DocumentCounter.objects.exists() and not OutgoingEmail.objects.exists()


def test_a_date_after_today_is_refused():
    applied_charge(private_organisation())
    with pytest.raises(DomainError, match="today or earlier"):
        invoice_batch_run(up_to=UP_TO + timedelta(days=1), by=None, now=NOW)
    assert not Invoice.objects.exists()


def test_a_run_that_fails_at_the_second_invoice_rolls_back_whole_and_burns_no_number(
        two_organisations, monkeypatch):
    real = invoicing.invoice_email_queue
    calls = []

    def fails_the_second(**kwargs):
        calls.append(kwargs["invoice"].number)
        if len(calls) == 2:
            raise RuntimeError("the PDF renderer crashed")
        return real(**kwargs)

    monkeypatch.setattr(invoicing, "invoice_email_queue", fails_the_second)
    with pytest.raises(RuntimeError):
        invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    # The second invoice had taken its number when it failed: all of it is gone.
    assert calls == ["DSPP-2026-00001", "DSPP-2026-00002"]
    assert not Invoice.objects.exists() and not InvoiceLine.objects.exists()
    assert not InvoiceBatch.objects.exists() and not OutgoingEmail.objects.exists()
    assert not DocumentCounter.objects.filter(last__gt=0).exists()

    monkeypatch.setattr(invoicing, "invoice_email_queue", real)
    invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        "DSPP-2026-00001", "DSPP-2026-00002"]


def test_running_twice_invoices_nothing_twice(two_organisations):
    nursery, care, charges = two_organisations
    invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    with pytest.raises(DomainError) as refused:
        invoice_batch_run(up_to=UP_TO, by=None, now=NOW + timedelta(minutes=5))
    assert refused.value.code == "empty"
    assert Invoice.objects.count() == 2 and InvoiceLine.objects.count() == 5
    # A charge applied since goes on the next run's invoice, alone.
    late = applied_charge(nursery, created_at=at(UP_TO, 11))
    batch = invoice_batch_run(up_to=UP_TO, by=None, now=NOW + timedelta(hours=2))
    assert [line.charge for line in batch.invoices.get().lines.all()] == [late]
    assert batch.invoices.get().number == "DSPP-2026-00003"


def test_the_database_refuses_a_charge_on_two_invoices_and_the_run_says_so(
        two_organisations, monkeypatch):
    """The backstop: were the lock and the re-check ever to miss a charge another run had just
    invoiced, the one-to-one line refuses it; the run rolls back whole, with a message."""
    invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    counter = DocumentCounter.objects.get().last
    everything = Charge.objects.filter(status="applied")
    monkeypatch.setattr(invoicing, "charges_to_invoice", lambda up_to: everything)
    monkeypatch.setattr(invoicing.InvoiceLine.objects, "filter",
                        lambda **kw: InvoiceLine.objects.none())
    with pytest.raises(DomainError) as refused:
        invoice_batch_run(up_to=UP_TO, by=None, now=NOW)
    assert refused.value.code == "raced"
    assert "invoiced nothing" in refused.value.message
    assert Invoice.objects.count() == 2 and DocumentCounter.objects.get().last == counter
    with pytest.raises(IntegrityError):  # (the constraint itself)
        from django.db import transaction
        with transaction.atomic():
            line = InvoiceLine.objects.first()
            InvoiceLine.objects.bulk_create([InvoiceLine(
                invoice=line.invoice, charge=line.charge, delegate_name="x", course_title="x",
                event_date=UP_TO, reason="x", amount=Decimal("1.00"))])


# Scheduled -------------------------------------------------------------------------------
def test_beat_runs_invoicing_once_on_the_run_day(two_organisations, dspp):
    nursery, care, charges = two_organisations
    dspp.invoice_run_day = 1
    dspp.save()
    run_day = datetime(2026, 12, 1, 6, 20, tzinfo=LONDON)

    assert invoice_batch_scheduled(now=run_day - timedelta(days=1)) is None
    assert not Invoice.objects.exists()

    batch = invoice_batch_scheduled(now=run_day)
    assert batch.scheduled_for == run_day.date()
    assert batch.charges_up_to == run_day.date() - timedelta(days=1)
    assert batch.run_by is None and batch.invoice_count == 2
    assert Invoice.objects.filter(issued_on=run_day.date()).count() == 2

    # The same day again (beat checks hourly): the day's run has happened, nothing more,
    # even with a new charge of last month waiting.
    applied_charge(nursery, created_at=at(UP_TO, 9))
    assert invoice_batch_scheduled(now=run_day + timedelta(hours=1)) is None
    assert Invoice.objects.count() == 2 and InvoiceBatch.objects.count() == 1


def test_a_scheduled_day_with_nothing_to_invoice_saves_nothing():
    run_day = datetime(2026, 12, 1, 6, 20, tzinfo=LONDON)
    assert invoice_batch_scheduled(now=run_day) is None
    assert not InvoiceBatch.objects.exists()


def test_the_beat_schedule_runs_the_task():
    entry = settings.CELERY_BEAT_SCHEDULE["charging-invoice-batch-scheduled"]
    assert entry["task"] == "charging.tasks.invoice_batch_scheduled"
    from charging import tasks

    assert tasks.invoice_batch_scheduled.name == entry["task"]


def test_the_scheduled_task_runs_the_service_with_now(monkeypatch, two_organisations):
    from types import SimpleNamespace

    from charging import tasks

    run_day = datetime(2026, 12, 1, 6, 20, tzinfo=LONDON)
    monkeypatch.setattr(tasks, "timezone", SimpleNamespace(now=lambda: run_day))
    result = tasks.invoice_batch_scheduled.apply().get()
    assert InvoiceBatch.objects.get(pk=result).scheduled_for == run_day.date()
    assert tasks.invoice_batch_scheduled.apply().get() is None  # the second run: nothing
    assert Invoice.objects.count() == 2
