"""The lead's review of the report's privacy (issue 13): a registered childminder's
organisation is usually named after the childminder, so it never has a row of its own; and a
total whose every cell is hidden is withheld, never a 0 beside a headline that says more."""

import json
from datetime import UTC, datetime

import pytest

from accounts.models import Sector
from reports import privacy
from reports.build import build_snapshot
from reports.tables import COUNT, column, display, row, table
from tests.factories import OrganisationFactory
from tests.reports.test_figures_activity import _bookings, _event, seed_quarter
from tests.reports.test_privacy import snapshot


@pytest.mark.django_db
def test_a_childminder_is_never_named_by_their_organisation_in_a_report():
    seed_quarter()
    jane = OrganisationFactory(name="Jane Smith Childminding", sector=Sector.CHILDMINDER,
                               kind="Childminder")
    ruth = OrganisationFactory(name="Little Acorns Childminding", sector=Sector.CHILDMINDER,
                               kind="")
    from courses.models import Course

    event = _event(Course.objects.first(), datetime(2026, 8, 20, 9, tzinfo=UTC), 20)
    _bookings(event, jane, "attended", 1)
    _bookings(event, ruth, "attended", 4)
    data = build_snapshot("quarterly", datetime(2026, 7, 1).date(),
                          datetime(2026, 9, 30).date())
    text = json.dumps(data)
    assert "Jane Smith" not in text and "Little Acorns" not in text
    # Before suppression (which may withhold it): the two childminders are one row, and one
    # agency type, whatever their organisations' types say.
    from reports.figures import attendance
    from tests.reports.test_figures_activity import JULY_TO_SEPTEMBER

    raw = {t["key"]: t for t in attendance.tables(JULY_TO_SEPTEMBER, partnership=None)}
    for key in ("attendance-by-organisation", "attendance-by-agency-type"):
        cells = {r["label"]: r["cells"]["attended"] for r in raw[key]["rows"]}
        assert cells["Registered childminders"] == 5, key
        assert not any("Childminding" in label for label in cells)


def test_a_total_whose_every_figure_is_hidden_is_withheld_not_nought():
    tbl = table("t", "By course", row_header="Course", small_groups=True,
                columns=[column("attended", "Attended", COUNT)],
                rows=[row("A", attended=2), row("B", attended=1), row("C", attended=0)],
                total=row("Total", attended=3))
    privacy.apply(snapshot(tbl))
    total = tbl["total"]["cells"]["attended"]
    assert display(total, COUNT) == "withheld"  # not "0" beside 3 attended elsewhere
    assert [display(r["cells"]["attended"], COUNT) for r in tbl["rows"]][:2] == [
        "fewer than 3", "fewer than 3"]
