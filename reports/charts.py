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
