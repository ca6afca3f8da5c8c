"""The benchmark's arithmetic and its report: no Django, no I/O but the two result files, so
tests/bench checks it directly."""

import json
import math
from pathlib import Path


def percentile(values, p):
    """The p-th percentile (0-100) of `values`, interpolated between the two nearest ranks
    (numpy's default). None for no values."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * p / 100
    low, high = math.floor(k), math.ceil(k)
    return data[low] + (data[high] - data[low]) * (k - low)


def median(values):
    return percentile(values, 50)


def ratio(value, floor):
    """value / floor, or None when either is missing or the floor is 0."""
    if value is None or not floor:
        return None
    return value / floor


def fmt(value, digits=1):
    """A figure for the report: thousands separated, "-" for missing."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if abs(value) < 1 and value != 0:
            return f"{value:.3f}"
        return f"{value:,.{digits}f}"
    return str(value)


def meets(value, target):
    """Whether `value` meets a target written as (">=", 0.5), ("<", 10), ("==", 0)."""
    if value is None or target is None:
        return None
    op, bound = target
    return {">=": value >= bound, "<": value < bound, "<=": value <= bound,
            "==": value == bound}[op]


def target_text(target):
    if target is None:
        return "-"
    bound = target[1]
    return f"{target[0]} {bound:g}" if isinstance(bound, (int, float)) else f"{target[0]} {bound}"


def _table(headers, rows):
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    out += ["| " + " | ".join(fmt(c) for c in row) + " |" for row in rows]
    return out


ANONYMOUS_PAGES = ("home", "catalogue, no filter", "catalogue, filtered", "a course page",
                   "an event page")
SIGNED_IN_PAGES = ("an event page, signed in", "My training", "an event register")


def _row(section, words):
    """The first row of a storm / reports / documents / email section whose name has `words`."""
    rows = (section or {}).get("rows", []) if isinstance(section, dict) else (section or [])
    return next((r for r in rows if words in r["name"]), None)


def targets(results):
    """Each target of issue 14 beside its figure: (measure, figure, target, met)."""
    out = []
    pages = {p["name"]: p for p in results.get("pages", {}).get("1", [])}
    for names, target in ((ANONYMOUS_PAGES, (">=", 0.5)), (SIGNED_IN_PAGES, (">=", 0.1)),
                          (("the booking POST",), (">=", 0.05))):
        for name in names:
            ratio_ = pages.get(name, {}).get("ratio")
            out.append((f"{name}, scale 1: req/s / floor req/s", ratio_, target,
                        meets(ratio_, target)))
    for row in results.get("scaling", []):
        out.append((f"{row['name']}: ratio at scale 10 / ratio at scale 1", row.get("ratio"),
                    (">=", 0.8), meets(row.get("ratio"), (">=", 0.8))))
    if results.get("queries") and len(results.get("query_scales", [])) > 1:
        equal = all(q.get("equal") for q in results["queries"])
        out.append(("SQL queries per page, scale 10 against scale 1",
                    "equal" if equal else "not equal", ("==", "equal"), equal))
    storm = results.get("storm")
    for words in ("oversold", "server errors", "seconds to fill"):
        row = _row(storm, words)
        if row:
            out.append((f"last-place storm: {row['name']}", row.get("value"),
                        row.get("target"), meets(row.get("value"), row.get("target"))))
    reports = results.get("reports")
    for words in ("scale 1: quarterly: page + PDF + XLSX", "quarterly: time at scale 10"):
        row = _row(reports, words)
        if row:
            out.append((row["name"], row.get("value"), row.get("target"),
                        meets(row.get("value"), row.get("target"))))
    row = _row(results.get("documents"), "certificate PDF, seconds each")
    if row:
        out.append((row["name"], row.get("value"), row.get("target"),
                    meets(row.get("value"), row.get("target"))))
    row = _row(results.get("email"), "bare smtplib")
    if row:
        out.append((f"{row['name']} (ratio)", row.get("ratio"), row.get("target"),
                    meets(row.get("ratio"), row.get("target"))))
    return out


def targets_table(results):
    """The targets as a markdown table (results.md opens with it; the README quotes it)."""
    return _table(["target of issue 14", "figure", "target", "met"],
                  [(name, figure, target_text(target), met)
                   for name, figure, target, met in targets(results)])


def markdown(results):
    """bench/results.md from the results dict bench/run.py collects (see its keys)."""
    m = results.get("machine", {})
    lines = ["# Benchmark results (issue 14)", "",
             f"Made by `make bench` on {results.get('date', '-')}, commit "
             f"`{results.get('commit', '-')}`, in {fmt(results.get('seconds'), 0)} s.", "",
             f"Machine: {m.get('cores', '-')} cores, {m.get('ram_gb', '-')} GB RAM, "
             f"{m.get('cpu', '-')}; Python {m.get('python', '-')}, PostgreSQL "
             f"{m.get('postgresql', '-')}, Redis {m.get('redis', '-')}.", "",
             f"Method: {results.get('method', '-')}", "",
             "## Targets", "", *targets_table(results), ""]
    for scale, pages in sorted(results.get("pages", {}).items(), key=lambda kv: float(kv[0])):
        lines += [f"## Pages at scale {scale}", "",
                  *_table(["page", "status", "req/s", "p50 ms", "p95 ms", "floor req/s",
                           "floor p50 ms", "ratio", "target", "met"],
                          [(p["name"], p.get("status"), p.get("rps"), p.get("p50_ms"),
                            p.get("p95_ms"), p.get("floor_rps"), p.get("floor_p50_ms"),
                            p.get("ratio"), target_text(p.get("target")),
                            meets(p.get("ratio"), p.get("target")))
                           for p in pages]), ""]
    if results.get("scaling"):
        lines += ["## Scale 10 against scale 1 (each page's ratio to its floor)", "",
                  *_table(["page", "ratio at 1", "ratio at 10", "10 / 1", "target", "met"],
                          [(r["name"], r.get("ratio_1"), r.get("ratio_10"), r.get("ratio"),
                            target_text((">=", 0.8)), meets(r.get("ratio"), (">=", 0.8)))
                           for r in results["scaling"]]), ""]
    if results.get("queries"):
        scales = results.get("query_scales", [])
        lines += ["## SQL queries per page", "",
                  *_table(["page", *[f"scale {s}" for s in scales], "equal"],
                          [(q["name"], *[q["counts"].get(str(s)) for s in scales],
                            q.get("equal")) for q in results["queries"]]), ""]
    for key, title in (("storm", "Last-place storm"), ("reports", "Reports"),
                       ("documents", "Documents"), ("email", "Email")):
        section = results.get(key)
        if not section:
            continue
        lines += [f"## {title}", ""]
        if isinstance(section, dict) and section.get("not_measured"):
            lines += [f"Not measured: {section['not_measured']}", ""]
            continue
        rows = section if isinstance(section, list) else section.get("rows", [])
        lines += _table(["measure", "figure", "floor", "ratio", "target", "met"],
                        [(r["name"], r.get("value"), r.get("floor"), r.get("ratio"),
                          target_text(r.get("target")),
                          meets(r.get("ratio") if r.get("floor") is not None
                                else r.get("value"), r.get("target")))
                         for r in rows])
        if isinstance(section, dict) and section.get("detail"):
            lines += ["", section["detail"]]
        lines.append("")
    for note in results.get("notes", []):
        lines.append(f"- {note}")
    return "\n".join(lines).rstrip() + "\n"


def results_write(results, folder):
    """bench/results.json and bench/results.md."""
    folder = Path(folder)
    (folder / "results.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    (folder / "results.md").write_text(markdown(results))
