"""Build a report snapshot (Report.data, in the shape reports/tables.py documents).

Every section of reports.figures.SECTIONS is asked for its tables for the period and for the
periods it is compared with (the period just before, and the same dates a year earlier);
compared columns are merged beside the current ones by row label, then reports.privacy
suppresses small counts. An annual report has four parts: the whole programme, then
training about children, about adults and joint training (DSPP's separate reports)."""

from django.utils.module_loading import import_string

from core.models import Partnership
from courses.models import Audience
from reports import periods, privacy
from reports.figures import SECTIONS
from reports.models import ReportKind
from reports.tables import COUNT, SNAPSHOT_VERSION

TITLES = {
    ReportKind.QUARTERLY: "Quarterly training report",
    ReportKind.ANNUAL: "Annual training report",
    ReportKind.CUSTOM: "Training report",
}

ALL_PART = ("all", "Whole programme", None)
ANNUAL_PARTS = [
    ALL_PART,
    ("children", "Training about children", Audience.CHILDREN),
    ("adults", "Training about adults", Audience.ADULTS),
    ("joint", "Joint training (children and adults)", Audience.JOINT),
]

# What the progress line says while each section is being counted.
PROGRESS_LABELS = {
    "activity": "Counting events and places",
    "demand": "Counting waiting-list demand",
    "attendance": "Counting attendance",
    "elearning": "Counting e-learning completions",
    "evaluation": "Summarising evaluations",
    "charging": "Adding up charges",
}


def _section_modules():
    """(key, title, tables function) for each section of reports.figures.SECTIONS."""
    return [(key, title, import_string(f"{path}.tables")) for key, title, path in SECTIONS]


def _empty_cell(kind):
    return 0 if kind == COUNT else None


def merge_comparisons(current, compared):
    """The current tables with, beside each column marked compare=True, the same column
    for each compared period ("<key>@<period key>"). Rows are matched by label; a row seen
    only in a compared period still appears, with 0 (or a dash) in the current columns.
    `compared`: [(period key, period label, tables of that period)]."""
    merged = []
    for tbl in current:
        tbl = {**tbl, "columns": [dict(c) for c in tbl["columns"]],
               "rows": [{**r, "cells": dict(r["cells"])} for r in tbl["rows"]],
               "total": ({**tbl["total"], "cells": dict(tbl["total"]["cells"])}
                         if tbl.get("total") else None)}
        compare_cols = [c for c in tbl["columns"] if c.get("compare")]
        if not compare_cols:
            merged.append(tbl)
            continue
        by_label = {r["label"]: r for r in tbl["rows"]}
        columns = []
        for col in tbl["columns"]:
            columns.append(col)
            if not col.get("compare"):
                continue
            for key, label, _tables in compared:
                extra = {"key": f"{col['key']}@{key}", "label": label, "kind": col["kind"],
                         "compare": False, "compares": col["key"], "period": key}
                if "of" in col:
                    extra["of"] = [f"{k}@{key}" for k in col["of"]]
                columns.append(extra)
        kinds = {c["key"]: c["kind"] for c in tbl["columns"]}
        for key, _label, tables in compared:
            other = next((t for t in tables if t["key"] == tbl["key"]), None)
            other_rows = other["rows"] if other else []
            for other_row in other_rows:
                row = by_label.get(other_row["label"])
                if row is None:
                    row = {**other_row, "label": other_row["label"],
                           "cells": {k: _empty_cell(kinds[k]) for k in kinds}}
                    by_label[row["label"]] = row
                    tbl["rows"].append(row)
            for row in tbl["rows"]:
                source = next((r for r in other_rows if r["label"] == row["label"]), None)
                for col in compare_cols:
                    cell = (source["cells"].get(col["key"]) if source
                            else _empty_cell(col["kind"]))
                    row["cells"][f"{col['key']}@{key}"] = cell
            if tbl["total"] is not None:
                other_total = (other or {}).get("total") or {"cells": {}}
                for col in compare_cols:
                    tbl["total"]["cells"][f"{col['key']}@{key}"] = other_total["cells"].get(
                        col["key"], _empty_cell(col["kind"]))
        tbl["columns"] = columns
        merged.append(tbl)
    return merged


def build_snapshot(kind, start, end, *, progress=None, partnership=None):
    """The report's data for `kind` (ReportKind value) over start..end (dates)."""
    partnership = partnership or Partnership.load()
    period = periods.period(start, end)
    compared_periods = periods.comparisons(period)
    parts = ANNUAL_PARTS if kind == ReportKind.ANNUAL else [ALL_PART]
    modules = _section_modules()
    steps = max(len(parts) * len(modules), 1)
    done = 0
    data = {
        "version": SNAPSHOT_VERSION,
        "kind": str(kind),
        "title": f"{TITLES.get(kind, 'Training report')}: {period.label}",
        "period": period.as_dict(),
        "comparisons": [{"key": key, **p.as_dict()} for key, p in compared_periods],
        "threshold": partnership.report_small_count_threshold,
        "parts": [],
    }
    for part_key, part_title, audience in parts:
        sections = []
        for section_key, section_title, tables_of in modules:
            current = tables_of(period, audience=audience, partnership=partnership)
            compared = [
                (key, p.label, tables_of(p, audience=audience, partnership=partnership))
                for key, p in compared_periods
            ]
            tables = merge_comparisons(current, compared)
            if part_key != "all":
                for tbl in tables:
                    tbl["key"] = f"{part_key}-{tbl['key']}"
                    for row in tbl["rows"]:  # reports.privacy's hints name tables too
                        if row.get("links"):
                            row["links"] = [(f"{part_key}-{key}", label)
                                            for key, label in row["links"]]
            sections.append({"key": section_key, "title": section_title, "tables": tables})
            done += 1
            if progress:
                progress(int(done * 100 / steps),
                         PROGRESS_LABELS.get(section_key, f"Counting {section_title.lower()}"))
        data["parts"].append({"key": part_key, "title": part_title, "sections": sections})
    privacy.apply(data)
    return data
