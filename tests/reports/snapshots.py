"""Hand-made report snapshots (Report.data, shaped as reports/tables.py says) for the tests of
the report's files and narrative: every kind of cell, compared columns, a total, notes."""

from reports.tables import (
    COUNT,
    MONEY,
    RATE,
    SCORE,
    TEXT,
    column,
    row,
    suppressed_cell,
    table,
)

QUARTER = {"start": "2026-07-01", "end": "2026-09-30", "label": "July to September 2026"}
COMPARISONS = [
    {"key": "previous", "label": "April to June 2026", "start": "2026-04-01",
     "end": "2026-06-30"},
    {"key": "year_before", "label": "July to September 2025", "start": "2025-07-01",
     "end": "2025-09-30"},
]


def sector_table():
    """Attendance by sector: 304 of 393 places, as the issue's real report; the voluntary
    sector's 2 no-shows are under the threshold."""
    return table(
        "attendance-by-sector", "Attendance by sector", row_header="Sector",
        columns=[
            {**column("attended", "Attended", COUNT, compare=True)},
            {"key": "attended@previous", "label": "April to June 2026", "kind": COUNT,
             "compare": False, "compares": "attended", "period": "previous"},
            {"key": "attended@year_before", "label": "July to September 2025", "kind": COUNT,
             "compare": False, "compares": "attended", "period": "year_before"},
            column("no_show", "No-shows", COUNT),
            column("no_show_rate", "No-show rate", RATE, of=["no_show", "booked"]),
            column("charged", "Charges raised", MONEY),
            column("gain", "Mean normalised gain", SCORE),
            column("note", "Comment", TEXT),
        ],
        rows=[
            row("Statutory agency", **{"attended": 1234, "attended@previous": 1100,
                                       "attended@year_before": 990}, no_show=18,
                no_show_rate=18 / 1252, charged="1250.50", gain=0.42, note="=HYPERLINK(1)"),
            row("Voluntary and community", **{"attended": 45, "attended@previous": 40,
                                              "attended@year_before": None},
                no_show=suppressed_cell(), no_show_rate=suppressed_cell(), charged="0.00",
                gain=None, note="Bell\x07 here"),
        ],
        total=row("Total", **{"attended": 1279, "attended@previous": 1140,
                              "attended@year_before": 990}, no_show=20,
                  no_show_rate=20 / 1299, charged="1250.50", gain=0.41, note=""),
        small_groups=True, chart={"column": "attended"},
        notes=["A delegate is counted once for each event attended."],
        description="Delegates who attended, by their organisation's sector.")


def places_table():
    return table(
        "places", "Places offered and taken", row_header="Measure",
        columns=[column("value", "Number", COUNT, compare=True)],
        rows=[row("Places offered", value=393), row("Places attended", value=304)],
        total=None, chart=None)


def organisation_table(n=500):
    """A long table: n organisations (suppressed cells every seventh)."""
    rows = [row(f"Organisation {i:03d}", attended=suppressed_cell() if i % 7 == 0 else i + 3,
                rate=0.5) for i in range(n)]
    return table(
        "attendance-by-organisation", "Attendance by organisation",
        row_header="Organisation",
        columns=[column("attended", "Attended", COUNT), column("rate", "Fill rate", RATE)],
        rows=rows, total=row("Total", attended=sum(i + 3 for i in range(n) if i % 7),
                             rate=0.5),
        small_groups=True, chart={"column": "attended"})


def snapshot(*, kind="quarterly", tables=None, parts=None):
    title = ("Annual training report: April 2025 to March 2026" if kind == "annual"
             else "Quarterly training report: July to September 2026")
    tables = tables if tables is not None else [places_table(), sector_table()]
    parts = parts or [{"key": "all", "title": "Whole programme",
                       "sections": [{"key": "attendance", "title": "Who attended",
                                     "tables": tables}]}]
    return {"version": 1, "kind": kind, "title": title, "period": QUARTER,
            "comparisons": COMPARISONS, "threshold": 3, "parts": parts}


def annual_snapshot():
    parts = []
    for key, title in (("all", "Whole programme"), ("children", "Training about children"),
                       ("adults", "Training about adults")):
        tables = [places_table(), sector_table()]
        if key != "all":
            for tbl in tables:
                tbl["key"] = f"{key}-{tbl['key']}"
        parts.append({"key": key, "title": title, "sections": [
            {"key": "attendance", "title": "Who attended", "tables": tables}]})
    data = snapshot(kind="annual", parts=parts)
    data["period"] = {"start": "2025-04-01", "end": "2026-03-31",
                      "label": "April 2025 to March 2026"}
    return data
