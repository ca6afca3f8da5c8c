"""The demo's last complete quarter has a report with every section filled (issue 13): each
section has a figure above zero for the quarter, for the quarter before and for the same
quarter a year earlier (demo/history.py), and no delegate's name is anywhere in it."""

import json
import re
from datetime import datetime

import pytest
from django.utils import timezone

from reports.tables import all_tables, is_suppressed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loaded")]

NOW = timezone.make_aware(datetime(2027, 2, 10, 12, 0))


def _load(now=NOW):
    from demo.services import demo_load

    return demo_load(now=now)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The demo loaded once for the module (about 20 seconds with its history), in a
    transaction rolled back after the last test; each test runs in a savepoint inside it."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        _load()
        yield
        transaction.set_rollback(True)


def _above_zero(cell):
    if cell is None or isinstance(cell, bool) or is_suppressed(cell):
        return False
    if isinstance(cell, (int, float)):
        return cell > 0
    if isinstance(cell, str):
        try:
            return float(cell) > 0
        except ValueError:
            return False
    return False


def _filled(section, period_key):
    """Is there a cell above zero in the section for the period ('' for the report's own,
    else 'previous' or 'year_before')?"""
    for tbl in section["tables"]:
        for row in tbl["rows"] + ([tbl["total"]] if tbl.get("total") else []):
            for key, cell in row["cells"].items():
                mine = key.split("@", 1)[1] if "@" in key else ""
                if mine == period_key and _above_zero(cell):
                    return True
    return False


def _last_quarter_snapshot(now=NOW):
    from core.models import Partnership
    from reports.build import build_snapshot
    from reports.models import ReportKind
    from reports.periods import last_complete_quarter

    partnership = Partnership.load()
    quarter = last_complete_quarter(timezone.localdate(now),
                                    partnership.financial_year_start_month)
    return quarter, build_snapshot(ReportKind.QUARTERLY, quarter.start, quarter.end)


def test_the_demo_last_quarter_report_has_every_section_filled_with_its_comparisons():
    from reports.figures import SECTIONS

    quarter, data = _last_quarter_snapshot()
    assert data["period"]["label"] == "October to December 2026"
    assert [c["label"] for c in data["comparisons"]] == [
        "July to September 2026", "October to December 2025"]
    [part] = data["parts"]
    assert [s["key"] for s in part["sections"]] == [key for key, _t, _p in SECTIONS]
    empty = [(section["key"], period_key or "this quarter")
             for section in part["sections"]
             for period_key in ("", "previous", "year_before")
             if not _filled(section, period_key)]
    assert empty == []


def test_the_demo_report_shows_what_the_history_holds_in_each_part():
    """The figures the history was made to give: waiting-list demand that found no place,
    e-learning knowledge checks and credit notes, in the quarter and the two before it."""
    from reports.tables import find_table

    _quarter, data = _last_quarter_snapshot()
    demand = find_table(data, "waiting-list-demand")["total"]["cells"]
    checks = find_table(data, "elearning-knowledge-checks")["total"]["cells"]
    for suffix in ("", "@previous", "@year_before"):
        assert demand[f"people{suffix}"] >= 3, suffix
        assert checks[f"attempts{suffix}"] > 0, suffix
        assert checks[f"passed{suffix}"] > 0, suffix
    credit = next(r for r in find_table(data, "charges-summary")["rows"]
                  if r["label"] == "Credit notes issued")["cells"]
    assert credit["number"] >= 1
    assert credit["number@previous"] >= 1
    assert credit["number@year_before"] >= 1


def test_no_demo_person_is_named_in_the_report():
    """Not a first name nor a last name of anyone in the demo, as a word, anywhere in the
    snapshot. This includes a registered childminder, whose organisation is herself: the demo
    delegate Jane Smith's "Jane Smith Childminding" must not be a row of its own (a row
    "fewer than 3" there says that she booked training in the quarter)."""
    from accounts.models import User

    _quarter, data = _last_quarter_snapshot()
    text = json.dumps(data).casefold()
    names = set()
    for first, last in User.objects.values_list("first_name", "last_name"):
        names.update(n.casefold() for n in (first, last) if n)
    assert len(names) > 20  # the demo's delegates and logins
    found = {n: re.findall(rf".{{0,30}}\b{re.escape(n)}\b.{{0,30}}", text)[:2]
             for n in sorted(names) if re.search(rf"\b{re.escape(n)}\b", text)}
    assert found == {}
    # Organisations and courses are named: they are what the report is about.
    assert "bright futures nurseries ltd" in text


def test_a_second_load_on_the_same_day_changes_nothing_in_the_report():
    from courses.models import Completion, KnowledgeCheckAttempt
    from reports.checklist.demo import REQUIREMENTS
    from reports.models import ChecklistRequirement

    _quarter, first = _last_quarter_snapshot()
    counts = (KnowledgeCheckAttempt.objects.count(), Completion.objects.count())
    # The safeguarding lead's Training Checklist (reports/checklist/demo.py).
    assert ChecklistRequirement.objects.count() == len(REQUIREMENTS)
    result = _load()
    assert not result.changed
    assert (KnowledgeCheckAttempt.objects.count(), Completion.objects.count()) == counts
    assert ChecklistRequirement.objects.count() == len(REQUIREMENTS)
    _quarter, second = _last_quarter_snapshot()
    assert second == first


def test_every_table_has_its_caption_words():
    """Each table the demo report draws has a title and a row header (the page's caption
    and first column); the comparison columns are labelled with their periods."""
    _quarter, data = _last_quarter_snapshot()
    for _part, _section, tbl in all_tables(data):
        assert tbl["title"] and tbl["row_header"], tbl["key"]
        for col in tbl["columns"]:
            if col.get("period"):
                assert col["label"] in ("July to September 2026", "October to December 2025")
