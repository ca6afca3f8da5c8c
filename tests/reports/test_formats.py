"""The report's files (reports/formats), drawn only from the stored snapshot: the PDF board
pack read back with pdftotext, the XLSX workbook reopened with openpyxl, the CSV per table."""

import csv
import io
import re
import subprocess
import time
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.formats.csv import render_csv
from reports.formats.pdf import PDF_ROWS, ROWS_PER_TABLE, pdf_context, render_pdf
from reports.formats.xlsx import render_xlsx, sheet_name
from reports.models import Report, ReportKind, ReportStatus
from reports.tables import suppressed_text
from tests.reports.snapshots import annual_snapshot, organisation_table, snapshot

from ..security.figures import FIGURES

pytestmark = pytest.mark.django_db

GENERATED = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)


def pdf_text(pdf):
    assert pdf.startswith(b"%PDF")
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                            check=True)
    # Words in reading order, one space between them (a header cell wraps onto two lines).
    return " ".join(result.stdout.decode("utf-8").split())


def report_of(data, **fields):
    kind = fields.pop("kind", data["kind"])
    return Report(kind=kind, period_start=date.fromisoformat(data["period"]["start"]),
                  period_end=date.fromisoformat(data["period"]["end"]),
                  status=ReportStatus.READY, data=data, generated_at=GENERATED, **fields)


# PDF ----------------------------------------------------------------------------------------

def test_pdf_cover_contents_figures_and_small_counts():
    text = pdf_text(render_pdf(report_of(snapshot())))
    assert "Quarterly training report: July to September 2026" in text
    # The cover: period in the one date style, the compared periods, when it was produced.
    assert "Wednesday 1 July 2026 to Wednesday 30 September 2026" in text
    assert "April to June 2026; July to September 2025" in text
    assert "Thursday 1 October 2026, 9:30am" in text  # London time
    assert "Contents" in text
    # A figure with its compared figures beside it, money, a rate, a score.
    for figure in ("1,234", "1,100", "990", "£1,250.50", "1%", "0.42", "1,279"):
        assert figure in text, figure
    assert "Attended, April to June 2026" in text
    assert "fewer than 3" in text
    assert "Places offered" in text and "393" in text
    assert "A delegate is counted once for each event attended." in text
    # Page numbers and the running header.
    assert "Page 2 of" in text
    assert text.count("Quarterly training report: July to September 2026") >= 3
    # A quarterly report has no narrative and is never a draft.
    assert "Draft" not in text


def test_pdf_chart_is_drawn_with_its_text_alternative():
    ctx = pdf_context(report_of(snapshot()))
    [tbl_places, tbl_sector] = ctx["parts"][0]["sections"][0]["tables"]
    assert tbl_places["chart"] is None  # the table asks for none
    svg = str(tbl_sector["chart"])
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Statutory agency: 1,234" in svg


def test_long_table_is_split_into_tables_of_its_own_header(settings):
    data = snapshot(tables=[organisation_table(500)])
    report = report_of(data)
    drawn = pdf_context(report)["parts"][0]["sections"][0]["tables"][0]
    blocks = drawn["blocks"]
    # Its chart draws the 15 largest (Organisation 499 has the most), not 500 bars.
    chart = str(drawn["chart"])
    assert "Attendance by organisation, the 15 largest of 500: Attended" in chart
    assert chart.count("<rect") == 15
    assert "Organisation 499: 502" in chart
    # A board pack shows the PDF_ROWS largest (every row is in the workbook), in tables of 40.
    assert PDF_ROWS == 100 and len(blocks) == 3
    assert [len(b["rows"]) for b in blocks] == [ROWS_PER_TABLE] * 2 + [20]
    assert blocks[0]["caption"] == "Attendance by organisation"
    assert all(b["caption"] == "Attendance by organisation (continued)" for b in blocks[1:])
    assert [b["total"] is not None for b in blocks] == [False] * 2 + [True]
    assert drawn["cut"] == (
        "This table shows 100 of its 500 rows: the largest by “Attended”. Its total is of "
        "every row; the workbook (XLSX) and the table's CSV download have them all.")

    started = time.monotonic()
    pdf = render_pdf(report)
    seconds = time.monotonic() - started
    FIGURES["report PDF, 500-row organisation table"] = f"{seconds:.1f} s, {len(pdf):,} bytes"
    text = pdf_text(pdf)
    assert "Organisation 499" in text and "Organisation 001" not in text  # the largest only
    assert "This table shows 100 of its 500 rows" in text
    assert text.count("Attendance by organisation (continued)") == 2
    assert f"{sum(i + 3 for i in range(500) if i % 7):,}" in text  # the total of every row
    assert "fewer than 3" in text
    assert seconds < 60


def test_annual_pdf_narrative_escaped_and_draft_label():
    narrative = "A year of growth.\n\nWe trained <b>more</b> staff than ever."
    report = report_of(annual_snapshot(), narrative=narrative)
    text = pdf_text(render_pdf(report))
    assert "Draft: not yet issued" in text
    assert "A year of growth." in text
    assert "We trained <b>more</b> staff than ever." in text  # the officer's text, as written
    for part in ("Whole programme", "Training about children", "Training about adults"):
        assert part in text

    book = load_workbook(io.BytesIO(render_xlsx(report)))
    summary = [c for r in _sheet_rows(book["Summary"]) for c in r if c]
    assert "Draft: not yet issued" in summary
    assert narrative not in summary  # a draft's narrative is the training team's

    report.issued_at = GENERATED
    text = pdf_text(render_pdf(report))
    assert "Draft" not in text
    assert "Issued Thursday 1 October 2026, 9:30am" in text


# XLSX ---------------------------------------------------------------------------------------

def _sheet_rows(sheet):
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_xlsx_summary_then_a_sheet_per_table_with_numbers_as_numbers():
    data = snapshot()
    book = load_workbook(io.BytesIO(render_xlsx(report_of(data))))
    assert book.sheetnames == ["Summary", "Places offered and taken", "Attendance by sector"]
    summary = [cell for r in _sheet_rows(book["Summary"]) for cell in r if cell]
    assert "Quarterly training report: July to September 2026" in summary
    assert "July to September 2026" in summary
    assert "April to June 2026" in summary and "July to September 2025" in summary
    assert any(isinstance(c, str) and "fewer than 3" in c for c in summary)

    sheet = book["Attendance by sector"]
    rows = _sheet_rows(sheet)
    assert rows[0] == ["Attendance by sector", *[None] * (len(rows[1]) - 1)][:len(rows[0])]
    header = rows[1]
    assert header == ["Sector", "Attended", "Attended, April to June 2026",
                      "Attended, July to September 2025", "No-shows", "No-show rate",
                      "Charges raised", "Mean normalised gain", "Comment"]
    statutory, voluntary, total = rows[2], rows[3], rows[4]
    assert statutory[:5] == ["Statutory agency", 1234, 1100, 990, 18]
    assert statutory[5] == pytest.approx(18 / 1252)
    assert statutory[6] == pytest.approx(1250.50)
    assert statutory[7] == pytest.approx(0.42)
    assert statutory[8] == "=HYPERLINK(1)"  # text, not a formula
    assert voluntary[3] is None  # no figure
    assert voluntary[4] == "fewer than 3" and voluntary[5] == "fewer than 3"
    assert voluntary[8] == "Bell  here"  # the control character is gone
    # The totals row: the snapshot's totals (those the page shows).
    snapshot_total = data["parts"][0]["sections"][0]["tables"][1]["total"]["cells"]
    assert total[0] == "Total"
    assert total[1:5] == [snapshot_total["attended"], snapshot_total["attended@previous"],
                          snapshot_total["attended@year_before"], snapshot_total["no_show"]]
    assert Decimal(str(total[6])) == Decimal(snapshot_total["charged"])

    # Cell types and number formats as a spreadsheet user meets them.
    cells = list(sheet.iter_rows(min_row=3, max_row=3))[0]
    assert cells[1].data_type == "n" and cells[1].number_format == "#,##0"
    assert cells[5].data_type == "n" and cells[5].number_format == "0%"
    assert cells[6].data_type == "n" and "£" in cells[6].number_format
    assert cells[7].data_type == "n" and cells[7].number_format == "0.00"
    assert cells[8].data_type == "s"


def assert_sheet_totals_equal_the_snapshot(book, data):
    """Each table's sheet has a totals row holding the snapshot's totals (those the page
    shows), as numbers; a table without a total has no totals row."""
    tables = [t for p in data["parts"] for s in p["sections"] for t in s["tables"]]
    assert len(book.sheetnames) == len(tables) + 1
    checked = 0
    for name, tbl in zip(book.sheetnames[1:], tables, strict=True):
        rows = _sheet_rows(book[name])
        header = rows[1]
        if tbl["total"] is None:
            assert all(r[0] != "Total" for r in rows[2:]), name
            continue
        total = rows[2 + len(tbl["rows"])]
        assert total[0] == tbl["total"].get("label", "Total"), name
        for index, col in enumerate(tbl["columns"], start=1):
            expected = tbl["total"]["cells"].get(col["key"])
            got = total[index]
            assert header[index].endswith(col["label"]), (name, header[index], col["label"])
            if expected is None:
                assert got is None, (name, col["key"])
            elif isinstance(expected, dict):
                assert got == suppressed_text(expected, data["threshold"]), (name, col["key"])
            elif col["kind"] == "money":
                assert Decimal(str(got)) == Decimal(expected), (name, col["key"])
            elif col["kind"] in ("rate", "score"):
                assert got == pytest.approx(expected), (name, col["key"])
            elif col["kind"] == "count":
                assert got == expected and isinstance(got, int), (name, col["key"])
            checked += 1
    return checked


def test_xlsx_every_sheet_total_equals_the_snapshot_total():
    data = annual_snapshot()
    data["parts"][0]["sections"][0]["tables"].append(organisation_table(120))
    book = load_workbook(io.BytesIO(render_xlsx(report_of(data))))
    # Three parts' sector tables (8 columns each) and the organisations' (2).
    assert assert_sheet_totals_equal_the_snapshot(book, data) == 3 * 8 + 2


def test_sheet_names_are_valid_and_unique():
    taken = {"summary"}
    names = [sheet_name(t, taken) for t in (
        "Training about children: Attendance by organisation",
        "Training about children: Attendance by organisation type",
        "Courses [level 3]: a/b\\c*d?e", "Summary", "'Quoted'", "")]
    assert len(set(n.lower() for n in names)) == len(names)
    for name in names:
        assert 0 < len(name) <= 31
        assert not re.search(r"[\[\]:*?/\\]", name)
        assert not name.startswith("'") and not name.endswith("'")
    assert names[0] == "Training about children  Attend"[:31].strip() or len(names[0]) == 31
    assert names[1].endswith("(2)")
    assert names[3] == "Summary (2)"


# CSV ----------------------------------------------------------------------------------------

def test_csv_of_one_table_with_compared_columns():
    data = snapshot()
    body = render_csv(report_of(data), "attendance-by-sector")
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Sector", "Attended", "Attended, April to June 2026",
                       "Attended, July to September 2025", "No-shows", "No-show rate",
                       "Charges raised", "Mean normalised gain", "Comment"]
    assert rows[1] == ["Statutory agency", "1234", "1100", "990", "18", "1.4%", "1250.50",
                       "0.42", "'=HYPERLINK(1)"]  # a formula is made plain text
    assert rows[2][4:6] == ["fewer than 3", "fewer than 3"]
    assert rows[2][3] == ""  # no figure
    assert rows[3][:5] == ["Total", "1279", "1140", "990", "20"]


def test_a_cell_withheld_so_a_small_one_cannot_be_worked_out_says_so_in_every_file():
    data = snapshot()
    sector = data["parts"][0]["sections"][0]["tables"][1]
    sector["rows"][0]["cells"]["no_show"] = {"suppressed": True, "secondary": True}
    report = report_of(data)
    rows = list(csv.reader(io.StringIO(
        render_csv(report, "attendance-by-sector").decode("utf-8-sig"))))
    assert rows[1][4] == "withheld" and rows[2][4] == "fewer than 3"
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    sheet = _sheet_rows(book["Attendance by sector"])
    assert sheet[2][4] == "withheld" and sheet[3][4] == "fewer than 3"
    text = pdf_text(render_pdf(report))
    assert "withheld" in text and "fewer than 3" in text


def test_csv_of_a_table_the_report_has_not_is_a_key_error():
    with pytest.raises(KeyError):
        render_csv(report_of(snapshot()), "no-such-table")


# The real snapshot ----------------------------------------------------------------------------

def test_files_from_a_real_snapshot_on_factory_data():
    """build_snapshot (reports.build) on a seeded quarter (tests/reports/
    test_figures_activity.seed_quarter): every file is drawn from it and agrees with it."""
    from reports.build import build_snapshot
    from tests.reports.test_figures_activity import seed_quarter

    seed_quarter()
    data = build_snapshot(ReportKind.QUARTERLY, date(2026, 7, 1), date(2026, 9, 30))
    report = report_of(data)
    tables = [t for p in data["parts"] for s in p["sections"] for t in s["tables"]]
    assert tables
    text = pdf_text(render_pdf(report))
    assert data["title"] in text
    for tbl in tables:
        assert tbl["title"] in text
    # West Midlands Police's 2 attended in the quarter: a small count.
    assert "Dudley Council" in text and "fewer than 3" in text
    book = load_workbook(io.BytesIO(render_xlsx(report)))
    assert book.sheetnames[0] == "Summary"
    assert assert_sheet_totals_equal_the_snapshot(book, data) > 0
    for tbl in tables:
        body = render_csv(report, tbl["key"])
        rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == 1 + len(tbl["rows"]) + (1 if tbl["total"] else 0)
