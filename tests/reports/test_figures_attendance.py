"""Who attended, for the seeded quarter of test_figures_activity (worked out by hand), before
and after suppression."""

import pytest

from reports.figures import attendance
from reports.privacy import apply
from tests.reports.test_figures_activity import JULY_TO_SEPTEMBER, seed_quarter
from tests.reports.test_privacy import attacker, snapshot, visible


def by_label(tbl):
    return {r["label"]: r["cells"] for r in tbl["rows"]}


def figures(tbl):
    return {label: tuple(c[k] for k in ("booked", "attended", "no_show", "not_admitted",
                                         "late_cancelled"))
            for label, c in by_label(tbl).items()}


@pytest.fixture
def tables():
    seed_quarter()
    return {t["key"]: t for t in attendance.tables(JULY_TO_SEPTEMBER, partnership=None)}


@pytest.mark.django_db
def test_attendance_by_sector_organisation_and_agency_type(tables):
    #                      booked attended no-show not admitted late
    assert figures(tables["attendance-by-organisation"]) == {
        "Dudley Carers": (4, 3, 1, 0, 0),            # E2
        "Dudley Council": (9, 6, 1, 0, 2),           # E1 5+1+1, E2 1+1 (E4 is October)
        "West Midlands Police": (4, 2, 0, 1, 0),     # E1 2+1, E2 1 booked, not marked
    }
    assert figures(tables["attendance-by-sector"]) == {
        "Statutory agency": (13, 8, 1, 1, 2),
        "Voluntary or community organisation": (4, 3, 1, 0, 0),
        "Registered childminder": (0, 0, 0, 0, 0),
        "Private or profit-making organisation": (0, 0, 0, 0, 0),
    }
    assert tables["attendance-by-sector"]["total"]["cells"]["booked"] == 17
    assert tables["attendance-by-sector"]["total"]["cells"]["attended"] == 11
    assert figures(tables["attendance-by-agency-type"]) == {
        "Council": (9, 6, 1, 0, 2), "Not recorded": (4, 3, 1, 0, 0), "Police": (4, 2, 0, 1, 0)}
    assert tables["attendance-by-sector"]["chart"] == {"column": "attended"}
    assert all(t["small_groups"] for t in tables.values())


@pytest.mark.django_db
def test_attendance_by_course_level_audience_category_and_format(tables):
    assert figures(tables["attendance-by-course"]) == {
        "Child exploitation": (7, 4, 1, 0, 1), "Working Together": (10, 7, 1, 1, 1)}
    assert figures(tables["attendance-by-level"]) == {
        "Level 1": (0, 0, 0, 0, 0), "Level 2": (10, 7, 1, 1, 1), "Level 3": (7, 4, 1, 0, 1),
        "All levels": (0, 0, 0, 0, 0)}
    assert figures(tables["attendance-by-audience"])["Children"] == (7, 4, 1, 0, 1)
    assert figures(tables["attendance-by-audience"])["Joint (children and adults)"] == (
        10, 7, 1, 1, 1)
    assert figures(tables["attendance-by-category"]) == {
        "Contextual Safeguarding": (7, 4, 1, 0, 1),
        "Working Together to Safeguard": (10, 7, 1, 1, 1)}
    assert figures(tables["attendance-by-format"]) == {
        "Virtual live event": (10, 7, 1, 1, 1), "Classroom": (7, 4, 1, 0, 1),
        "Conference": (0, 0, 0, 0, 0)}


@pytest.mark.django_db
def test_no_small_count_of_the_sector_table_can_be_worked_out(tables):
    import copy

    true = {label: dict(c) for label, c in by_label(tables["attendance-by-sector"]).items()}
    data = snapshot(*copy.deepcopy(list(tables.values())))
    apply(data)
    sector = next(t for t in data["parts"][0]["sections"][0]["tables"]
                  if t["key"] == "attendance-by-sector")
    # Statutory no-shows (1), not admitted (1), late cancellations (2) and voluntary
    # no-shows (1) are all "fewer than 3" ...
    for label, key in [("Statutory agency", "no_show"), ("Statutory agency", "late_cancelled"),
                       ("Voluntary or community organisation", "no_show")]:
        assert by_label(sector)[label][key] == {"suppressed": True}
    # ... and neither the headline (true) totals nor the rows give any of them away.
    for key in ("no_show", "not_admitted", "late_cancelled"):
        headline_total = sum(c[key] for c in true.values())
        hidden = [c[key] for label, c in true.items()
                  if isinstance(by_label(sector)[label][key], dict)]
        assert len(hidden) != 1 and headline_total - sum(visible(sector, key)) == sum(hidden)
    possible = attacker(sector, true, 3, row_sums=None)
    for (label, key), values in possible.items():
        if 0 < true[label][key] < 3:
            assert len(values) > 1, (label, key, values)


@pytest.mark.django_db
def test_two_courses_with_one_title_are_told_apart_in_every_period():
    from datetime import UTC, datetime, timedelta

    from courses.models import Format, Level
    from tests.factories import BookingFactory, CourseFactory, EventFactory

    seed_quarter()
    twin = CourseFactory(title="Working Together", level=Level.LEVEL_1, format=Format.CLASSROOM)
    start = datetime(2026, 8, 4, 8, 30, tzinfo=UTC)
    event = EventFactory(course=twin, start=start, end=start + timedelta(hours=3))
    BookingFactory.create_batch(3, event=event, status="attended")
    rows = by_label(next(t for t in attendance.tables(JULY_TO_SEPTEMBER, partnership=None)
                         if t["key"] == "attendance-by-course"))
    assert rows["Working Together (Level 1, Classroom)"]["attended"] == 3
    assert rows["Working Together (Level 2, Virtual live event)"]["attended"] == 7
