"""The DSPP charging policy (charging/policies.py) at its boundaries, without a database: every
row of DOMAIN.md's charges table, notice across Christmas 2026 and Easter 2027, the
late-arrival minutes, each sector, substitution, one charge per booking, and the numbers
coming from the settings rather than from the code."""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from charging import policies
from charging.policies import ChargeSettings, cancellation_cost_preview, charge_for
from core.calendar import cancellation_notice

LONDON = ZoneInfo("Europe/London")
FULL, HALF = policies.FULL_DAY, policies.HALF_DAY
SECTORS = ["statutory", "voluntary", "childminder", "private"]

# The seeds' numbers, as the Partnership model's defaults (read through ChargeSettings.of, the
# way the services read them).
DSPP = ChargeSettings.of(SimpleNamespace(
    notice_working_days=5, late_minutes_full_day=30, late_minutes_half_day=15,
    fee_attendance_full_day=Decimal("75.00"), fee_attendance_half_day=Decimal("25.00"),
    fee_late_cancellation_full_day=Decimal("100.00"),
    fee_late_cancellation_half_day=Decimal("50.00"),
    fee_no_show_full_day=Decimal("100.00"), fee_no_show_half_day=Decimal("50.00"),
    fee_not_admitted_full_day=Decimal("100.00"), fee_not_admitted_half_day=Decimal("50.00"),
))


def london(*args):
    return datetime(*args, tzinfo=LONDON)


def notice(cancelled, event):
    return cancellation_notice(cancelled_on=cancelled, event_starts=event, required=5).working_days


# Late cancellation: 5 vs 4 working days across Christmas 2026 and Easter 2027 ---------------

CHRISTMAS = london(2026, 12, 29, 9, 30)  # Tuesday; 25 and 28 December are bank holidays
EASTER = london(2027, 4, 1, 9, 30)  # Thursday; Good Friday 26 March, Easter Monday 29 March

NOTICE_CASES = [
    (london(2026, 12, 18, 16, 0), CHRISTMAS, FULL, 5, None),
    (london(2026, 12, 21, 9, 0), CHRISTMAS, FULL, 4, Decimal("100.00")),
    (london(2026, 12, 21, 9, 0), CHRISTMAS, HALF, 4, Decimal("50.00")),
    (london(2026, 12, 24, 9, 0), CHRISTMAS, FULL, 1, Decimal("100.00")),
    (london(2027, 3, 23, 9, 0), EASTER, FULL, 5, None),
    (london(2027, 3, 24, 9, 0), EASTER, FULL, 4, Decimal("100.00")),
    (london(2027, 3, 24, 9, 0), EASTER, HALF, 4, Decimal("50.00")),
    (london(2027, 3, 26, 9, 0), EASTER, HALF, 2, Decimal("50.00")),  # Good Friday
]
NOTICE_IDS = [
    "christmas-fri-18-dec-5-days-free", "christmas-mon-21-dec-4-days-full-100",
    "christmas-mon-21-dec-4-days-half-50", "christmas-eve-1-day-full-100",
    "easter-tue-23-mar-5-days-free", "easter-wed-24-mar-4-days-full-100",
    "easter-wed-24-mar-4-days-half-50", "easter-good-friday-2-days-half-50",
]


@pytest.mark.parametrize("cancelled, event, length, days, amount", NOTICE_CASES, ids=NOTICE_IDS)
@pytest.mark.parametrize("sector", SECTORS)
def test_late_cancellation_at_the_notice_boundary(cancelled, event, length, days, amount,
                                                  sector):
    assert notice(cancelled, event) == days
    # The booking service makes a late cancellation only below 5 days; the policy agrees
    # whatever it is given, and so does the preview the cancellation page shows.
    decision = charge_for(outcome="late_cancelled", sector=sector, length=length,
                          notice_working_days=days, settings=DSPP)
    preview = cancellation_cost_preview(notice_working_days=days, length=length, settings=DSPP)
    if amount is None:
        assert decision is None
        assert preview.in_time and preview.amount == 0
        assert "free" in preview.text
        return
    assert decision.kind == "late_cancellation"
    assert decision.amount == amount
    assert decision.needs_decision and not decision.applies_by_default  # the officer decides
    day = "half day or less" if length == HALF else "full day"
    days_words = "1 working day's" if days == 1 else f"{days} working days'"
    assert decision.reason == f"Late cancellation: {days_words} notice, fewer than 5 ({day})"
    assert not preview.in_time and preview.amount == amount
    assert preview.text.startswith("Less than 5 working days before the event: your "
                                   f"organisation may be charged £{amount:.0f}, decided by the "
                                   "training team.")


def test_the_reason_reads_as_the_issue_says():
    decision = charge_for(outcome="late_cancelled", sector="statutory", length=FULL,
                          notice_working_days=4, settings=DSPP)
    assert decision.reason == "Late cancellation: 4 working days' notice, fewer than 5 (full day)"


# Late arrival: 30 vs 31 minutes on a full day, 15 vs 16 on a half day ------------------------

ARRIVAL_CASES = [
    (FULL, 30, False, None),
    (FULL, 31, False, Decimal("100.00")),
    (FULL, 31, True, None),  # contacting the team admits them
    (FULL, 120, False, Decimal("100.00")),
    (HALF, 15, False, None),
    (HALF, 16, False, Decimal("50.00")),
    (HALF, 16, True, None),
    (FULL, None, None, Decimal("100.00")),  # marked not admitted, minutes not recorded
]
ARRIVAL_IDS = ["full-30-admitted", "full-31-no-contact-100", "full-31-contacted-admitted",
               "full-120-100", "half-15-admitted", "half-16-no-contact-50",
               "half-16-contacted-admitted", "full-not-admitted-minutes-unknown-100"]


@pytest.mark.parametrize("length, minutes, contacted, amount", ARRIVAL_CASES, ids=ARRIVAL_IDS)
@pytest.mark.parametrize("sector", SECTORS)
def test_not_admitted_after_arriving_too_late(length, minutes, contacted, amount, sector):
    decision = charge_for(outcome="not_admitted", sector=sector, length=length,
                          minutes_late=minutes, contacted_team=contacted, settings=DSPP)
    if amount is None:
        assert decision is None
        return
    assert decision.kind == "not_admitted" and decision.amount == amount
    assert decision.applies_by_default and not decision.needs_decision  # unless waived
    if minutes is not None:
        limit = 15 if length == HALF else 30
        assert f"arrived {minutes} minutes late without contacting the training team" in \
            decision.reason
        assert f"more than {limit}" in decision.reason


@pytest.mark.parametrize("minutes, length", [(30, FULL), (15, HALF)],
                         ids=["full-exactly-30", "half-exactly-15"])
def test_admitted_at_exactly_the_limit_pays_only_the_attendance_fee(minutes, length):
    # Admitted, so the booking is "attended": the private organisation pays to attend.
    private = charge_for(outcome="attended", sector="private", length=length,
                         minutes_late=minutes, contacted_team=False, settings=DSPP)
    assert private.kind == "attendance"
    assert private.amount == (Decimal("75.00") if length == FULL else Decimal("25.00"))
    assert charge_for(outcome="attended", sector="statutory", length=length,
                      minutes_late=minutes, contacted_team=False, settings=DSPP) is None


# No-show: without contact it applies unless waived; with contact it waits --------------------

@pytest.mark.parametrize("contacted, waits", [(False, False), (None, False), (True, True)],
                         ids=["no-contact-applies", "contact-not-recorded-applies",
                              "contacted-waits-for-officer"])
@pytest.mark.parametrize("length, amount", [(FULL, Decimal("100.00")), (HALF, Decimal("50.00"))],
                         ids=["full-100", "half-50"])
@pytest.mark.parametrize("sector", SECTORS)
def test_no_show(contacted, waits, length, amount, sector):
    decision = charge_for(outcome="no_show", sector=sector, length=length,
                          contacted_team=contacted, settings=DSPP)
    assert decision.kind == "no_show" and decision.amount == amount
    assert decision.needs_decision is waits
    assert decision.applies_by_default is not waits
    assert ("having contacted" in decision.reason) is waits


# Attendance: private / profit-making organisations only ---------------------------------------

@pytest.mark.parametrize("sector, length, amount", [
    ("statutory", FULL, None), ("voluntary", FULL, None), ("childminder", FULL, None),
    ("statutory", HALF, None), ("voluntary", HALF, None), ("childminder", HALF, None),
    ("private", FULL, Decimal("75.00")), ("private", HALF, Decimal("25.00")),
], ids=["statutory-free", "voluntary-free", "childminder-free", "statutory-half-free",
        "voluntary-half-free", "childminder-half-free", "private-full-75", "private-half-25"])
def test_attendance_by_sector(sector, length, amount):
    decision = charge_for(outcome="attended", sector=sector, length=length, settings=DSPP)
    if amount is None:
        assert decision is None
        assert policies.attendance_fee_preview(sector=sector, length=length,
                                               settings=DSPP) is None
        return
    assert (decision.kind, decision.amount) == ("attendance", amount)
    assert decision.applies_by_default and not decision.needs_decision
    assert "private or profit-making" in decision.reason
    preview = policies.attendance_fee_preview(sector=sector, length=length, settings=DSPP,
                                              organisation_name="Bright Futures Nurseries Ltd")
    assert preview.amount == amount
    assert f"charged £{amount:.0f}" in preview.text
    assert preview.text.startswith("Bright Futures Nurseries Ltd is a private")


# Never charged ----------------------------------------------------------------------------------

@pytest.mark.parametrize("outcome", ["cancelled", "substituted", "booked", "waitlisted",
                                     "offer_expired"])
@pytest.mark.parametrize("sector", SECTORS)
def test_in_time_cancellation_and_substitution_never_charge(outcome, sector):
    for length in (FULL, HALF):
        assert charge_for(outcome=outcome, sector=sector, length=length, notice_working_days=0,
                          minutes_late=200, contacted_team=False, settings=DSPP) is None


def test_one_charge_per_booking_a_private_late_canceller_pays_the_late_fee_only():
    """A booking has one final state and charge_for answers one decision for it: the private
    delegate who cancels late is charged the late-cancellation fee, never attendance too."""
    decision = charge_for(outcome="late_cancelled", sector="private", length=FULL,
                          notice_working_days=2, settings=DSPP)
    assert isinstance(decision, policies.ChargeDecision)
    assert (decision.kind, decision.amount) == ("late_cancellation", Decimal("100.00"))


# The numbers are the settings' ------------------------------------------------------------------

def test_every_number_comes_from_the_settings():
    odd = replace(DSPP, notice_working_days=3, late_minutes_full_day=45,
                  fee_attendance_full_day=Decimal("80.50"),
                  fee_late_cancellation_half_day=Decimal("42.00"),
                  fee_no_show_full_day=Decimal("120.00"),
                  fee_not_admitted_half_day=Decimal("60.00"))
    assert charge_for(outcome="attended", sector="private", length=FULL,
                      settings=odd).amount == Decimal("80.50")
    assert charge_for(outcome="late_cancelled", sector="voluntary", length=FULL,
                      notice_working_days=3, settings=odd) is None  # 3 is enough now
    late = charge_for(outcome="late_cancelled", sector="voluntary", length=HALF,
                      notice_working_days=2, settings=odd)
    assert late.amount == Decimal("42.00") and "fewer than 3" in late.reason
    assert charge_for(outcome="no_show", sector="statutory", length=FULL,
                      settings=odd).amount == Decimal("120.00")
    assert charge_for(outcome="not_admitted", sector="statutory", length=FULL, minutes_late=45,
                      contacted_team=False, settings=odd) is None
    assert charge_for(outcome="not_admitted", sector="statutory", length=HALF, minutes_late=16,
                      contacted_team=False, settings=odd).amount == Decimal("60.00")
    preview = cancellation_cost_preview(notice_working_days=1, length=FULL, settings=odd,
                                        organisation_name="Dudley MBC")
    assert "Less than 3 working days" in preview.text and "Dudley MBC may be charged £100" in \
        preview.text
    assert policies.money(Decimal("80.50")) == "£80.50"


def test_a_fee_set_to_nothing_charges_nothing():
    free = replace(DSPP, fee_no_show_full_day=Decimal("0.00"))
    assert charge_for(outcome="no_show", sector="private", length=FULL, settings=free) is None


def test_a_place_not_confirmed_yet_is_free_to_withdraw():
    preview = cancellation_cost_preview(notice_working_days=0, length=FULL, settings=DSPP,
                                        confirmed=False)
    assert preview.in_time and preview.amount == 0
