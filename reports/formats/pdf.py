"""The report as a PDF board pack (WeasyPrint, through core.pdf): a cover (partnership,
title, period, the periods compared, when it was produced), the contents with page numbers,
an annual report's narrative, then each part, section and table with its chart and notes;
page numbers and a running header on every page.

Long tables are split: a table of more than ROWS_PER_TABLE rows is drawn as several tables of
that many rows, each with its own header and caption ("Attendance by organisation
(continued)"). WeasyPrint lays a table out as a whole, and on a table of hundreds of rows it
slows down and holds a lot of memory; short tables cost neither.

A board pack does not list thousands of rows: a table of more than PDF_ROWS rows (attendance
by organisation, at a large partnership's scale) shows its PDF_ROWS largest rows, says so,
and keeps the total of every row; the workbook and the CSV have them all. Nothing can be
worked out from the cut: what the total holds beyond the rows shown is the sum of rows the
workbook shows anyway (a hidden count is left out of every total)."""

from django.utils import timezone

from core.exports import xlsx_text
from core.models import Partnership
from core.pdf import pdf_render

from ..charts import CHART_BARS, _value, long_table_chart_svg
from ..tables import display, is_suppressed
from . import cell_of, iso_date, shown_columns, threshold_of

TEMPLATE = "pdf/report.html"
ROWS_PER_TABLE = 40
PDF_ROWS = 100


def _chart(tbl, threshold, chart_id):
    """The table's bar chart, drawn as the page draws it (reports.charts), or None. A long
    table's chart draws its CHART_BARS largest rows only (the table below has them all)."""
    return long_table_chart_svg(tbl, threshold=threshold, chart_id=chart_id, bars=CHART_BARS)


def _row(r, columns, threshold):
    # Control characters (a bell pasted into an organisation's name) have no glyph: spaces.
    return {"label": xlsx_text(str(r.get("label", ""))),
            "cells": [{"text": xlsx_text(display(cell_of(r, c), c.get("kind"), threshold)),
                       "numeric": c.get("kind") != "text",
                       "suppressed": is_suppressed(cell_of(r, c))} for c in columns]}


def table_blocks(tbl, columns, threshold, rows_per_table=ROWS_PER_TABLE):
    """The table as one or more blocks of at most `rows_per_table` rows: each block is drawn
    as its own <table> with the header; the total sits in the last."""
    rows = [_row(r, columns, threshold) for r in tbl.get("rows", [])]
    chunks = [rows[i:i + rows_per_table] for i in range(0, len(rows), rows_per_table)] or [[]]
    total = _row(tbl["total"], columns, threshold) if tbl.get("total") else None
    blocks = []
    for n, chunk in enumerate(chunks):
        first, last = n == 0, n == len(chunks) - 1
        blocks.append({
            "caption": tbl.get("title", "") + ("" if first else " (continued)"),
            "rows": chunk, "total": total if last else None,
            "first": first, "last": last, "count": len(chunks),
        })
    return blocks


def board_cut(tbl, rows=PDF_ROWS):
    """(the table with its `rows` largest rows, in words what was cut) for a table longer
    than that, else (the table, None). Largest by the charted column, else the first count."""
    all_rows = tbl.get("rows", [])
    if len(all_rows) <= rows:
        return tbl, None
    columns = tbl.get("columns", [])
    key = (tbl.get("chart") or {}).get("column")
    col = (next((c for c in columns if c["key"] == key), None)
           or next((c for c in columns if c.get("kind") == "count"), None))
    if col is None:
        largest, which = all_rows[:rows], "the first"
    else:
        def size(r):
            value = _value(r.get("cells", {}).get(col["key"]), col.get("kind", "count"))
            return -value if value is not None else 0

        largest, which = sorted(all_rows, key=size)[:rows], f"the largest by “{col['label']}”"
    words = (f"This table shows {rows:,} of its {len(all_rows):,} rows: {which}. Its total is "
             "of every row; the workbook (XLSX) and the table's CSV download have them all.")
    return {**tbl, "rows": largest}, words


def pdf_context(report, *, now=None):
    data = report.data or {}
    threshold = threshold_of(data)
    comparisons = data.get("comparisons", [])
    parts = []
    n = 0
    for part in data.get("parts", []):
        sections = []
        for section in part.get("sections", []):
            tables = []
            for tbl in section.get("tables", []):
                n += 1
                columns = shown_columns(tbl, comparisons)
                chart = _chart(tbl, threshold, f"chart-t{n}")
                tbl, cut = board_cut(tbl)
                anchor = f"t{n}"
                tables.append({
                    "anchor": anchor, "title": tbl.get("title", ""),
                    "description": tbl.get("description", ""),
                    "row_header": tbl.get("row_header") or "",
                    "columns": columns, "notes": tbl.get("notes", []),
                    "blocks": table_blocks(tbl, columns, threshold),
                    "chart": chart, "cut": cut,
                    "small_groups": tbl.get("small_groups"),
                })
            sections.append({"anchor": f"s{n}-{section.get('key', '')}",
                             "title": section.get("title", ""), "tables": tables})
        parts.append({"anchor": f"p-{part.get('key', '')}", "title": part.get("title", ""),
                      "sections": sections})
    period = data.get("period", {})
    annual = getattr(report, "kind", "") == "annual"
    return {
        "report": report, "data": data, "partnership": Partnership.load(),
        "title": data.get("title") or str(report),
        "period_label": period.get("label", ""),
        "period_start": iso_date(period.get("start")), "period_end": iso_date(period.get("end")),
        "comparisons": comparisons, "threshold": threshold,
        "parts": parts, "many_parts": len(parts) > 1,
        "annual": annual, "narrative": report.narrative if annual else "",
        "draft": annual and report.issued_at is None,
        "generated": report.generated_at or now or timezone.now(),
    }


def render_pdf(report, *, now=None):
    """The PDF's bytes for `report`, from its snapshot (and, for an annual report, its
    narrative and whether it has been issued)."""
    return pdf_render(TEMPLATE, pdf_context(report, now=now))
