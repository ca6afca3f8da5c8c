"""The benchmark runner's arithmetic and its report (bench/stats.py): percentiles, ratios,
targets and the two result files."""

import json

from bench.stats import markdown, meets, percentile, ratio, results_write


def test_percentile_interpolates_between_ranks():
    values = [10, 20, 30, 40, 50]
    assert percentile(values, 50) == 30
    assert percentile(values, 0) == 10
    assert percentile(values, 100) == 50
    # 95th of five: rank 3.8 of 0..4, so 40 + 0.8 * 10.
    assert percentile(values, 95) == 48
    assert percentile([7], 95) == 7
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2  # sorted first


def test_ratio_to_the_floor():
    assert ratio(325, 6500) == 0.05
    assert ratio(None, 6500) is None
    assert ratio(100, 0) is None


def test_targets():
    assert meets(0.5, (">=", 0.5)) is True
    assert meets(0.49, (">=", 0.5)) is False
    assert meets(9.9, ("<", 10)) is True
    assert meets(1, ("==", 0)) is False
    assert meets(None, (">=", 0.5)) is None
    assert meets(3, None) is None


def test_results_written_with_every_figure_its_floor_ratio_and_target(tmp_path):
    results = {
        "date": "2026-11-30 21:10 UTC", "commit": "abc1234", "seconds": 600.0,
        "machine": {"cores": 2, "ram_gb": 23.4, "cpu": "Xeon", "python": "3.13.1",
                    "postgresql": "16.4", "redis": "7.0"},
        "method": "wrk",
        "pages": {"1": [{"name": "home", "status": 200, "rps": 3250.0, "p50_ms": 2.0,
                         "p95_ms": 4.0, "floor_rps": 6500.0, "floor_p50_ms": 1.0,
                         "ratio": 0.5, "target": (">=", 0.5)}]},
        "queries": [{"name": "home", "counts": {"1": 4, "10": 4}, "equal": True}],
        "query_scales": ["1", "10"],
        "email": {"rows": [{"name": "emails per second", "value": 300.0, "floor": 1000.0,
                            "ratio": 0.3, "target": (">=", 0.5)}]},
        "reports": {"not_measured": "reports not landed"},
    }
    results_write(results, tmp_path)
    assert json.loads((tmp_path / "results.json").read_text())["pages"]["1"][0]["rps"] == 3250
    md = (tmp_path / "results.md").read_text()
    assert "2 cores, 23.4 GB RAM" in md and "PostgreSQL 16.4" in md and "abc1234" in md
    assert "| home | 200 | 3,250.0 | 2.0 | 4.0 | 6,500.0 | 1.0 | 0.500 | >= 0.5 | yes |" in md
    assert "| home | 4 | 4 | yes |" in md
    # Email: the ratio 0.3 is compared with the target, and misses it.
    assert "| emails per second | 300.0 | 1,000.0 | 0.300 | >= 0.5 | no |" in md
    assert "Not measured: reports not landed" in md
    assert markdown(results) == md
