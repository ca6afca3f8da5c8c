"""One table of a report as CSV: a header row (the row heading, each column, the compared
periods' columns beside theirs), a row per line of the table, the total last. Figures are
written as a spreadsheet reads them (1234, 77%, 12.50); a cell under the small-count threshold
is the words "fewer than 3"; a dash-less empty cell is no figure. Text is made safe from
formula injection (core.exports.csv_safe) and the file starts with the byte-order mark, as
every export of the site does (core.exports.csv_bytes)."""

import csv
import io

from core.exports import csv_safe

from ..tables import (
    COUNT,
    MONEY,
    RATE,
    SCORE,
    TEXT,
    find_table,
    is_suppressed,
    suppressed_text,
)
from . import cell_of, shown_columns, threshold_of


def csv_value(cell, kind, threshold):
    if is_suppressed(cell):
        return suppressed_text(cell, threshold)  # "fewer than 3", or "withheld"
    if cell is None:
        return ""
    if kind == COUNT:
        return str(int(cell))
    if kind == RATE:
        return f"{round(float(cell) * 100, 1):g}%"
    if kind == MONEY:
        return f"{float(cell):.2f}"
    if kind == SCORE:
        return f"{float(cell):.2f}"
    if kind == TEXT:
        return csv_safe(cell)
    return csv_safe(cell)


def table_csv(data, tbl):
    threshold = threshold_of(data)
    columns = shown_columns(tbl, data.get("comparisons"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_safe(tbl.get("row_header") or "")]
                    + [csv_safe(c["label"]) for c in columns])
    rows = list(tbl.get("rows", []))
    if tbl.get("total"):
        rows.append(tbl["total"])
    for r in rows:
        writer.writerow([csv_safe(r.get("label", ""))]
                        + [csv_value(cell_of(r, c), c.get("kind"), threshold) for c in columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_csv(report, table_key):
    """The CSV bytes of the table `table_key` of `report`'s snapshot. KeyError when the
    snapshot has no such table (the download view answers 404)."""
    data = report.data or {}
    tbl = find_table(data, table_key)
    if tbl is None:
        raise KeyError(table_key)
    return table_csv(data, tbl)
