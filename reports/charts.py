"""The bar chart beside a report table, drawn on the server from the snapshot
(evaluations.charts.bar_chart_svg: role="img", <title>, <desc>, no script, no style)."""

from decimal import Decimal

from evaluations.charts import bar_chart_svg

from .tables import COUNT, MONEY, RATE, SCORE, display, is_suppressed


def _value(cell, kind):
    if cell is None or is_suppressed(cell) or isinstance(cell, dict):
        return None
    if kind == RATE:
        return float(cell) * 100
    if kind == MONEY:
        return float(Decimal(cell))
    if kind in (COUNT, SCORE):
        return float(cell)
    return None


def table_chart_svg(tbl, *, threshold, chart_id):
    """The chart a table asks for (tbl["chart"] = {"column": key}), or None. Rows without a
    figure, or suppressed ("fewer than 3"), are not drawn: the description names them."""
    spec = tbl.get("chart")
    if not spec:
        return None
    col = next((c for c in tbl["columns"] if c["key"] == spec.get("column")), None)
    if col is None:
        return None
    kind = col.get("kind", COUNT)
    bars, words = [], []
    for row in tbl["rows"]:
        cell = row["cells"].get(col["key"])
        words.append(f"{row['label']}: {display(cell, kind, threshold)}")
        value = _value(cell, kind)
        if value is not None:
            bars.append((row["label"], value))
    if not bars:
        return None
    top = max(max(v for _, v in bars), 0)
    if kind == RATE:
        top = 100
    lowest = min(min(v for _, v in bars), 0)
    title = f"{tbl['title']}: {col['label']}"
    desc = (f"A bar chart of {col['label'].lower()} by {tbl.get('row_header', 'row').lower()}"
            f"{' (per cent)' if kind == RATE else ''}. " + "; ".join(words) + ".")
    return bar_chart_svg(chart_id=chart_id, title=title, desc=desc, bars=bars,
                         max_value=top or 1, min_value=lowest,
                         decimals=2 if kind == SCORE else 0)


# A long table's chart draws at most this many bars (its largest rows); the table has them all.
CHART_BARS = 15


def long_table_chart_svg(tbl, *, threshold, chart_id, bars=CHART_BARS):
    """table_chart_svg, but a table of more than `bars` rows is drawn as its `bars` largest
    rows (by the charted column), titled "..., the 15 largest of 2,087": hundreds of bars
    (and a text alternative naming every row) would help nobody and cost the page and the
    PDF most of their time. The table beside the chart has every row."""
    spec = tbl.get("chart") or {}
    col = next((c for c in tbl.get("columns", []) if c["key"] == spec.get("column")), None)
    rows = tbl.get("rows", [])
    if col is None or len(rows) <= bars:
        return table_chart_svg(tbl, threshold=threshold, chart_id=chart_id)
    kind = col.get("kind", COUNT)

    def size(r):
        value = _value(r.get("cells", {}).get(col["key"]), kind)
        return -value if value is not None else 0

    largest = sorted(rows, key=size)[:bars]
    tbl = {**tbl, "rows": largest,
           "title": f"{tbl.get('title', '')}, the {bars} largest of {len(rows):,}"}
    return table_chart_svg(tbl, threshold=threshold, chart_id=chart_id)
