"""The report's files, drawn only from its stored snapshot (Report.data, shaped as
reports/tables.py says): a PDF board pack (pdf.render_pdf), an XLSX workbook
(xlsx.render_xlsx) and a CSV file per table (csv.render_csv). Nothing here queries the
figures again, so the files always agree with the page.

Shared here: the columns a table shows (its own, with the compared periods' columns beside
each compared one), and how a snapshot's dates and threshold read."""

from datetime import date

from ..tables import COUNT, MONEY, RATE, SCORE, TEXT, is_suppressed

# Threshold when a snapshot does not say (the default of the partnership setting).
DEFAULT_THRESHOLD = 3


def threshold_of(data):
    return data.get("threshold") or DEFAULT_THRESHOLD


def iso_date(value):
    """A snapshot date ("2026-07-01") as a date, or None."""
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def shown_columns(tbl, comparisons):
    """The table's columns in the order they are shown: each compared column is followed by
    its value for each comparison period ("Attended, April to June 2026"). A snapshot whose
    builder already listed those columns ("attended@previous") is shown as it is; otherwise a
    compared column gets them only where some row holds a figure for them."""
    columns = list(tbl.get("columns", []))
    keys = {c["key"] for c in columns}
    if any("@" in k for k in keys):
        # reports.build labels a compared column with its period only ("April to June
        # 2026"): a file's flat header row names the figure too.
        labels = {c["key"]: c["label"] for c in columns}
        return [{**c, "label": f"{labels[c['compares']]}, {c['label']}"}
                if c.get("compares") in labels else c for c in columns]
    held = set()
    for r in [*tbl.get("rows", []), *([tbl["total"]] if tbl.get("total") else [])]:
        held.update(r.get("cells", {}))
    shown = []
    for col in columns:
        shown.append(col)
        if not col.get("compare"):
            continue
        for comparison in comparisons or []:
            key = f"{col['key']}@{comparison['key']}"
            if key in held and key not in keys:
                shown.append({**col, "key": key, "compare": False,
                              "label": f"{col['label']}, {comparison['label']}"})
    return shown


def cell_of(row, col):
    return (row or {}).get("cells", {}).get(col["key"])


def numeric(cell, kind):
    """A cell as a number a chart or a spreadsheet uses (None when it has none)."""
    if cell is None or is_suppressed(cell) or kind == TEXT:
        return None
    try:
        return float(cell)
    except (TypeError, ValueError):
        return None


def file_stem(data, suffix=""):
    """report-2026-07-01-to-2026-09-30[-suffix]: a file name from the snapshot's period."""
    period = data.get("period", {})
    stem = f"report-{period.get('start', '')}-to-{period.get('end', '')}"
    return f"{stem}-{suffix}" if suffix else stem


__all__ = ["COUNT", "MONEY", "RATE", "SCORE", "TEXT", "cell_of", "file_stem", "iso_date",
           "numeric", "shown_columns", "threshold_of"]
