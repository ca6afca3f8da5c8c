"""Spreadsheet exports (issue 11: "exports where a spreadsheet user would reach for one"): the
same rows as the page, as CSV or XLSX.

Rows are Python values: text, whole numbers, dates (and None). CSV writes dates as ISO dates and
numbers as they are; a text cell a spreadsheet would read as a formula (=, +, -, @, a tab or a
carriage return first) gets a leading apostrophe (OWASP: CSV injection; as charging's payments
export). XLSX (openpyxl, write-only, so a long export streams in little memory) writes numbers
as numbers, dates as dates, and text always as text, never as a formula."""

import csv
import io
from datetime import date, datetime

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return csv_safe(value)


def csv_bytes(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(v) for v in row])
    # A byte-order mark: Excel then reads the names with accents as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_text(value):
    """Text as an XLSX cell takes it: the control characters XML cannot hold (a vertical tab
    from a line break pasted from Word, a bell) become spaces, instead of openpyxl refusing
    the whole export (IllegalCharacterError: a 500)."""
    return ILLEGAL_CHARACTERS_RE.sub(" ", value)


def xlsx_bytes(columns, rows, *, title):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=(title or "Export")[:31])
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, bool):
                value = "Yes" if value else "No"
            if isinstance(value, datetime):
                value = value.replace(tzinfo=None)
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # typed by someone: never a formula
            elif isinstance(value, datetime):
                cell.number_format = "d mmm yyyy h:mm"
            elif isinstance(value, date):
                cell.number_format = "d mmm yyyy"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_response(*, kind, filename, columns, rows, title):
    """An attachment of `rows` as `kind` ("csv" or "xlsx"), named `filename`.<kind>."""
    if kind == "xlsx":
        response = HttpResponse(xlsx_bytes(columns, rows, title=title), content_type=XLSX)
    else:
        response = HttpResponse(csv_bytes(columns, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{kind}"'
    return response
