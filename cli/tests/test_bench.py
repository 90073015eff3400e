"""The benchmark's pure logic (cli/ctxflow/bench): stepping, lag verdicts, percentiles, the report.

Performance itself is measured by `make bench`, never asserted here: no timings in these tests.
"""

from __future__ import annotations

import pytest

from ctxflow.bench.lag import table_topic
from ctxflow.bench.report import render_markdown
from ctxflow.bench.stats import (
    VertexLoad,
    bottleneck,
    change_points,
    lag_verdict,
    latency_summary,
    next_rate,
    operator_kind,
    percentile,
    ratio,
    sustained_rate,
)


def test_percentile_interpolates_between_ranks():
    values = [10, 20, 30, 40, 50]
    assert percentile(values, 0) == 10
    assert percentile(values, 50) == 30
    assert percentile(values, 100) == 50
    assert percentile(values, 95) == pytest.approx(48)
    assert percentile([7], 99) == 7
    assert percentile([], 50) is None
    with pytest.raises(ValueError):
        percentile(values, 101)


def test_latency_summary_is_order_free_and_counts():
    s = latency_summary([30.0, 10.0, 20.0])
    assert s == {"n": 3, "p50": 20.0, "p95": 29.0, "p99": 29.8, "max": 30.0}
    assert latency_summary([]) == {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}


def test_rate_doubles_while_every_step_keeps_up():
    assert next_rate([], 500, 2, 32000) == 500
    assert next_rate([(500, True)], 500, 2, 32000) == 1000
    assert next_rate([(500, True), (1000, True)], 500, 2, 32000) == 2000


def test_rate_is_capped_by_the_generator_and_then_stops():
    assert next_rate([(500, True), (1000, True)], 500, 2, 1500) == 1500
    assert next_rate([(500, True), (1000, True), (1500, True)], 500, 2, 1500) is None


def test_one_refinement_between_the_last_pass_and_the_first_failure():
    history = [(500, True), (1000, True), (2000, False)]
    midpoint = next_rate(history, 500, 2, 32000)
    assert 1000 < midpoint < 2000
    assert next_rate([*history, (midpoint, True)], 500, 2, 32000) is None
    assert next_rate([*history, (midpoint, True)], 500, 2, 32000, refine=2) is not None


def test_stepping_stops_when_the_first_step_fails_or_the_bracket_is_tight():
    assert next_rate([(500, False)], 500, 2, 32000) is None
    assert next_rate([(1000, True), (1050, False)], 500, 2, 32000) is None


def test_sustained_is_the_best_passing_rate():
    assert sustained_rate([(500, True), (1000, True), (2000, False), (1410, True)]) == 1410
    assert sustained_rate([(500, False)]) is None


def test_lag_bounded_keeps_up_growing_lag_does_not():
    steady = [(0, 120), (10, 300), (20, 150)]
    assert lag_verdict(steady, rate=1000).keeps_up
    growing = [(0, 100), (10, 8000), (20, 16000)]
    v = lag_verdict(growing, rate=1000)
    assert not v.keeps_up and v.growth == 15900 and v.samples == 3
    high_but_flat = [(0, 9000), (10, 9100)]
    assert not lag_verdict(high_but_flat, rate=1000).keeps_up  # ends above 3 s of input
    assert not lag_verdict([], rate=1000).keeps_up
    assert not lag_verdict([(0, 10)], rate=1000).keeps_up  # a single observation proves nothing


def test_change_points_keep_only_fresh_metric_values():
    samples = [(0, 10, 5), (1, 10, 50), (2, 10, 90), (3, 200, 4), (4, 200, 60), (5, 350, 8)]
    assert change_points(samples) == [(0, 5), (3, 4), (5, 8)]


def test_operator_kind_names_what_a_vertex_does():
    assert operator_kind("Source: raw_plays[1] -> Calc[2]") == "deserialization"
    assert operator_kind("Deduplicate[152] -> Calc[153]") == "state"
    assert operator_kind("TemporalJoin[160] -> Calc[161] -> ad_decisions[162]: Writer") == "state"
    assert operator_kind("Calc[5] -> dead_letter[6]: Writer -> dead_letter[6]: Committer") == "sink"


def test_bottleneck_prefers_the_broker_when_it_burns_the_cpu():
    loads = [VertexLoad("dead_letter", "Source: raw_plays[1] -> Calc[2]", 900, 0)]
    b = bottleneck({"kafka": 1.2, "taskmanager": 0.5}, 0.95, 2, loads)
    assert b["kind"] == "CPU of the broker" and b["cpu_saturated"]


def test_bottleneck_skips_backpressured_vertices():
    loads = [
        VertexLoad("ad_eligibility", "Source: raw_plays[1] -> Calc[2]", 950, 800),  # waits on downstream
        VertexLoad("ad_eligibility", "OverAggregate[5] -> Calc[6]", 700, 10),
        VertexLoad("dead_letter", "Calc[3] -> dead_letter[4]: Writer", 100, 0),
    ]
    b = bottleneck({"kafka": 0.2, "taskmanager": 1.6}, 0.97, 2, loads)
    assert b["kind"] == "state"
    assert b["busiest_vertex"]["vertex"].startswith("OverAggregate")


def test_ratio_guards_missing_figures():
    assert ratio(1000, 4000) == 0.25
    assert ratio(None, 4000) is None
    assert ratio(1000, 0) is None


def test_source_tables_map_to_their_topics():
    assert table_topic("raw_plays", "bench.1.") == "bench.1.plays"
    assert table_topic("bench_raw_plays", "bench.1.") == "bench.1.plays"
    assert table_topic("pt_ad_requests", "bench.1.") == "bench.1.ad_requests"
    assert table_topic("ad_eligibility_versions", "p.") == "p.ad_eligibility"
    assert table_topic("context_thresholds", "p.") == "p.rules.context_thresholds"


def test_report_renders_every_section_with_missing_figures():
    result = {
        "date": "2026-11-27 12:00 UTC",
        "machine": {"cores": 2, "memory_gib": 23.5, "flink": "2.2.1"},
        "deploy": {"cold_s": 120.0, "rerun_s": 16.0, "seed_s": 30.0, "streaming_jobs": 6},
        "throughput": {
            "sustained_events_per_s": 2000.0,
            "window_s": 25,
            "steps": [
                {
                    "rate_asked": 4000,
                    "rate_sent": 3990.0,
                    "keeps_up": False,
                    "jobs": {"dead_letter": {"keeps_up": False}, "personas": {"keeps_up": True}},
                    "cpu_cores": {"taskmanager": 1.5, "kafka": 0.2, "bench": 0.3},
                    "machine_cpu_busy": 0.98,
                }
            ],
        },
        "latency": {},
        "ceilings": {"engine_passthrough_events_per_s": 100000, "pipeline_vs_engine": 0.02},
        "kpi_layer": {"runs": []},
        "bottleneck": None,
        "notes": ["a note"],
        "timings_s": {"total_s": 800.0},
    }
    text = render_markdown(result)
    assert "# Benchmarks" in text
    assert "2,000 events/s" in text and "100,000 events/s" in text
    assert "| 4,000 | 3,990 | falls behind | dead_letter | 98 % |" in text
    assert "- a note" in text and "n/a" in text
