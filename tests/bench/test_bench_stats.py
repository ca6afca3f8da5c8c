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


def test_results_open_with_each_target_and_whether_it_was_met(tmp_path):
    page = {"status": 200, "rps": 100.0, "p50_ms": 2.0, "p95_ms": 4.0, "floor_rps": 1000.0,
            "floor_p50_ms": 1.0}
    results = {
        "pages": {"1": [{**page, "name": "home", "ratio": 0.6, "target": (">=", 0.5)},
                        {**page, "name": "My training", "ratio": 0.02, "target": (">=", 0.1)},
                        {**page, "name": "the booking POST", "ratio": 0.07,
                         "target": (">=", 0.05)}]},
        "scaling": [{"name": "home", "ratio_1": 0.6, "ratio_10": 0.54, "ratio": 0.9}],
        "queries": [{"name": "home", "counts": {"1": 0, "10": 0}, "equal": True},
                    {"name": "My training", "counts": {"1": 15, "10": 16}, "equal": False}],
        "query_scales": ["1", "10"],
        "storm": {"rows": [{"name": "oversold", "value": 0, "target": ("==", 0)},
                           {"name": "seconds to fill the 250 places", "value": 12.5,
                            "target": ("<", 10)}]},
        "documents": {"rows": [{"name": "certificate PDF, seconds each", "value": 0.12,
                                "target": ("<", 0.3)}]},
    }
    md = markdown(results)
    assert md.index("## Targets") < md.index("## Pages at scale 1")
    assert "| home, scale 1: req/s / floor req/s | 0.600 | >= 0.5 | yes |" in md
    assert "| My training, scale 1: req/s / floor req/s | 0.020 | >= 0.1 | no |" in md
    assert "| the booking POST, scale 1: req/s / floor req/s | 0.070 | >= 0.05 | yes |" in md
    assert "| home: ratio at scale 10 / ratio at scale 1 | 0.900 | >= 0.8 | yes |" in md
    assert ("| SQL queries per page, scale 10 against scale 1 | not equal | == equal | no |"
            in md)
    assert "| last-place storm: seconds to fill the 250 places | 12.5 | < 10 | no |" in md
    assert "| certificate PDF, seconds each | 0.120 | < 0.3 | yes |" in md
    # A page not measured is listed, without a figure.
    assert "| a course page, scale 1: req/s / floor req/s | - | >= 0.5 | - |" in md
