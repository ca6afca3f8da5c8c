"""Reviewer R1: the figures, the suppression and the builder checked from outside. A quarter
seeded here (July to September 2026) with the awkward cases worked out by hand; attacks on
the suppression with the snapshot in hand; the cost of suppression on a large report."""

import random
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Sector
from charging.models import Charge, ChargeStatus
from courses.models import Audience, EventStatus, Format, Level
from evaluations.models import QuestionType
from reports import privacy
from reports.build import build_snapshot
from reports.figures import activity, attendance, evaluation
from reports.figures.attendance import _table
from reports.periods import Period
from reports.tables import find_table, is_suppressed, row, table
from tests.factories import (
    BookingFactory,
    CourseFactory,
    EventFactory,
    OrganisationFactory,
    UserFactory,
)

LONDON = ZoneInfo("Europe/London")
QUARTER = Period(date(2026, 7, 1), date(2026, 9, 30), "July to September 2026")


def cells(tbl, key):
    return {r["label"]: r["cells"][key] for r in tbl["rows"]}


def _event(course, start, capacity, **kwargs):
    return EventFactory(course=course, start=start, end=start + timedelta(hours=3),
                        capacity=capacity, **kwargs)


def _book(event, org, status, n=1, **kwargs):
    return [BookingFactory(event=event, delegate=UserFactory(organisation=org),
                           organisation=org, status=status, **kwargs) for _ in range(n)]


@pytest.fixture
def seeded(db):
    """E0 starts 1 July 00:30 BST (30 June 23:30 UTC): in the quarter. E9 starts 1 October
    00:30 BST (30 September 23:30 UTC): not. E1 (10 places): council 4 attended, 1 no-show,
    1 cancelled in time; charity 3 attended, 1 substituted by a colleague (who attended),
    1 moved to E2. E2 (6 places): the moved place attended, charity 1 late cancellation.
    EX (8 places) cancelled, with 2 bookings cancelled. E0 (5 places): council 5 attended.
    Offered 21 places; booked 4+1 + 3+1 + 1+1 + 5 = 16; attended 4+3+1+1+5 = 14."""
    council = OrganisationFactory(name="Dudley Council", sector=Sector.STATUTORY,
                                  kind="Council")
    charity = OrganisationFactory(name="Dudley Carers", sector=Sector.VOLUNTARY,
                                  kind="Charity")
    course = CourseFactory(title="Working Together", level=Level.LEVEL_2,
                           audience=Audience.CHILDREN, format=Format.CLASSROOM)
    e0 = _event(course, datetime(2026, 6, 30, 23, 30, tzinfo=UTC), 5)
    e1 = _event(course, datetime(2026, 8, 10, 9, 0, tzinfo=UTC), 10)
    e2 = _event(course, datetime(2026, 9, 10, 9, 0, tzinfo=UTC), 6)
    ex = _event(course, datetime(2026, 8, 20, 9, 0, tzinfo=UTC), 8,
                status=EventStatus.CANCELLED)
    e9 = _event(course, datetime(2026, 9, 30, 23, 30, tzinfo=UTC), 9)
    _book(e0, council, "attended", 5)
    _book(e1, council, "attended", 4)
    _book(e1, council, "no_show", 1, contacted_team=True)
    _book(e1, council, "cancelled", 1)
    _book(e1, charity, "attended", 3)
    _book(e1, charity, "substituted", 1)
    _book(e1, charity, "attended", 1)  # the colleague who came instead
    [new] = _book(e2, charity, "attended", 1)
    _book(e1, charity, "moved", 1, moved_to=new)
    _book(e2, charity, "late_cancelled", 1)
    _book(ex, council, "cancelled", 2)
    _book(e9, council, "attended", 3)
    return {"council": council, "charity": charity, "course": course}


def test_a_seeded_quarter_hand_computed_and_consistent_between_sections(seeded):
    f = activity.counts(QUARTER)
    assert (f["delivered"], f["cancelled"], f["places"]) == (3, 1, 21)
    assert (f["booked"], f["attended"], f["no_show"], f["late_cancelled"]) == (16, 14, 1, 1)
    assert f["cancelled_in_time"] == 1  # the cancelled event's 2 bookings are not counted
    headline = activity.tables(QUARTER, partnership=None)[0]
    rates = cells(headline, "rate")
    assert rates["Attended (fill rate)"] == pytest.approx(14 / 21)
    assert rates["No-shows"] == pytest.approx(1 / 16)
    assert rates["Events cancelled"] == pytest.approx(1 / 4)
    tables = {t["key"]: t for t in attendance.tables(QUARTER, partnership=None)}
    sectors = tables["attendance-by-sector"]
    assert cells(sectors, "attended")["Statutory agency"] == 9
    assert cells(sectors, "attended")["Voluntary or community organisation"] == 5
    assert cells(sectors, "booked")["Voluntary or community organisation"] == 6
    for key, tbl in tables.items():  # every breakdown adds up to the headline
        assert tbl["total"]["cells"]["attended"] == f["attended"], key
        assert tbl["total"]["cells"]["booked"] == f["booked"], key


@pytest.mark.django_db
def test_the_same_number_of_queries_for_every_section_and_the_annual_report():
    def more(n):
        for i in range(n):
            org = OrganisationFactory()
            start = datetime(2026, 8, 3 + i % 20, 8, 30, tzinfo=UTC)
            event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=20)
            for status in ("attended", "no_show", "late_cancelled", "waitlisted"):
                BookingFactory(event=event, delegate=UserFactory(organisation=org),
                               status=status)

    more(2)
    with CaptureQueriesContext(connection) as small:
        build_snapshot("quarterly", QUARTER.start, QUARTER.end)
    with CaptureQueriesContext(connection) as small_year:
        build_snapshot("annual", date(2026, 4, 1), date(2027, 3, 31))
    more(18)
    with CaptureQueriesContext(connection) as large:
        build_snapshot("quarterly", QUARTER.start, QUARTER.end)
    with CaptureQueriesContext(connection) as large_year:
        build_snapshot("annual", date(2026, 4, 1), date(2027, 3, 31))
    assert len(large) == len(small)
    assert len(large_year) == len(small_year)


# Attacks on the suppression -------------------------------------------------------------------

def _snapshot(tables):
    return {"threshold": 3, "parts": [{"key": "all", "sections": [{"tables": tables}]}]}


def test_top_two_points_do_not_give_a_hidden_answer_count_away(monkeypatch):
    """Stage 2: 10 respondents rated 5 twice, 4 six times, 3 twice. The "5" and "3" counts
    are under 3; if the summary still showed "rated in the top two points: 8" (and the
    mean), 8 - 6 would give the hidden 2 back."""
    question = {"version": 1, "text": "How much has the course changed how you work?",
                "type": QuestionType.RATING, "position": 0, "scale_max": 5, "min_label": "",
                "max_label": "", "choices": [],
                "values": [{"value_int": v, "n": n} for v, n in ((5, 2), (4, 6), (3, 2))]}
    monkeypatch.setattr(evaluation, "_impact_questions",
                        lambda period, audience: {("practice", 5): question})
    data = _snapshot(evaluation.impact_tables(QUARTER, audience=None, threshold=3))
    privacy.apply(data)
    summary = find_table(data, "stage-2-impact")["rows"][0]["cells"]
    detail = cells(find_table(data, "stage-2-answers-practice"), "count")
    assert is_suppressed(detail["5"])
    shown_4 = detail["4"]
    top = summary["top"]
    assert not (isinstance(top, int) and isinstance(shown_4, int)), (top, shown_4)
    assert summary["mean"] is None or is_suppressed(summary["mean"])


def test_pre_post_pairs_do_not_give_a_hidden_number_of_delegates_away():
    """Every delegate rates the same 3 outcomes: 6 pairs shown beside "fewer than 3"
    delegates says 2."""
    gain = table("learning-gain", "Learning gain", row_header="Course",
                 columns=_gain_columns(),
                 rows=[row("Neglect", pairs=6, delegates=2, gain_pairs=6),
                       row("Online safety", pairs=30, delegates=10, gain_pairs=27),
                       row("Working Together", pairs=45, delegates=15, gain_pairs=40)],
                 small_groups=True)
    gain.update(evaluation.LEARNING_GAIN_HINTS)
    data = _snapshot([gain])
    privacy.apply(data)
    neglect = cells(gain, "pairs")["Neglect"], cells(gain, "gain_pairs")["Neglect"]
    assert is_suppressed(cells(gain, "delegates")["Neglect"])
    assert all(is_suppressed(c) for c in neglect), neglect
    # and the column totals do not let the pairs be worked out either
    shown = sum(c for c in cells(gain, "pairs").values() if isinstance(c, int))
    assert [is_suppressed(c) for c in cells(gain, "pairs").values()].count(True) >= 2, shown


def _gain_columns():
    from reports.tables import COUNT, SCORE, column
    return [column("pairs", "Pairs", COUNT), column("delegates", "Delegates", COUNT),
            column("mean_change", "Mean change", SCORE), column("gain_pairs", "Gain pairs", COUNT),
            column("mean_gain", "Mean gain", SCORE)]


def test_a_sector_s_money_does_not_reveal_a_count_at_a_fixed_fee(seeded):
    """One voluntary-sector charge of £75 waived (and one invoiced) while the statutory
    sector has many: "£75.00 waived" beside the voluntary sector's 5 charges raised says
    one waiver, a count the waivers by sector would hide."""
    from reports.figures import charging

    for status, org, n in ((ChargeStatus.WAIVED, seeded["charity"], 1),
                           (ChargeStatus.APPLIED, seeded["charity"], 4),
                           (ChargeStatus.WAIVED, seeded["council"], 5),
                           (ChargeStatus.APPLIED, seeded["council"], 6)):
        for _ in range(n):
            booking = BookingFactory(delegate=UserFactory(organisation=org), organisation=org,
                                     status="no_show")
            Charge.objects.create(
                booking=booking, organisation=org, sector=org.sector, kind="no_show",
                amount="75.00", reason="Policy", status=status,
                created_at=datetime(2026, 8, 1, 10, 0, tzinfo=LONDON),
                decided_at=datetime(2026, 8, 2, 10, 0, tzinfo=LONDON)
                if status == ChargeStatus.WAIVED else None,
                waiver_reason="illness" if status == ChargeStatus.WAIVED else "")
    from core.models import Partnership
    data = _snapshot(charging.tables(QUARTER, partnership=Partnership.load()))
    privacy.apply(data)
    sectors = find_table(data, "charges-by-sector")
    voluntary = cells(sectors, "waived_amount")["Voluntary or community organisation"]
    assert voluntary in ("0.00",) or is_suppressed(voluntary), voluntary


# Speed ----------------------------------------------------------------------------------------

def _organisations(n, seed=1):
    """Attendance by organisation, sector and agency type for n organisations with many
    small counts, the compared columns beside attended (as reports.build merges them)."""
    rng = random.Random(seed)
    sectors, kinds = "ABCD", [f"Type {i}" for i in range(12)]
    orgs = []
    for i in range(n):
        c = {"attended": rng.choice([0, 1, 2, 3, 5, 8, 20, 40]),
             "no_show": rng.choice([0, 0, 1, 2, 4]), "not_admitted": rng.choice([0, 0, 1]),
             "late_cancelled": rng.choice([0, 1, 2, 3])}
        c["booked"] = sum(c.values()) + rng.choice([0, 0, 1])
        c["attended@previous"] = rng.choice([0, 1, 2, 5, 9])
        orgs.append({**row(f"Organisation {i}", **c), "links": [
            ("attendance-by-sector", rng.choice(sectors)),
            ("attendance-by-agency-type", rng.choice(kinds))]})
    groups = {}
    for o in orgs:
        for key, label in o["links"]:
            g = groups.setdefault(key, {}).setdefault(label, dict.fromkeys(o["cells"], 0))
            for k, v in o["cells"].items():
                g[k] += v
    tables = [_table("attendance-by-organisation", "By organisation", "Organisation", orgs,
                     description="")]
    tables += [_table(key, key, "Group", [row(label, **c) for label, c in sorted(g.items())],
                      description="") for key, g in groups.items()]
    for t in tables:
        t["columns"].insert(2, {"key": "attended@previous", "label": "Before",
                                "kind": "count", "compare": False})
    return tables


def test_suppression_of_a_large_report_is_fast_and_leaves_nothing_pinned():
    tables = _organisations(1500)
    data = _snapshot(tables)
    truth = _snapshot(_organisations(1500))
    began = time.perf_counter()
    privacy.apply(data)
    took = time.perf_counter() - began
    assert took < 4, took  # was minutes before the review
    # An attacker's bounds over the true sums find no small count pinned.
    cells_ = privacy._build_cells(truth, 3)
    for t_true, t_shown in zip(truth["parts"][0]["sections"][0]["tables"], tables, strict=True):
        for r_true, r_shown in zip(t_true["rows"], t_shown["rows"], strict=True):
            r_true["cells"].update(r_shown["cells"])
    assert cells_.pinned() == []


def test_no_delegate_name_or_email_anywhere_in_a_snapshot(seeded):
    from accounts.models import User

    text = repr(build_snapshot("annual", date(2026, 4, 1), date(2027, 3, 31)))
    text += repr(build_snapshot("quarterly", QUARTER.start, QUARTER.end))
    for user in User.objects.all():
        assert user.get_full_name() and user.email
        for value in (user.get_full_name(), user.email):
            assert value not in text
