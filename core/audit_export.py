"""The audit log as a download (issue 15: "exportable"): the entries the filters choose, as CSV
or XLSX, with the same cell rules as every other export (core.exports: a byte-order mark, text a
spreadsheet would read as a formula made harmless, XLSX text never a formula).

A log grows for years, so neither format holds it in memory: entries are read in chunks
(QuerySet.iterator), the CSV is streamed as it is written, and the XLSX (openpyxl write-only,
which keeps rows in its own temporary file) is saved to a temporary file that is then sent."""

import csv
import io
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from . import audit_words
from .exports import XLSX, _csv_value, xlsx_text

COLUMNS = ["When", "Who", "Who (email at the time)", "For", "Action", "Action code",
           "Kind of record", "Record", "Record number", "Details"]
CHUNK = 2000
# One sheet holds 1,048,576 rows: the header and the rest.
XLSX_MAX_ROWS = 1_048_575


def _person(user, label):
    if user is not None:
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email
    return "The system" if label in ("", "system") else label


def rows(entries):
    """One list of plain values per entry (When is a London time, without its zone)."""
    for entry in entries.iterator(chunk_size=CHUNK):
        on_behalf = (_person(entry.on_behalf_of, entry.on_behalf_of_label)
                     if entry.on_behalf_of_id or entry.on_behalf_of_label else "")
        kind = entry.target_type.name if entry.target_type_id else ""
        yield [
            timezone.localtime(entry.at).replace(tzinfo=None, microsecond=0),
            _person(entry.actor, entry.actor_label),
            entry.actor_label,
            on_behalf,
            audit_words.action_words(entry.action),
            entry.action,
            kind[:1].upper() + kind[1:],
            entry.target_label,
            entry.target_id,
            audit_words.details_text(entry.action, entry.details),
        ]


def _csv_chunks(entries):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")  # Excel then reads names with accents as UTF-8
    writer.writerow(COLUMNS)
    for n, row in enumerate(rows(entries), start=1):
        writer.writerow([_csv_value(v) for v in row])
        if n % 500 == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def csv_response(entries, *, filename):
    response = StreamingHttpResponse(_csv_chunks(entries),
                                     content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(entries, *, filename):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Audit log")
    header = []
    for name in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for n, row in enumerate(rows(entries), start=1):
        if n > XLSX_MAX_ROWS:
            break
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=xlsx_text(value))
                cell.data_type = "s"  # typed by someone: never a formula
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "d mmm yyyy h:mm"
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, content_type=XLSX, as_attachment=True,
                        filename=f"{filename}.xlsx")
