"""The report as an XLSX workbook (openpyxl in write-only mode, so a long report streams in
little memory): a "Summary" sheet first (title, period, the periods compared, the small-count
note, the contents), then one sheet per table.

Each table's sheet: its title, then a header row, a row per line and the total. Figures are
numbers, not text: counts as whole numbers, rates as fractions shown as percentages, money
as exact decimals shown in pounds, scores to two places; a cell under the small-count
threshold is the text "fewer than 3"; no figure is an empty cell. Text is always text (never
a formula) and loses the control characters XML cannot hold (core.exports.xlsx_text)."""

import io
import re
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from core.dates import day, long_date
from core.exports import xlsx_text
from core.models import Partnership

from ..tables import COUNT, MONEY, RATE, SCORE, all_tables, is_suppressed, suppressed_text
from . import cell_of, iso_date, shown_columns, threshold_of

SHEET_NAME_MAX = 31
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
PERCENT = "0%"
POUNDS = '"£"#,##0.00'
SCORE_FORMAT = "0.00"
COUNT_FORMAT = "#,##0"


def sheet_name(title, taken):
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, no apostrophe at
    either end, unique in the workbook (case-insensitively) with " (2)" and so on."""
    base = _NOT_IN_SHEET_NAMES.sub(" ", xlsx_text(str(title or "Table")))
    base = " ".join(base.split()).strip("'") or "Table"
    name = base[:SHEET_NAME_MAX].strip()
    n = 1
    while name.lower() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:SHEET_NAME_MAX - len(suffix)].strip() + suffix
    taken.add(name.lower())
    return name


def _text(sheet, value, *, bold=False):
    cell = WriteOnlyCell(sheet, value=xlsx_text(str(value)))
    cell.data_type = "s"  # typed text, never a formula
    if bold:
        cell.font = Font(bold=True)
    return cell


def figure_cell(sheet, cell, kind, threshold, *, bold=False):
    """One figure of the snapshot as a spreadsheet cell."""
    if is_suppressed(cell):
        out = _text(sheet, suppressed_text(cell, threshold))  # or "withheld"
        out.alignment = Alignment(horizontal="right")
    elif cell is None:
        out = WriteOnlyCell(sheet, value=None)
    elif kind == COUNT:
        out = WriteOnlyCell(sheet, value=int(cell))
        out.number_format = COUNT_FORMAT
    elif kind == RATE:
        out = WriteOnlyCell(sheet, value=float(cell))
        out.number_format = PERCENT
    elif kind == MONEY:
        try:
            value = Decimal(str(cell)).quantize(Decimal("0.01"))
        except InvalidOperation:
            return _text(sheet, cell, bold=bold)
        out = WriteOnlyCell(sheet, value=value)
        out.number_format = POUNDS
    elif kind == SCORE:
        out = WriteOnlyCell(sheet, value=float(cell))
        out.number_format = SCORE_FORMAT
    else:
        out = _text(sheet, cell)
    if bold:
        out.font = Font(bold=True)
    return out


def _summary(book, data, report, partnership, contents):
    sheet = book.create_sheet(title="Summary")
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 70
    threshold = threshold_of(data)
    period = data.get("period", {})
    start, end = iso_date(period.get("start")), iso_date(period.get("end"))
    sheet.append([_text(sheet, data.get("title") or str(report), bold=True)])
    sheet.append([_text(sheet, "Partnership"), _text(sheet, partnership.name)])
    sheet.append([_text(sheet, "Period"), _text(sheet, period.get("label", ""))])
    if start and end:
        sheet.append([_text(sheet, "Dates"), _text(sheet, f"{day(start)} to {day(end)}")])
    for comparison in data.get("comparisons", []):
        sheet.append([_text(sheet, "Compared with"), _text(sheet, comparison.get("label", ""))])
    if getattr(report, "generated_at", None):
        sheet.append([_text(sheet, "Produced"), _text(sheet, long_date(report.generated_at))])
    if getattr(report, "kind", "") == "annual":
        if report.issued_at:
            sheet.append([_text(sheet, "Issued"), _text(sheet, long_date(report.issued_at))])
            if report.narrative:
                narrative = _text(sheet, report.narrative)
                narrative.alignment = Alignment(wrap_text=True, vertical="top")
                sheet.append([_text(sheet, "From the training team"), narrative])
        else:
            sheet.append([_text(sheet, "Status"), _text(sheet, "Draft: not yet issued")])
    sheet.append([])
    sheet.append([_text(sheet, "Small numbers"), _text(
        sheet, f"Any figure of an organisation or small-group table below {threshold} is "
               f"shown as \u201cfewer than {threshold}\u201d; a figure \u201cwithheld\u201d is "
               "hidden so that a small one cannot be worked out from it by subtraction. The "
               "report holds counts, never a person's name.")])
    sheet.append([])
    sheet.append([_text(sheet, "Sheet", bold=True), _text(sheet, "Table", bold=True)])
    for name, title in contents:
        sheet.append([_text(sheet, name), _text(sheet, title)])


def render_xlsx(report):
    """The workbook's bytes for `report` (its snapshot in report.data)."""
    data = report.data or {}
    partnership = Partnership.load()
    threshold = threshold_of(data)
    comparisons = data.get("comparisons", [])
    many_parts = len(data.get("parts", [])) > 1
    book = Workbook(write_only=True)
    taken = {"summary"}
    # The Summary sheet lists the others, so their names are chosen first.
    plan = []
    for part, _section, tbl in all_tables(data):
        title = tbl.get("title") or tbl.get("key") or "Table"
        if many_parts:
            title = f"{part.get('title', '')}: {title}"
        plan.append((sheet_name(title, taken), title, tbl))
    _summary(book, data, report, partnership, [(name, title) for name, title, _ in plan])
    for name, title, tbl in plan:
        sheet = book.create_sheet(title=name)
        columns = shown_columns(tbl, comparisons)
        sheet.column_dimensions["A"].width = 40
        sheet.append([_text(sheet, title, bold=True)])
        sheet.append([_text(sheet, tbl.get("row_header") or "", bold=True)]
                     + [_text(sheet, c["label"], bold=True) for c in columns])
        for r in tbl.get("rows", []):
            sheet.append([_text(sheet, r.get("label", ""))]
                         + [figure_cell(sheet, cell_of(r, c), c.get("kind"), threshold)
                            for c in columns])
        total = tbl.get("total")
        if total:
            sheet.append([_text(sheet, total.get("label") or "Total", bold=True)]
                         + [figure_cell(sheet, cell_of(total, c), c.get("kind"), threshold,
                                        bold=True) for c in columns])
        notes = [tbl.get("description"), *tbl.get("notes", [])]
        notes = [n for n in notes if n]
        if notes:
            sheet.append([])
            for note in notes:
                sheet.append([_text(sheet, note)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
