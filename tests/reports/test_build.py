"""reports.build: the snapshot of a seeded quarter, its compared columns, its parts, its
suppression and its number of queries."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import Partnership
from reports import build
from reports.build import build_snapshot
from reports.tables import all_tables, display, find_table, is_suppressed
from tests.reports.test_figures_activity import seed_quarter

MINE = [s for s in build.SECTIONS if s[0] in ("activity", "demand", "attendance")]


@pytest.fixture
def my_sections(monkeypatch):
    """Only this helper's sections (the others have their own tests)."""
    monkeypatch.setattr(build, "SECTIONS", MINE)


def quarter():
    return build_snapshot("quarterly", date(2026, 7, 1), date(2026, 9, 30))


def cells(tbl, column):
    return {r["label"]: r["cells"][column] for r in tbl["rows"]}


@pytest.mark.django_db
def test_snapshot_shape_and_progress(my_sections):
    calls = []
    data = build_snapshot("quarterly", date(2026, 7, 1), date(2026, 9, 30),
                          progress=lambda percent, label: calls.append((percent, label)))
    assert data["version"] == 1
    assert data["kind"] == "quarterly"
    assert data["title"] == "Quarterly training report: July to September 2026"
    assert data["period"] == {"start": "2026-07-01", "end": "2026-09-30",
                              "label": "July to September 2026"}
    assert [(c["key"], c["label"], c["start"], c["end"]) for c in data["comparisons"]] == [
        ("previous", "April to June 2026", "2026-04-01", "2026-06-30"),
        ("year_before", "July to September 2025", "2025-07-01", "2025-09-30")]
    assert data["threshold"] == 3
    assert [p["key"] for p in data["parts"]] == ["all"]
    assert [s["key"] for s in data["parts"][0]["sections"]] == ["activity", "demand",
                                                                "attendance"]
    assert calls == [(33, "Counting events and places"), (66, "Counting waiting-list demand"),
                     (100, "Counting attendance")]
    keys = [t["key"] for _p, _s, t in all_tables(data)]
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_seeded_quarter_with_its_comparisons(my_sections):
    seed_quarter()
    data = quarter()
    headline = find_table(data, "events-and-places")
    assert [c["key"] for c in headline["columns"]] == [
        "number", "number@previous", "number@year_before",
        "rate", "rate@previous", "rate@year_before", "rate_of"]
    assert [c["label"] for c in headline["columns"][:3]] == [
        "Number", "April to June 2026", "July to September 2025"]
    attended = cells(headline, "number")["Attended (fill rate)"]
    previous = cells(headline, "number@previous")["Attended (fill rate)"]
    year_before = cells(headline, "number@year_before")["Attended (fill rate)"]
    assert (attended, previous, year_before) == (11, 4, 6)
    assert cells(headline, "rate")["Attended (fill rate)"] == pytest.approx(11 / 18)
    assert cells(headline, "rate@previous")["Attended (fill rate)"] == pytest.approx(4 / 10)
    assert cells(headline, "rate@year_before")["Attended (fill rate)"] == pytest.approx(6 / 12)
    assert cells(headline, "rate@previous")["No-shows"] == pytest.approx(1 / 5)
    assert display(cells(headline, "rate")["No-shows"], "rate") == "12%"  # 2 of 17
    # The sector table: current figures are small (suppressed), the compared ones shown.
    sectors = find_table(data, "attendance-by-sector")
    assert cells(sectors, "attended@previous") == {
        "Statutory agency": 4, "Voluntary or community organisation": 0,
        "Registered childminder": 0, "Private or profit-making organisation": 0}
    assert cells(sectors, "attended@year_before")["Voluntary or community organisation"] == 6
    assert sectors["total"]["cells"]["attended@previous"] == 4
    # The no-show reasons of the previous quarter: one no-show whose contact was not
    # recorded (a row of that quarter only: 0 now), which a single suppressed cell would
    # give away beside the headline: a second is withheld.
    reasons = find_table(data, "reasons-for-non-attendance")
    assert cells(reasons, "bookings")["No-show: contact not recorded"] == 0
    previous_reasons = cells(reasons, "bookings@previous")
    assert is_suppressed(previous_reasons["No-show: contact not recorded"])
    assert sum(is_suppressed(v) for v in previous_reasons.values()) >= 2


@pytest.mark.django_db
def test_a_row_only_in_a_compared_period_still_appears(my_sections):
    seed_quarter()
    data = quarter()
    courses = find_table(data, "attendance-by-course")
    assert {r["label"] for r in courses["rows"]} == {"Working Together", "Child exploitation"}
    demand = find_table(data, "waiting-list-demand")
    assert [c["key"] for c in demand["columns"]] == ["people", "people@previous",
                                                     "people@year_before"]


@pytest.mark.django_db
def test_nothing_holds_a_name_and_every_small_count_is_suppressed(my_sections):
    seed = seed_quarter()
    from accounts.models import User

    data = quarter()
    text = repr(data)
    for user in User.objects.all():
        assert user.get_full_name() not in text and user.email not in text
    for _part, _section, tbl in all_tables(data):
        if not tbl["small_groups"]:
            continue
        for r in tbl["rows"]:
            for col in tbl["columns"]:
                cell = r["cells"][col["key"]]
                if col["kind"] == "count" and isinstance(cell, int):
                    assert not 0 < cell < 3, (tbl["key"], r["label"], col["key"])
    assert seed["council"].name in text  # organisations are named; people never


@pytest.mark.django_db
def test_the_threshold_comes_from_the_partnership_setting(my_sections):
    seed_quarter()
    partnership = Partnership.load()
    partnership.report_small_count_threshold = 5
    partnership.save()
    data = quarter()
    assert data["threshold"] == 5
    sectors = find_table(data, "attendance-by-sector")
    # The previous quarter's 4 statutory attendances are now under the threshold.
    cell = cells(sectors, "attended@previous")["Statutory agency"]
    assert display(cell, "count", data["threshold"]) == "fewer than 5"
    assert any('"fewer than 5"' in n for n in sectors["notes"])


@pytest.mark.django_db
def test_annual_report_has_four_parts_with_unique_keys(my_sections):
    seed_quarter()
    data = build_snapshot("annual", date(2026, 4, 1), date(2027, 3, 31))
    assert data["title"] == "Annual training report: April 2026 to March 2027"
    assert [p["key"] for p in data["parts"]] == ["all", "children", "adults", "joint"]
    # A year's previous period is the year before: compared once.
    assert [(c["key"], c["label"]) for c in data["comparisons"]] == [
        ("previous", "April 2025 to March 2026")]
    keys = [t["key"] for _p, _s, t in all_tables(data)]
    assert len(keys) == len(set(keys))
    assert "children-events-and-places" in keys
    children = find_table(data, "children-events-and-places")
    assert cells(children, "number")["Events delivered"] == 1      # E2
    joint = find_table(data, "joint-events-and-places")
    assert cells(joint, "number")["Events delivered"] == 3         # E1, E4, E5
    assert cells(find_table(data, "events-and-places"), "number")["Places offered"] == 48


def _more(n):
    """n more delivered events in the quarter, each with bookings of every kind."""
    from datetime import UTC, datetime, timedelta

    from tests.factories import BookingFactory, EventFactory, OrganisationFactory, UserFactory

    for i in range(n):
        org = OrganisationFactory()
        start = datetime(2026, 8, 3 + i % 20, 8, 30, tzinfo=UTC)
        event = EventFactory(start=start, end=start + timedelta(hours=3), capacity=20)
        for status in ("attended", "no_show", "late_cancelled", "waitlisted"):
            BookingFactory(event=event, delegate=UserFactory(organisation=org), status=status)


@pytest.mark.django_db
def test_the_same_number_of_queries_for_ten_times_the_data(my_sections):
    _more(2)
    with CaptureQueriesContext(connection) as small:
        quarter()
    _more(18)
    with CaptureQueriesContext(connection) as large:
        data = quarter()
    assert len(find_table(data, "attendance-by-organisation")["rows"]) == 20
    assert len(large) == len(small)
    # Three periods of activity (2), demand (2) and attendance (9), and the setting.
    assert len(small) <= 3 * (2 + 2 + 9) + 2


@pytest.mark.django_db
def test_every_section_of_the_report_is_built():
    seed_quarter()
    data = quarter()
    assert [s["key"] for s in data["parts"][0]["sections"]] == [
        key for key, _title, _path in build.SECTIONS]
    keys = [t["key"] for _p, _s, t in all_tables(data)]
    assert len(keys) == len(set(keys))
    # The hints for suppression never reach the stored snapshot.
    assert "links" not in repr(data) and "row_sums" not in repr(data)
