"""A training record as a spreadsheet (issue 11: "a person's training record, as CSV and
XLSX"): the same lines as the page (courses.selectors.training_record_of), newest first.

CSV: dates as ISO dates, the score as a plain number; a cell a spreadsheet would read as a
formula (=, +, -, @, a tab or carriage return first) gets a leading apostrophe (OWASP: CSV
injection; as charging's payments export). XLSX: dates are dates and the score a number; text
is always written as text, never as a formula."""

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from core.exports import csv_safe, xlsx_text

COLUMNS = ["Course", "Level", "Format", "Completed on", "How", "Score (%)", "Due again",
           "Refreshed since"]


def training_record_rows(lines):
    """One row per line of the record: Python values (str, date, int or None)."""
    for line in lines:
        completion, course = line.completion, line.course
        yield [course.title, course.get_level_display(), course.get_format_display(),
               completion.completed_on, completion.get_source_display(), completion.score,
               None if line.refreshed else line.refresher_due_on,
               "Yes" if line.refreshed else "No"]


def training_record_csv(lines):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in training_record_rows(lines):
        writer.writerow([
            value.isoformat() if hasattr(value, "isoformat")
            else "" if value is None
            else value if isinstance(value, int)
            else csv_safe(value)
            for value in row])
    return out.getvalue()


def training_record_xlsx(lines, *, title="Training record"):
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(training_record_rows(lines), start=2):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = xlsx_text(value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text typed by someone is never a formula
            elif hasattr(value, "isoformat"):
                cell.number_format = "d mmm yyyy"
    for letter, width in zip("ABCDEFGH", (48, 10, 14, 14, 34, 10, 14, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
