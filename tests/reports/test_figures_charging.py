"""The charges section of the quarterly report (reports.figures.charging) for a seeded quarter,
July to September 2026, against hand-computed totals; what happened in the quarter before
must not count; the same number of queries for ten times the data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Sector
from charging.models import Charge, ChargeStatus, CreditNote, CreditNoteLine, Payment
from core.models import Partnership
from courses.models import Audience
from reports.figures import charging
from reports.periods import Period
from tests.charging.test_payments import invoice_make
from tests.factories import BookingFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
QUARTER = Period(date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


def charge(organisation, kind, amount, created_at, *, status=ChargeStatus.APPLIED,
           decided_at=None, waiver_reason="", booking_status="attended"):
    booking = BookingFactory(delegate=UserFactory(organisation=organisation),
                             organisation=organisation, status=booking_status)
    return Charge.objects.create(
        booking=booking, organisation=organisation, sector=organisation.sector, kind=kind,
        amount=amount, reason="From the policy", status=status, created_at=created_at,
        decided_at=decided_at, waiver_reason=waiver_reason)


@pytest.fixture
def orgs(db):
    return {"private": OrganisationFactory(name="Bright Sparks Nursery Ltd",
                                           sector=Sector.PRIVATE),
            "statutory": OrganisationFactory(name="Dudley Council", sector=Sector.STATUTORY)}


@pytest.fixture
def quarter(orgs):
    p, s = orgs["private"], orgs["statutory"]
    # Raised in the quarter: 5 charges, £350.00.
    charge(p, "attendance", "75.00", at(2026, 7, 1, 0, 30))  # 30 June in UTC: still July
    charge(p, "attendance", "25.00", at(2026, 8, 3, 10, 0))
    charge(s, "late_cancellation", "100.00", at(2026, 8, 4, 10, 0), status=ChargeStatus.PENDING,
           booking_status="late_cancelled")
    charge(s, "no_show", "50.00", at(2026, 8, 5, 10, 0), status=ChargeStatus.WAIVED,
           decided_at=at(2026, 8, 20, 10, 0), waiver_reason="illness", booking_status="no_show")
    charge(s, "not_admitted", "100.00", at(2026, 9, 30, 23, 30),
           booking_status="not_admitted")
    # Raised in June: not raised this quarter; the one waived on 5 July is waived this quarter.
    charge(s, "no_show", "100.00", at(2026, 6, 20, 10, 0), status=ChargeStatus.WAIVED,
           decided_at=at(2026, 7, 5, 10, 0), waiver_reason="service_users",
           booking_status="no_show")
    charge(p, "late_cancellation", "50.00", at(2026, 6, 30, 23, 30),
           booking_status="late_cancelled")
    # Raised on 1 October: the next quarter.
    charge(s, "no_show", "100.00", at(2026, 10, 1, 0, 10), booking_status="no_show")
    # Invoices (their lines' charges are raised today, November: not this quarter's charges).
    august = invoice_make(organisation=p, issued_on=date(2026, 8, 15),
                          amounts=["75.00", "25.00"])
    june = invoice_make(organisation=p, issued_on=date(2026, 6, 28), amounts=["50.00"])
    note = CreditNote.objects.create(number="CN-1", invoice=august, issued_on=date(2026, 9, 1),
                                     reason="Attended for the council", total="25.00")
    CreditNoteLine.objects.create(credit_note=note, invoice_line=august.lines.last(),
                                  amount="25.00")
    Payment.objects.create(invoice=august, received_on=date(2026, 9, 10), amount="75.00",
                           method="bacs")
    Payment.objects.create(invoice=june, received_on=date(2026, 7, 2), amount="30.00",
                           method="bacs")
    Payment.objects.create(invoice=june, received_on=date(2026, 6, 30), amount="20.00",
                           method="bacs")  # the quarter before
    return {"august": august, "june": june}


def figures(period=QUARTER, audience=None, partnership=None):
    partnership = partnership or Partnership.load()
    return {t["key"]: t for t in charging.tables(period, audience=audience,
                                                partnership=partnership)}


def cells(tbl, label):
    return next(r["cells"] for r in tbl["rows"] if r["label"] == label)


def test_raised_waived_invoiced_credited_and_paid(quarter):
    summary = figures()["charges-summary"]
    assert [(r["label"], r["cells"]) for r in summary["rows"]] == [
        # 75 + 25 + 100 + 50 + 100
        ("Charges raised", {"number": 5, "amount": "350.00"}),
        # 50 (illness, decided in August) + 100 (raised in June, waived on 5 July)
        ("Charges waived", {"number": 2, "amount": "150.00"}),
        ("Invoices issued", {"number": 1, "amount": "100.00"}),  # not June's £50
        ("Credit notes issued", {"number": 1, "amount": "25.00"}),
        ("Payments received", {"number": 2, "amount": "105.00"}),  # 75 + 30, not June's 20
    ]
    assert [c["kind"] for c in summary["columns"]] == ["count", "money"]


def test_charges_by_kind_with_what_became_of_them(quarter):
    kinds = figures()["charges-by-kind"]
    assert cells(kinds, "Attendance") == {"raised": 2, "raised_amount": "100.00",
                                          "applied_amount": "100.00", "pending": 0,
                                          "waived": 0}
    assert cells(kinds, "Late cancellation") == {"raised": 1, "raised_amount": "100.00",
                                                 "applied_amount": "0.00", "pending": 1,
                                                 "waived": 0}
    assert cells(kinds, "Did not attend") == {"raised": 1, "raised_amount": "50.00",
                                              "applied_amount": "0.00", "pending": 0,
                                              "waived": 1}
    assert kinds["total"]["cells"] == {"raised": 5, "raised_amount": "350.00",
                                       "applied_amount": "200.00", "pending": 1, "waived": 1}


def test_waivers_by_reason_and_charges_by_sector(quarter):
    tables = figures()
    waived = tables["charges-waived"]
    assert cells(waived, "Illness") == {"waived": 1, "waived_amount": "50.00"}
    assert cells(waived, "Reasons relating to service users") == {"waived": 1,
                                                                  "waived_amount": "100.00"}
    assert cells(waived, "Other") == {"waived": 0, "waived_amount": "0.00"}
    assert waived["small_groups"] is True
    sectors = tables["charges-by-sector"]
    assert cells(sectors, "Private or profit-making organisation") == {
        "raised": 2, "raised_amount": "100.00", "waived": 0, "waived_amount": "0.00",
        "invoiced": 2, "invoiced_amount": "100.00"}
    assert cells(sectors, "Statutory agency") == {
        "raised": 3, "raised_amount": "250.00", "waived": 2, "waived_amount": "150.00",
        "invoiced": 0, "invoiced_amount": "0.00"}
    assert sectors["total"]["cells"]["raised_amount"] == "350.00"


def test_the_quarter_before_counts_its_own(quarter):
    before = Period(date(2026, 4, 1), date(2026, 6, 30), "April to June 2026")
    summary = figures(before)["charges-summary"]
    assert [r["cells"] for r in summary["rows"]] == [
        {"number": 2, "amount": "150.00"},  # the June no-show and late cancellation
        {"number": 0, "amount": "0.00"},
        {"number": 1, "amount": "50.00"},
        {"number": 0, "amount": "0.00"},
        {"number": 1, "amount": "20.00"},
    ]


def test_an_annual_part_counts_its_courses_and_no_payments(quarter):
    summary = figures(audience=Audience.ADULTS)["charges-summary"]
    # Every course of the factories is joint: nothing for adults.
    assert cells(summary, "Charges raised") == {"number": 0, "amount": "0.00"}
    assert cells(summary, "Payments received") == {"number": None, "amount": None}
    joint = figures(audience=Audience.JOINT)["charges-summary"]
    assert cells(joint, "Charges raised") == {"number": 5, "amount": "350.00"}
    assert cells(joint, "Invoices issued") == {"number": 1, "amount": "100.00"}


def test_the_same_queries_for_ten_times_the_data(orgs, quarter):
    def more(n):
        for i in range(n):
            charge(orgs["statutory"], "no_show", "50.00", at(2026, 8, 6, 10, i),
                   status=ChargeStatus.WAIVED, decided_at=at(2026, 8, 7, 10, 0),
                   waiver_reason="other", booking_status="no_show")
        invoice_make(organisation=orgs["private"], issued_on=date(2026, 9, 2),
                     amounts=["75.00"] * n)

    more(1)
    partnership = Partnership.load()
    with CaptureQueriesContext(connection) as small:
        figures(partnership=partnership)
    more(10)
    with CaptureQueriesContext(connection) as large:
        tables = figures(partnership=partnership)
    assert len(large) == len(small) <= 6
    assert cells(tables["charges-waived"], "Other")["waived"] == 11


def test_no_name_in_any_table(quarter):
    names = set()
    for c in Charge.objects.select_related("booking__delegate"):
        names |= {c.booking.delegate.first_name, c.booking.delegate.last_name,
                  c.booking.delegate.email}
    text = repr(charging.tables(QUARTER, partnership=Partnership.load()))
    assert not [n for n in names if n in text]
