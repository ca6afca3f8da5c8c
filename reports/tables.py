"""The shape of a report snapshot (Report.data), shared by the figures that fill it and the
page, PDF, XLSX and CSV that draw it. Plain dicts and lists, so it is stored as JSON.

    data = {
        "version": 1,
        "kind": "quarterly", "title": "Quarterly training report: July to September 2026",
        "period": {"start": "2026-07-01", "end": "2026-09-30", "label": "July to September 2026"},
        "comparisons": [                     # the periods each compared figure sits beside
            {"key": "previous", "label": "April to June 2026", "start": ..., "end": ...},
            {"key": "year_before", "label": "July to September 2025", "start": ..., "end": ...},
        ],
        "threshold": 3,                      # Partnership.report_small_count_threshold then
        "parts": [                           # quarterly: one part; annual: all, children,
            {"key": "all", "title": "Whole programme",  # adults, joint (DSPP)
             "sections": [
                {"key": "activity", "title": "Events and places", "tables": [table, ...]},
             ]},
        ],
    }

    table = {
        "key": "attendance-by-sector",       # unique within the report (part key prefixed
        "title": "Attendance by sector",     #   by the builder for annual parts)
        "description": "...",                # one sentence under the title (optional)
        "row_header": "Sector",
        "columns": [column, ...],
        "rows": [{"label": "Statutory agency", "cells": {column_key: cell}}, ...],
        "total": {"label": "Total", "cells": {...}} or None,
        "small_groups": True,                # cells under the threshold are suppressed
        "chart": {"column": "attended"} or None,  # a bar chart of one column, by row
        "notes": ["How a figure is counted", ...],
    }

    column = {"key": "attended", "label": "Attended", "kind": COUNT | RATE | MONEY | SCORE | TEXT,
              "compare": True,               # the builder adds "attended@previous" and
                                             #   "attended@year_before" columns beside it
              "of": ["no_show", "booked"]}   # RATE only: numerator and denominator columns

A cell is a number (int; float for RATE 0..1 and SCORE; str "12.50" for MONEY), None (no
figure: shown as a dash), text for TEXT columns, or SUPPRESSED ({"suppressed": True}: shown
as "fewer than 3")."""

from decimal import Decimal

COUNT = "count"
RATE = "rate"
MONEY = "money"
SCORE = "score"
TEXT = "text"

SNAPSHOT_VERSION = 1


def suppressed_cell():
    return {"suppressed": True}


def is_suppressed(cell):
    return isinstance(cell, dict) and cell.get("suppressed") is True


def column(key, label, kind=COUNT, of=None, compare=False):
    """compare=True: the builder adds this column for the previous quarter and the same
    quarter a year earlier beside it (keys "<key>@previous", "<key>@year_before")."""
    col = {"key": key, "label": label, "kind": kind, "compare": compare}
    if of is not None:
        col["of"] = list(of)
    return col


def row(label, **cells):
    return {"label": label, "cells": cells}


def table(key, title, *, row_header, columns, rows, total=None, small_groups=False, chart=None,
          description="", notes=()):
    return {
        "key": key, "title": title, "description": description, "row_header": row_header,
        "columns": list(columns), "rows": list(rows), "total": total,
        "small_groups": small_groups, "chart": chart, "notes": list(notes),
    }


def rate(numerator, denominator):
    """A rate as a fraction 0..1, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return numerator / denominator


def money(value):
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


def suppressed_text(cell, threshold=3):
    """The words for a hidden cell: a count under the threshold is "fewer than 3"; a larger
    count hidden only so that a small one next to it cannot be worked out by subtraction
    (reports.privacy marks it secondary) is "withheld", since "fewer than 3" would be false."""
    if isinstance(cell, dict) and cell.get("secondary"):
        return "withheld"
    return f"fewer than {threshold}"


def display(cell, kind, threshold=3):
    """A cell as the page, PDF and CSV show it (XLSX writes the number itself)."""
    if is_suppressed(cell):
        return suppressed_text(cell, threshold)
    if cell is None:
        return "–"
    if kind == COUNT:
        return f"{int(cell):,}"
    if kind == RATE:
        return f"{round(cell * 100):d}%"
    if kind == MONEY:
        return f"£{Decimal(cell):,.2f}"
    if kind == SCORE:
        return f"{cell:.2f}"
    return str(cell)


def all_tables(data):
    """Every table of a snapshot, in order, with the part and section it sits in."""
    for part in data.get("parts", []):
        for section in part.get("sections", []):
            for tbl in section.get("tables", []):
                yield part, section, tbl


def find_table(data, key):
    for _part, _section, tbl in all_tables(data):
        if tbl["key"] == key:
            return tbl
    return None
