"""Charges follow bookings' final states (charging/receivers.py, charging/services/charges.py):
raised inside the bookings service's transaction, with the sector and the fees at the time,
one per booking whatever the register says next, and the data migration that turns the
late-cancellation reviews made before charging existed into charges."""

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from accounts.models import Sector
from accounts.roles import Role
from bookings import services
from bookings.models import Booking, BookingStatus
from charging.models import Charge, ChargeStatus, Invoice, InvoiceLine
from core.exceptions import DomainError
from core.models import AuditEntry, Partnership
from courses.models import Length
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def officer(make_user):
    return make_user(Role.OFFICER)


def delegate_of(sector, name="Bright Futures Nurseries Ltd"):
    return UserFactory(organisation=OrganisationFactory(name=name, sector=sector))


def christmas_booking(sector=Sector.STATUTORY, length=Length.FULL_DAY):
    """A place on Tuesday 29 December 2026 (25 and 28 December are bank holidays)."""
    event = EventFactory(course=CourseFactory(length=length),
                         start=london(2026, 12, 29, 9, 30))
    booking = BookingFactory(event=event, delegate=delegate_of(sector))
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    return booking


def started_booking(sector=Sector.STATUTORY, length=Length.FULL_DAY):
    start = timezone.now() - timedelta(hours=1)
    event = EventFactory(course=CourseFactory(length=length), start=start,
                         end=start + timedelta(hours=7))
    booking = BookingFactory(event=event, delegate=delegate_of(sector))
    event.places_taken = 1
    event.save(update_fields=["places_taken"])
    return booking


def mark(booking, officer, outcome, **kwargs):
    return services.attendance_mark(booking=booking, by=officer, outcome=outcome,
                                    now=timezone.now(), **kwargs)


# Late cancellation -----------------------------------------------------------------------------

def test_a_late_cancellation_raises_a_charge_waiting_for_the_officer():
    booking = christmas_booking(Sector.VOLUNTARY)
    services.late_cancellation_request(booking=booking, by=booking.delegate, reason="illness",
                                       detail="", now=london(2026, 12, 21, 9, 0))
    charge = Charge.objects.get(booking=booking)
    assert charge.status == ChargeStatus.PENDING
    assert (charge.kind, charge.amount) == ("late_cancellation", Decimal("100.00"))
    assert charge.reason == "Late cancellation: 4 working days' notice, fewer than 5 (full day)"
    assert charge.organisation == booking.organisation and charge.sector == "voluntary"
    assert AuditEntry.objects.filter(action="charge.create", target_id=str(charge.pk)).exists()


def test_an_in_time_cancellation_raises_no_charge():
    booking = christmas_booking(Sector.PRIVATE)
    services.booking_cancel(booking=booking, by=booking.delegate, now=london(2026, 12, 18, 9, 0))
    assert not Charge.objects.exists()


def test_the_half_day_fee_and_the_fee_at_the_time_are_used():
    partnership = Partnership.load()
    partnership.fee_late_cancellation_half_day = Decimal("40.00")
    partnership.save()
    booking = christmas_booking(Sector.PRIVATE, Length.HALF_DAY)
    services.late_cancellation_request(booking=booking, by=booking.delegate, reason="illness",
                                       detail="", now=london(2026, 12, 24, 9, 0))
    partnership.fee_late_cancellation_half_day = Decimal("60.00")  # changed later
    partnership.save()
    charge = Charge.objects.get(booking=booking)
    assert charge.amount == Decimal("40.00")
    assert charge.reason.endswith("(half day or less)")


def test_a_charge_that_cannot_be_recorded_refuses_the_cancellation(monkeypatch):
    """Inside the transaction: no late cancellation without its charge (nothing is lost)."""
    booking = christmas_booking()

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("charging.receivers.charge_sync_for_booking", broken)
    with pytest.raises(RuntimeError):
        services.late_cancellation_request(booking=booking, by=booking.delegate,
                                           reason="illness", detail="",
                                           now=london(2026, 12, 21, 9, 0))
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.BOOKED
    assert not Charge.objects.exists()


# The register ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sector, amount", [
    (Sector.STATUTORY, None), (Sector.VOLUNTARY, None), (Sector.CHILDMINDER, None),
    (Sector.PRIVATE, Decimal("75.00"))], ids=["statutory", "voluntary", "childminder", "private"])
def test_attending_charges_private_organisations_only(officer, sector, amount):
    booking = started_booking(sector)
    mark(booking, officer, "attended")
    charge = Charge.objects.filter(booking=booking).first()
    if amount is None:
        assert charge is None
    else:
        assert (charge.kind, charge.amount, charge.status) == ("attendance", amount, "applied")


def test_a_no_show_without_contact_applies_and_with_contact_waits(officer):
    without = started_booking()
    mark(without, officer, "no_show", contacted_team=False)
    with_contact = started_booking()
    mark(with_contact, officer, "no_show", contacted_team=True)
    assert Charge.objects.get(booking=without).status == ChargeStatus.APPLIED
    waiting = Charge.objects.get(booking=with_contact)
    assert waiting.status == ChargeStatus.PENDING
    assert "having contacted the training team" in waiting.reason


@pytest.mark.parametrize("length, minutes, charged", [
    (Length.FULL_DAY, 30, False), (Length.FULL_DAY, 31, True),
    (Length.HALF_DAY, 15, False), (Length.HALF_DAY, 16, True)],
    ids=["full-30-admitted", "full-31-not-admitted", "half-15-admitted", "half-16-not-admitted"])
def test_arriving_late_without_contact(officer, length, minutes, charged):
    booking = started_booking(Sector.STATUTORY, length)
    marked = mark(booking, officer, "late", minutes_late=minutes, contacted_team=False)
    charge = Charge.objects.filter(booking=booking).first()
    assert (marked.status == BookingStatus.NOT_ADMITTED) is charged
    if charged:
        assert charge.kind == "not_admitted" and charge.status == ChargeStatus.APPLIED
        assert charge.amount == (Decimal("100.00") if length == Length.FULL_DAY
                                 else Decimal("50.00"))
    else:
        assert charge is None


def test_correcting_the_register_keeps_one_charge(officer):
    booking = started_booking(Sector.PRIVATE)
    mark(booking, officer, "attended")
    first = Charge.objects.get(booking=booking)
    assert first.kind == "attendance"

    mark(booking, officer, "no_show", contacted_team=True)
    assert Charge.objects.filter(booking=booking).count() == 1
    charge = Charge.objects.get(booking=booking)
    assert charge.pk == first.pk
    assert (charge.kind, charge.amount, charge.status) == ("no_show", Decimal("100.00"),
                                                           "pending")
    assert AuditEntry.objects.filter(action="charge.redetermine",
                                     target_id=str(charge.pk)).exists()

    mark(booking, officer, "attended")
    charge.refresh_from_db()
    assert (charge.kind, charge.amount, charge.status) == ("attendance", Decimal("75.00"),
                                                           "applied")


def test_a_correction_to_no_charge_withdraws_the_uninvoiced_charge(officer):
    booking = started_booking(Sector.STATUTORY)
    mark(booking, officer, "no_show", contacted_team=False)
    assert Charge.objects.filter(booking=booking).exists()
    mark(booking, officer, "attended")
    assert not Charge.objects.filter(booking=booking).exists()
    assert AuditEntry.objects.filter(action="charge.withdraw").exists()


def test_an_officers_decision_survives_a_correction_that_changes_nothing_owed(officer):
    from charging.services.charges import charge_decide

    booking = started_booking(Sector.STATUTORY)
    mark(booking, officer, "late", minutes_late=40, contacted_team=False)
    charge = Charge.objects.get(booking=booking)
    charge_decide(charge=charge, by=officer, apply=False, waiver_reason="illness",
                  note="Migraine", now=timezone.now())
    mark(booking, officer, "late", minutes_late=50, contacted_team=False)  # typed again
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.WAIVED and charge.waiver_reason == "illness"
    assert "arrived 50 minutes late" in charge.reason


def invoice_for(charge, number="SP-2026-00001"):
    invoice = Invoice.objects.create(
        number=number, organisation=charge.organisation, issued_on=timezone.localdate(),
        due_on=timezone.localdate() + timedelta(days=30),
        organisation_name=charge.organisation.name, partnership_name="Safeguarding Partnership",
        total=charge.amount)
    InvoiceLine.objects.create(invoice=invoice, charge=charge, delegate_name="Someone",
                               course_title="Course", event_date=timezone.localdate(),
                               reason=charge.reason, amount=charge.amount)
    return invoice


def test_an_invoiced_charge_refuses_a_register_correction(officer):
    booking = started_booking(Sector.PRIVATE)
    mark(booking, officer, "attended")
    invoice_for(Charge.objects.get(booking=booking))
    with pytest.raises(DomainError, match="is on invoice SP-2026-00001: issue a credit note"):
        mark(booking, officer, "no_show", contacted_team=False)
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ATTENDED
    assert Charge.objects.get(booking=booking).kind == "attendance"


def test_the_sector_at_the_time_stays_with_the_charge(officer):
    booking = started_booking(Sector.PRIVATE)
    mark(booking, officer, "attended")
    organisation = booking.organisation
    organisation.sector = Sector.VOLUNTARY  # it changes sector afterwards
    organisation.save()
    mark(booking, officer, "no_show", contacted_team=False)
    charge = Charge.objects.get(booking=booking)
    assert charge.sector == "private" and charge.kind == "no_show"


def test_substitution_never_charges(officer):
    booking = christmas_booking(Sector.PRIVATE)
    colleague = UserFactory(organisation=booking.organisation)
    offer = services.booking_substitute(booking=booking, by=booking.delegate,
                                        to_email=colleague.email, now=london(2026, 12, 28, 9, 0))
    services.substitution_accept(substitution=offer, user=colleague,
                                 now=london(2026, 12, 28, 9, 5))
    assert not Charge.objects.exists()


# The data migration ----------------------------------------------------------------------------

def test_the_migration_turns_late_cancellation_reviews_into_charges(officer):
    migration = importlib.import_module(
        "charging.migrations.0002_late_cancellation_reviews_to_charges")
    half = EventFactory(course=CourseFactory(length=Length.HALF_DAY))

    def late(**fields):
        return BookingFactory(status=BookingStatus.LATE_CANCELLED, notice_working_days=2,
                              cancelled_at=timezone.now(), late_cancellation_reason="other",
                              late_cancellation_detail="Car broke down", **fields)

    applied = late(late_cancellation_reviewed_at=timezone.now(),
                   late_cancellation_reviewed_by=officer,
                   late_cancellation_charge_recommended=True,
                   late_cancellation_review_note="Not a reason we accept.")
    waived = late(event=half, late_cancellation_reviewed_at=timezone.now(),
                  late_cancellation_reviewed_by=officer,
                  late_cancellation_charge_recommended=False,
                  late_cancellation_review_note="Sick child: accepted.")
    waiting = late()
    nobody = late(delegate=UserFactory(organisation=None), organisation=None)
    BookingFactory(status=BookingStatus.CANCELLED)  # in time: nothing

    migration.late_cancellations_to_charges(django_apps, None)
    migration.late_cancellations_to_charges(django_apps, None)  # again: nothing twice

    assert Charge.objects.count() == 3
    charge = Charge.objects.get(booking=applied)
    assert (charge.status, charge.amount, charge.decided_by) == ("applied", Decimal("100.00"),
                                                                 officer)
    assert charge.reason == "Late cancellation: 2 working days' notice, fewer than 5 (full day)"
    charge = Charge.objects.get(booking=waived)
    assert (charge.status, charge.waiver_reason, charge.amount) == ("waived", "other",
                                                                    Decimal("50.00"))
    assert charge.decision_note == "Sick child: accepted."
    assert Charge.objects.get(booking=waiting).status == "pending"
    assert not Charge.objects.filter(booking=nobody).exists()
