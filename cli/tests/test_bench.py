"""The benchmark's pure logic (cli/ctxflow/bench): percentiles, drain detection, job naming, flame-graph
frames, ceiling SQL pieces and the report.

Performance itself is measured by `make bench`, never asserted here: no timings in these tests.
"""

from __future__ import annotations

import json
import os

import pytest
from flinkclient.jobnames import short_name

from ctxflow.bench import soak
from ctxflow.bench.ceilings import bounded_offsets, typed_columns
from ctxflow.bench.config import Config
from ctxflow.bench.drain import (
    DrainMoment,
    Round,
    all_caught_up,
    caught_up,
    drain_moment,
    finished,
    last_growth,
    one_per_input,
    refresh_interval_ms,
    remaining,
    settle_moment,
)
from ctxflow.bench.jobmetrics import (
    POSITION,
    JobMetrics,
    gc_time_metrics,
    is_bench_kpi_job,
    is_project_job,
    metric_topic,
    source_window_ms,
)
from ctxflow.bench.load import Loader, make_pool, pool_users, population_round
from ctxflow.bench.report import render_markdown
from ctxflow.bench.stats import (
    DECISION_STAGES,
    VertexLoad,
    busiest_vertex,
    hungriest_vertex,
    latency_summary,
    method_of,
    operator_kind,
    percentile,
    ratio,
    sent_within,
    stage_latencies,
    top_frames,
)
from ctxflow.bench.threadcpu import (
    cores_between,
    cpu_by_duty,
    duty_of,
    machine_busy_seconds,
    process_cpu_seconds,
    thread_names,
)
from ctxflow.bench.throughput import drained, per_job_drain
from ctxflow.bench.warmup import warmup_prefix

PLAYS, VIEWS, ELIG = ("b_plays", 0), ("b_page_views", 0), ("b_ad_eligibility", 0)


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


def test_decision_stages_split_each_request_between_its_marks_and_skip_missing_ones():
    marks = {
        "r1": {"sent": 0.0, "typed": 30.0, "decided": 130.0, "created": 135.0, "received": 140.0},
        "r2": {"sent": 0.0, "typed": 50.0, "decided": 250.0, "created": 251.0, "received": 261.0},
        "r3": {"sent": 0.0, "typed": 40.0},  # not decided yet: counts for the contract stage only
        "r4": {"sent": 0.0, "decided": 90.0, "created": 95.0, "received": 96.0},  # typed copy not seen
    }
    stages = {s["stage"].split(":")[0]: s for s in stage_latencies(marks)}
    assert [s[0].split(":")[0] for s in DECISION_STAGES] == list(stages)
    assert stages["contract group"]["n"] == 3 and stages["contract group"]["max"] == 50.0
    assert stages["decisions job"]["n"] == 2 and stages["decisions job"]["p50"] == 150.0
    assert stages["sink"]["n"] == 3 and stages["sink"]["max"] == 5.0
    assert stages["Kafka to the reader"]["n"] == 3 and stages["Kafka to the reader"]["max"] == 10.0
    warm_up = {"w1": {"sent": -5.0, "typed": 900.0, "decided": 950.0, "created": 951.0, "received": 952.0}}
    measured = {s["stage"]: s for s in stage_latencies({**marks, **warm_up}, since_ms=0.0)}
    assert [s["n"] for s in measured.values()] == [s["n"] for s in stages.values()]  # w1, sent before, left out


def test_a_steps_warm_up_and_window_are_split_by_send_time():
    sent = {"r1": 100.0, "r2": 199.0, "r3": 200.0, "r4": 350.0}
    latencies = {"r1": 500.0, "r2": 400.0, "r3": 60.0, "r4": 50.0, "stray": 9.0}  # "stray": not sent by us
    assert sorted(sent_within(sent, latencies, 200.0)) == [50.0, 60.0]
    assert sorted(sent_within(sent, latencies, 0, 200.0)) == [400.0, 500.0]
    assert sent_within(sent, {"r1": 1.0}, 200.0) == []


def test_the_warm_up_topics_lie_outside_the_runs_prefix():
    run = "bench.1206044133."
    assert warmup_prefix(run) == "bench.1206044133-warmup."
    assert not warmup_prefix(run).startswith(run)  # the measured drain watches every topic under `run`


def test_cores_between_two_snapshots_skip_processes_missing_from_either():
    before = {"taskmanager": 10.0, "kafka": 4.0, "gone": 1.0, "not running": None}
    after = {"taskmanager": 35.0, "kafka": 13.0, "gone": None, "not running": None}
    assert cores_between(before, after, 20.0) == {"taskmanager": 1.25, "kafka": 0.45}


def test_the_machine_and_this_process_have_spent_cpu_time():
    # the kernel's counters: monotonic, and this very process is among the busy ones
    assert machine_busy_seconds() > 0 and process_cpu_seconds(os.getpid()) > 0
    assert process_cpu_seconds(2**22 + 12345) is None  # no such process


def test_a_partition_is_read_when_its_last_record_is():
    assert caught_up(999, 1000)  # currentOffset is the last record read
    assert caught_up(1000, 1000)
    assert not caught_up(998, 1000)
    assert caught_up(None, 0)  # an empty partition needs no reading
    assert not caught_up(None, 5)
    assert remaining({PLAYS: 899, VIEWS: 99}, {PLAYS: 1000, VIEWS: 100}) == 100


def test_a_job_without_source_metrics_has_not_drained():
    r = Round(0, {"a": {PLAYS: 999}, "b": {}}, {PLAYS: 1000})
    assert all_caught_up(r, ["a"])
    assert not all_caught_up(r, ["a", "b"])
    assert not all_caught_up(r, ["a", "c"])  # not deployed yet


def test_drain_moment_interpolates_between_metric_refreshes():
    ends = {PLAYS: 1001}
    rounds = [
        Round(0, {"a": {PLAYS: 0}}, ends),
        Round(1000, {"a": {PLAYS: 0}}, ends),
        Round(10_000, {"a": {PLAYS: 400}}, ends),  # refresh: 400 read in 10 s
        Round(11_000, {"a": {PLAYS: 400}}, ends),
        Round(20_000, {"a": {PLAYS: 800}}, ends),  # refresh: still 200 to go at 40/s -> 5 s more
        Round(21_000, {"a": {PLAYS: 800}}, ends),
        Round(30_000, {"a": {PLAYS: 1000}}, ends),  # refresh: done
        Round(31_000, {"a": {PLAYS: 1000}}, ends),
    ]
    m = drain_moment(rounds, ["a"])
    assert (m.earliest_ms, m.latest_ms) == (20_000, 30_000)
    assert m.at_ms == 25_000
    assert refresh_interval_ms(rounds) == 10_000


def test_outputs_settle_at_the_last_growth_once_quiet_long_enough():
    def at(t, decisions, kpis):
        return Round(t, {}, {}, {"ad_decisions": decisions, "campaign_kpis": kpis})

    rounds = [at(0, 0, 0), at(1000, 50, 0), at(2000, 90, 0), at(3000, 90, 0), at(12_000, 90, 0)]
    assert settle_moment(rounds, quiet_ms=15_000) is None  # quiet for 10 s only: a checkpoint may still commit
    rounds += [at(13_000, 90, 4), at(29_000, 90, 4)]  # the exactly-once KPIs show up at a checkpoint
    assert settle_moment(rounds, quiet_ms=15_000) == DrainMoment(13_000, 12_000, 13_000)
    assert last_growth(rounds) == {"ad_decisions": 2000, "campaign_kpis": 13_000}
    assert last_growth([at(0, 7, 0), at(1000, 7, 0)]) == {"ad_decisions": 0, "campaign_kpis": 0}


def test_decisions_are_counted_against_their_requests_when_the_drain_is_seen():
    r = Round(0, {}, {}, {"p.ad_decisions": 200, "p.valid.ad_requests": 255})
    held = one_per_input(r, {"ad_decisions": "valid.ad_requests"}, "p.")
    assert held == {"ad_decisions": {"out": 200, "in": 255, "input": "valid.ad_requests"}}
    assert one_per_input(r, {"ad_decisions": "valid.ad_requests"}, "q.")["ad_decisions"]["in"] == 0


def test_the_drain_ends_at_the_outputs_last_growth_when_they_settle_after_the_sources():
    def at(t, decisions):
        return Round(t, {"a": {PLAYS: 999}}, {PLAYS: 1000}, {"p.ad_decisions": decisions})

    rounds = [at(0, 0), at(1000, 60), at(2000, 90), at(10_000, 90)]  # sources read; decisions still coming
    assert drained(rounds, ["a"]) is None  # quiet for 8 s only
    rounds.append(at(18_000, 90))
    assert drained(rounds, ["a"]) == DrainMoment(2000, 1000, 2000)


def test_the_backlog_is_drained_when_sources_are_read_and_outputs_settled_whichever_is_later():
    sources, outputs = DrainMoment(20_000, 18_000, 21_000), DrainMoment(30_000, 29_000, 30_000)
    assert finished(sources, outputs) == DrainMoment(30_000, 29_000, 30_000)
    assert finished(sources, DrainMoment(5_000, 4_000, 5_000)) == sources
    assert finished(None, outputs) is None and finished(sources, None) is None


def test_drain_waits_for_the_upstream_of_an_intermediate_topic():
    # b reads a's output: caught up with an end that is still growing does not count until a is done
    rounds = [
        Round(0, {"a": {PLAYS: 500}, "b": {ELIG: 49}}, {PLAYS: 1000, ELIG: 50}),
        Round(10_000, {"a": {PLAYS: 999}, "b": {ELIG: 99}}, {PLAYS: 1000, ELIG: 120}),
        Round(20_000, {"a": {PLAYS: 999}, "b": {ELIG: 119}}, {PLAYS: 1000, ELIG: 120}),
    ]
    m = drain_moment(rounds, ["a", "b"])
    assert m.latest_ms == 20_000 and 10_000 <= m.at_ms <= 20_000
    assert drain_moment(rounds[:2], ["a", "b"]) is None
    assert drain_moment(rounds, ["a"]).latest_ms == 10_000


def test_a_job_first_seen_caught_up_drained_at_that_refresh():
    rounds = [
        Round(0, {"a": {PLAYS: 500}}, {PLAYS: 1000}),
        Round(10_000, {"a": {PLAYS: 999}, "b": {ELIG: 9}}, {PLAYS: 1000, ELIG: 10}),
    ]
    m = drain_moment(rounds, ["b"])
    assert m.at_ms == m.latest_ms == 10_000  # no earlier observation of b to extrapolate from


def test_a_downstream_job_drains_when_it_caught_up_for_good_not_on_its_empty_topic():
    # b is caught up on its empty topic before the backlog reaches it; its moment is after the last
    # round that showed it behind, counted from when reading began
    rounds = [
        Round(0, {"b": {ELIG: -1}}, {ELIG: 0}),
        Round(10_000, {"b": {ELIG: 40}}, {ELIG: 100}),
        Round(20_000, {"b": {ELIG: 99}}, {ELIG: 100}),
    ]
    per_job = per_job_drain(rounds, {"b": "dbt:group.ctxflow.ads#abc"}, start_ms=5_000)
    assert per_job == {"group ads": {"drain_s": 15.0}}


def test_drain_moment_is_none_without_a_drained_round():
    assert drain_moment([], ["a"]) is None
    assert drain_moment([Round(0, {"a": {PLAYS: 1}}, {PLAYS: 10})], ["a"]) is None


def test_position_metrics_are_parsed_and_topics_named_as_flink_does():
    m = POSITION.match("0.Source__raw_plays[3].KafkaSourceReader.topic.bench_1_plays.partition.2.currentOffset")
    assert m and m.group(2) == "bench_1_plays" and m.group(3) == "2"
    assert not POSITION.match("0.Source__t[3].KafkaSourceReader.topic.x.partition.0.committedOffset")
    assert metric_topic("bench.1128.valid.plays") == "bench_1128_valid_plays"


def test_project_jobs_are_dbt_jobs_but_the_bench_kpi_layer():
    assert is_project_job("dbt:model.ctxflow.personas#ab12")
    assert is_project_job("dbt:group.ctxflow.contract#cd34")
    assert not is_project_job("dbt:model.ctxflow.bench_kpis_07#ef56")
    assert is_bench_kpi_job("dbt:group.ctxflow.bench_kpis_g2#0011")
    assert not is_project_job("bench:passthrough")
    assert short_name("dbt:model.ctxflow.personas#ab12") == "personas"
    assert short_name("dbt:group.ctxflow.contract#cd34") == "group contract"


def test_source_window_spans_first_start_to_last_end():
    detail = {
        "vertices": [
            {"name": "Source: a[1] -> b[2]: Writer", "start-time": 1000, "end-time": 5000},
            {"name": "Source: c[3]", "start-time": 1500, "end-time": 7000},
            {"name": "Calc[4]", "start-time": 900, "end-time": 9000},
        ]
    }
    assert source_window_ms([detail]) == (1000, 7000)
    running = {"vertices": [{"name": "Source: c[3]", "start-time": 1500, "end-time": -1}]}
    assert source_window_ms([detail, running]) == (1000, None)


def test_top_frames_rank_self_time_summed_per_frame():
    graph = {
        "endTimestamp": 1,
        "data": {
            "name": "root",
            "value": 100,
            "children": [
                {
                    "name": "Task.run",
                    "value": 70,
                    "children": [
                        {"name": "JsonParser.next:120", "value": 30, "children": []},
                        {"name": "JsonParser.next:131", "value": 10, "children": []},
                        {"name": "HashMap.get", "value": 10, "children": []},
                    ],
                },
                {"name": "Other.run", "value": 30, "children": [{"name": "JsonParser.next", "value": 25}]},
            ],
        },
    }
    frames = top_frames(graph, 3)
    assert frames[0] == {"frame": "JsonParser.next", "self_samples": 65, "share": 0.65}
    assert [f["frame"] for f in frames[1:]] == ["Task.run", "HashMap.get"]  # 20 then 10 (Other.run: 5)
    assert top_frames({"data": {"name": "root", "value": 0}}) == []
    assert method_of("Unsafe.unpark:-2") == "Unsafe.unpark" and method_of("a.b$c:d") == "a.b$c:d"


def test_busiest_vertex_skips_backpressured_and_idle_ones():
    loads = [
        VertexLoad("ad_eligibility", "Source: raw_plays[1] -> Calc[2]", 950, 800),  # waits on downstream
        VertexLoad("ad_eligibility", "OverAggregate[5] -> Calc[6]", 700, 10),
        VertexLoad("dead_letter", "Calc[3] -> dead_letter[4]: Writer", 100, 0),
    ]
    assert busiest_vertex(loads).vertex.startswith("OverAggregate")
    assert busiest_vertex([VertexLoad("x", "Source: y[1]", 0, 0)]) is None
    assert operator_kind("Deduplicate[152] -> Calc[153]") == "state"
    assert operator_kind("Source: raw_plays[1] -> Calc[2]") == "deserialization"


def test_parse_ceiling_columns_follow_the_contract():
    assert typed_columns("ad_requests") == (
        "`request_id` STRING, `user_id` STRING, `ts` BIGINT, `placement` STRING, `country` STRING"
    )
    assert "`price` DECIMAL(12, 2)" in typed_columns("page_views")
    assert bounded_offsets({1: 20, 0: 10}) == "partition:0,offset:10;partition:1,offset:20"


def test_ratio_guards_missing_figures():
    assert ratio(1000, 4000) == 0.25
    assert ratio(None, 4000) is None
    assert ratio(1000, 0) is None


def test_report_renders_every_section_and_missing_figures():
    result = {
        "date": "2026-11-28 12:00 UTC",
        "machine": {"cores": 2, "flink": "2.2.1", "load_avg_at_start": [3.2, 2, 1], "load_avg_at_end": [1, 1, 1]},
        "backlog": {"events": 2_000_000},
        "deploy": {
            "dbt_run_s": 80.0,
            "dbt_seed_s": 30.0,
            "flink_jobs": 6,
            "dbt_run_from_nothing_s": 40.5,
            "dbt_run_profiles_s": 28.5,
            "from_nothing_flink_jobs": 6,
        },
        "throughput": {
            "drained": True,
            "events": 2_000_000,
            "flink_jobs": 6,
            "drain_s": 160.0,
            "drain_s_bracket": [155.0, 165.0],
            "events_per_s": 12500,
            "metric_refresh_ms": 10000.0,
            "per_job": {"personas": {"drain_s": 150.0}, "dead_letter": {"drain_s": 90.5}},
            "quiet_s": 15.0,
            "sources_read_s": 151.0,
            "outputs_last_grew_s": {"valid.plays": 120.0, "ad_decisions": 160.0},
            "one_per_input_when_drained": {"ad_decisions": {"out": 12, "in": 2500, "input": "valid.ad_requests"}},
        },
        "ceilings": {
            "parse": {"events_per_s": 250_000, "drain_s": 8.0, "pipeline_share": 0.05},
            "passthrough": {"events_per_s": 500_000, "drain_s": 4.0, "pipeline_share": 0.025},
            "broker": {"events_per_s": None, "drain_s": 300.0, "pipeline_share": None},
        },
        "jvm_warmup": {"events": 400_000, "flink_jobs": 7, "drained": True},
        "latency": [
            {
                "rate_asked": 200,
                "rate_sent": 199.5,
                "warmup_s": 20,
                "window_s": 60,
                "ad_request_to_decision_ms": {"n": 10, "p50": 400.0, "p95": 900.0, "p99": 1000.0},
                "warmup_ad_request_to_decision_ms": {"n": 4, "p50": 500.0, "p95": 1200.0, "p99": 1500.0},
                "cpu_cores_while_sending": {"taskmanager": 1.25, "kafka": 0.36, "machine": 1.98},
                "taskmanager_cpu_while_sending": {"by_duty": [{"what": "job: group ads", "cores": 0.7}]},
                "decision_stages_ms": [
                    {"stage": "sink: decided to written", "n": 10, "p50": 2.0, "p95": 5.0, "p99": 7.5}
                ],
                "slow_decisions": {
                    "slower_than_ms": 250.0,
                    "spans": 3,
                    "requests": 1200,
                    "longest_span_ms": 480.5,
                    "beside": [{"what": "a checkpoint of group ads", "spans": 2, "requests": 1100}],
                    "beside_nothing": {"spans": 1, "requests": 100},
                },
                "context_play_to_eligibility_ms": {"n": 0, "p50": None, "p95": None, "p99": None},
            }
        ],
        "nba": {
            "udf": {"rows": 200_000, "us_per_call": 31.5},
            "decline_to_action_ms": {"rate": 5.0, "sent": 150, "n": 150, "p50": 120.0, "p95": 180.0, "p99": 230.0},
        },
        "profile": {
            "busiest": {"job": "personas", "vertex": "Source: raw_plays[1]", "kind": "deserialization"},
            "vertices": [
                {"job": "personas", "vertex": "Source: raw_plays[1]", "busy_ms_per_s": 900, "backpressured_ms_per_s": 0}
            ],
            "flamegraph": {
                "samples": 100,
                "top_frames": [{"frame": "JsonParser.next", "self_samples": 65, "share": 0.65}],
            },
            "cpu": {
                "seconds": 30.2,
                "cores": 1.9,
                "by_duty": [{"what": "JVM: garbage collection", "cores": 0.74}],
                "vertices": [{"job": "personas", "vertex": "Source: raw_plays[1]", "cores": 0.09}],
            },
        },
        "resources": {
            "during": {
                "heap_used_bytes": 512 * 2**20,
                "heap_max_bytes": 1024 * 2**20,
                "checkpoints": {"personas": None},
            },
            "after": {"heap_used_bytes": 256 * 2**20, "checkpoints": {"personas": {"state_size_bytes": 2048}}},
            "heap_peak_bytes": 700 * 2**20,
        },
        "kpi_layer": {"aggregations": 1500, "models": 50, "job_groups": 5, "flink_jobs": 5, "plays_per_s": 9000},
        "notes": ["LOAD AVERAGE 3.20 AT START (above 1): busy", "a note"],
        "timings_s": {"total_s": 800.0},
    }
    text = render_markdown(result)
    assert "# Benchmarks" in text
    assert "> **Warning:** LOAD AVERAGE 3.20" in text
    assert "| **12,500** | 160 s |" in text
    assert "| 250,000 | 8.0 s | 5.0 % |" in text
    assert "| broker ceiling: one confluent-kafka consumer | n/a | 300 s | n/a |" in text
    assert "400 / 900 / 1,000 ms (n=10)" in text and "n/a (no output seen)" in text
    assert "| ad request → ad_decisions p50/p95/p99 at 200/s (sent 200/s), 60 s after a 20 s warm-up |" in text
    assert "a warm-up backlog of 400,000 events on topics of their own" in text
    assert "No warm-up of the JVMs" in render_markdown({k: v for k, v in result.items() if k != "jvm_warmup"})
    unfinished = render_markdown({**result, "jvm_warmup": {"events": 400_000, "drained": False}})
    assert "The warm-up of the JVMs (400,000 events) did not finish" in unfinished
    warm_up_row = "| &nbsp;&nbsp;the same in the warm-up (its first 20 s at this rate) | 500 / 1,200 / 1,500 ms (n=4) |"
    assert warm_up_row in text
    assert "| &nbsp;&nbsp;of which sink: decided to written (p50/p95/p99) | 2.0 / 5.0 / 7.5 ms (n=10) |" in text
    assert (
        "| &nbsp;&nbsp;decisions over 250 ms, in spans sent together, and what began up to 0.3 s before each span "
        "or during it | 1,200 requests in 3 spans (the longest sent over 480 ms); spans beside a checkpoint of "
        "group ads: 2 (1,100 requests); nothing: 1 (100 requests) |"
    ) in text
    assert text.index("| personas | 150 s |") < text.index("| dead_letter | 90.5 s |")
    assert (
        "| &nbsp;&nbsp;cores busy while sending at 200/s (sent 200/s) (of 2) | 1.98: taskmanager 1.25, kafka 0.36 |"
        in text
    )
    assert "the TaskManager's cores by duty at 200/s (sent 200/s) (top 5) | job: group ads 0.70 |" in text
    assert "`ad_decisions` held 12 records for the 2,500 of `valid.ad_requests`: 2,488 waited" in text
    assert "to the end by 151 s" in text and "no topic grew after 160 s (none did for the next 15.0 s" in text
    assert text.index("| `ad_decisions` | 160 s |") < text.index("| `valid.plays` | 120 s |")
    assert "| `JsonParser.next` | 65 | 65.0 % |" in text
    assert "(the kernel's counters, 30.2 s during the drain): 1.90 cores" in text
    assert "| JVM: garbage collection | 0.74 |" in text and "| personas | `Source: raw_plays[1]` | 0.09 |" in text
    assert "| personas | n/a | 2.0 KiB |" in text and "peak seen 700 MiB" in text
    assert "**5 Flink jobs**" in text and "**9,000 plays/s**" in text
    assert "- a note" in text
    assert "next_best_actions p50/p95/p99 at 5.0/s (sent 150) | 120 / 180 / 230 ms (n=150) |" in text
    assert "(bounded jobs of 200,000 and 400,000 rows, with and without it) | 31.5 µs |" in text
    assert "| `dbt run` of the project from nothing, one invocation (6 Flink jobs; empty topics) | 40.5 s |" in text
    assert "both profiles over the drained history | 28.5 s |" in text


def test_report_survives_an_empty_result():
    text = render_markdown({})
    assert "# Benchmarks" in text and "n/a" in text


def test_knobs_come_from_the_environment_and_bad_ones_say_which(monkeypatch):
    monkeypatch.setenv("CTXFLOW_BENCH_BACKLOG", "200000")
    monkeypatch.setenv("CTXFLOW_BENCH_LATENCY_RATES", "200, 5000")
    cfg = Config()
    assert cfg.backlog == 200_000 and cfg.latency_rates == (200.0, 5000.0) and cfg.kpi_groups == 5
    monkeypatch.setenv("CTXFLOW_BENCH_LATENCY_RATES", "fast")
    with pytest.raises(SystemExit, match="CTXFLOW_BENCH_LATENCY_RATES"):
        Config()
    monkeypatch.setenv("CTXFLOW_BENCH_LATENCY_RATES", "200")
    monkeypatch.setenv("CTXFLOW_BENCH_KPI_GROUPS", "60")
    with pytest.raises(SystemExit, match="KPI_GROUPS"):
        Config()


def test_gc_time_metrics_are_the_collectors_not_their_sum():
    names = [
        "Status.JVM.GarbageCollector.G1_Young_Generation.Time",
        "Status.JVM.GarbageCollector.G1_Young_Generation.Count",
        "Status.JVM.GarbageCollector.G1_Old_Generation.Time",
        "Status.JVM.GarbageCollector.All.Time",
        "Status.JVM.Memory.Heap.Used",
    ]
    assert gc_time_metrics(names) == [
        "Status.JVM.GarbageCollector.G1_Young_Generation.Time",
        "Status.JVM.GarbageCollector.G1_Old_Generation.Time",
    ]


def _soak_samples(lag, heap, state):
    return [
        {"t_s": 30 * i, "sent": 1000 * i, "lag": {"j": a}, "lag_max": a, "heap_used_bytes": b, "gc_ms": 0}
        | {"state_size_bytes": c}
        for i, (a, b, c) in enumerate(zip(lag, heap, state, strict=True))
    ]


def test_soak_verdict_holds_for_flat_curves_and_names_what_grows():
    flat = _soak_samples([90_000, 500, 800, 400, 600, 700], [900, 400, 500, 450, 420, 480], [5, 10, 10, 11, 10, 11])
    assert soak.verdict(flat, 10_000, 9_990)["holds"]  # the first third is warm-up: its lag does not count
    leaking = _soak_samples([0] * 9, [100, 100, 100, 200, 210, 220, 400, 420, 450], [1] * 9)
    v = soak.verdict(leaking, 10_000, 9_990)
    assert not v["holds"] and v["why"] == "heap_flat"
    behind = _soak_samples([0, 0, 50_000, 80_000, 120_000, 160_000], [1] * 6, [1] * 6)
    v = soak.verdict(behind, 10_000, 9_990)
    assert not v["holds"] and "lag_bounded" in v["why"] and "lag_not_growing" in v["why"]
    assert soak.verdict(flat[:5], 10_000, 9_990)["holds"] is False
    # a generator that could not send what was asked: the soak proved less than it says
    assert soak.verdict(flat, 10_000, 8_400)["why"] == "rate_kept"


class _ScriptedPositions(JobMetrics):
    """Positions as Flink's REST API serves them, one answer a request: stale ones, then fetched ones."""

    def __init__(self, answers: list[dict]) -> None:
        super().__init__(rest=None)
        self.answers, self.asked = answers, 0

    def source_positions(self, jid, detail=None):
        answer = self.answers[min(self.asked, len(self.answers) - 1)]
        self.asked += 1
        return answer


def test_fresh_positions_wait_for_the_fetch_the_first_request_starts():
    stale, fresh, later = {("plays", 0): 100}, {("plays", 0): 450_100}, {("plays", 0): 460_000}
    # two jobs a round; the fetch lands in the middle of the third round: job a stale, job b fresh
    metrics = _ScriptedPositions([stale, stale, stale, stale, stale, fresh, fresh, later])
    assert metrics.fresh_source_positions({"a": {}, "b": {}}) == ({"a": fresh, "b": later}, True)
    idle = _ScriptedPositions([stale])  # never moving: nothing read, or a fetch slower than the deadline
    assert idle.fresh_source_positions({"a": {}}, deadline_s=0.3) == ({"a": stale}, False)


def test_soak_section_replaces_its_own_lines_only():
    text = "# Reliability\n\nintro\n"
    once = soak.write_section(text, f"{soak.START}\nfirst\n{soak.END}")
    assert once.startswith(text.rstrip("\n")) and "## Soak" in once and "first" in once
    twice = soak.write_section(once + "\nafter\n", f"{soak.START}\nsecond\n{soak.END}")
    assert "first" not in twice and "second" in twice and twice.endswith("after\n") and twice.count("## Soak") == 1


def test_soak_report_says_the_verdict_and_draws_the_curve():
    samples = _soak_samples([0, 10, 20, 30, 40, 50], [2**30] * 6, [2**20] * 6)
    result = {"date": "d", "rate_asked": 12_000, "rate_sent": 11_990.5, "seconds": 600, "load_avg_at_start": 0.5}
    result |= {"users": 100_190, "vars": {"context_window_minutes": 1}}
    text = soak.render({**result, "samples": samples, "verdict": soak.verdict(samples, 12_000, 11_990.5)})
    assert text.startswith(soak.START) and text.endswith(soak.END)
    assert "12,000 events/s asked (11,990 sent) for 600 s" in text and "**Verdict: holds** (all hold)" in text
    assert "a fixed population of 100,190 users, windows context_window_minutes 1," in text
    samples[-1]["state_by_job"] = {"ads": 2**20, "contract": 3 * 2**20, "nba": None}
    samples[-2]["positions_fresh"] = False
    text = soak.render({**result, "samples": samples, "verdict": soak.verdict(samples, 12_000, 11_990.5)})
    assert "Checkpointed state by job at the end: contract 3.0 MiB, ads 1.0 MiB, nba none yet." in text
    assert "| 120 | 4,000 (positions not seen fresh) | 40 |" in text
    assert "| 150 | 5,000 | 50 | 1,024 MiB | 0 ms | 1.0 MiB |" in text and "load average at start 0.5" in text


def test_a_fixed_population_brings_the_same_users_back_round_after_round():
    rounds = [population_round(n, pool_size=10, user_rounds=3) for n in range(0, 70, 10)]
    assert rounds == [0, 1, 2, 0, 1, 2, 0]
    assert [population_round(n, pool_size=10) for n in (0, 9, 10, 65)] == [0, 0, 1, 6]  # a drain: new each round
    pool = make_pool(300)
    users = {json.loads(t.value_in(0, "id", 1)).get("user_id") for t in pool} - {None}
    assert 0 < pool_users(pool) < 300 and pool_users(pool) == len(users)


class _Recorder:
    """Where a Loader's events go instead of Kafka: this test is about which users they carry."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    def send(self, topic, key, value) -> None:
        self.keys.append(key)

    def flush(self, timeout_s: float = 0) -> int:
        return 0


def test_a_loader_with_user_rounds_sends_the_same_users_again():
    pool = make_pool(300)
    loader = Loader("127.0.0.1:1", "t.", pool, "run", user_rounds=2)
    loader.producer = _Recorder()
    loader.blast(3 * len(pool), deadline_s=30)
    first, second, third = (loader.producer.keys[i * len(pool) : (i + 1) * len(pool)] for i in range(3))
    assert first == third and set(first).isdisjoint(second)


def test_the_soak_population_is_seen_within_the_first_third():
    pool = make_pool(300)
    per_round = pool_users(pool)
    assert soak.population_rounds(100 * per_round, pool, rate=1000, seconds=600) == 100  # 666 would fit
    # the first third sends 9,000 events, 30 rounds of 300: no more rounds than that
    assert soak.population_rounds(100 * per_round, pool, rate=45, seconds=600) == 30
    assert soak.population_rounds(1, pool, rate=1, seconds=1) == 1


def test_each_round_of_the_pool_has_its_own_users_and_sessions_and_keeps_the_rest():
    pool = make_pool(300)
    views = [t for t in pool if t.topic == "page_views"]
    assert views, "the mix has page views"
    first, again = (json.loads(views[0].value_in(r, "id-1", 5)) for r in (0, 1))
    assert first["user_id"] != again["user_id"] and first["session_id"] != again["session_id"]
    assert {k: v for k, v in first.items() if k not in ("user_id", "session_id")} == {
        k: v for k, v in again.items() if k not in ("user_id", "session_id")
    }
    # the key is the event's user, in every round and topic
    for tpl in pool:
        assert tpl.key_in(7) == json.loads(tpl.value_in(7, "id-1", 5))["user_id"]


DUMP = """Full thread dump OpenJDK 64-Bit Server VM (17.0.15+6 mixed mode, sharing):

"GC Thread#1" os_prio=0 cpu=52.10ms elapsed=12.00s tid=0x00007f nid=0x2a runnable
"C2 CompilerThread0" #6 daemon prio=9 os_prio=0 cpu=1.00ms elapsed=12.00s tid=0x00007f nid=43 waiting on condition
"Join[161] -> Calc[162] (1/1)#0" #80 prio=5 os_prio=0 cpu=9.00ms elapsed=9.00s tid=0x00007f nid=0x64 runnable
   java.lang.Thread.State: RUNNABLE
"flink-metrics-3" #20 daemon prio=1 os_prio=0 cpu=1.00ms elapsed=12.00s tid=0x00007f nid=0x65 waiting
"""


def test_threads_are_named_by_native_id_hex_or_decimal():
    assert thread_names(DUMP) == {
        0x2A: "GC Thread#1",
        43: "C2 CompilerThread0",
        0x64: "Join[161] -> Calc[162] (1/1)#0",
        0x65: "flink-metrics-3",
    }


def test_task_threads_count_for_their_job_and_the_rest_for_a_jvm_duty():
    vertex_job = {"Join[161] -> Calc[162]": "group ads"}
    assert duty_of("Join[161] -> Calc[162] (1/1)#0", vertex_job) == ("job: group ads", "Join[161] -> Calc[162]")
    assert duty_of("GC Thread#1", vertex_job) == ("JVM: garbage collection", None)
    assert duty_of("AsyncOperations-thread-3", vertex_job)[0] == "Flink: checkpoints (state snapshots)"
    assert duty_of("flink-metrics-3", vertex_job)[0].startswith("other")


def test_cpu_is_the_growth_per_thread_over_the_span_summed_per_duty():
    names = thread_names(DUMP)
    before = {0x2A: 10.0, 43: 1.0, 0x64: 2.0}
    after = {0x2A: 25.0, 43: 4.0, 0x64: 8.0, 0x65: 0.3}  # 0x65 was born in between: counts from 0
    by_duty, by_vertex = cpu_by_duty(before, after, names, {"Join[161] -> Calc[162]": "group ads"}, 30.0)
    assert [(what, round(cores, 3)) for what, cores in by_duty] == [
        ("JVM: garbage collection", 0.5),
        ("job: group ads", 0.2),
        ("JVM: JIT compiler", 0.1),
        ("other (JVM, Flink runtime, metrics)", 0.01),
    ]
    assert by_vertex == [("group ads", "Join[161] -> Calc[162]", pytest.approx(0.2))]


def test_the_busiest_vertex_is_the_one_whose_task_thread_used_the_most_cpu():
    loads = [
        VertexLoad("group contract", "Deduplicate[1] -> sink", 1000, 0, "j1", "v1"),  # blocked in a producer
        VertexLoad("group ads", "OverAggregate[2]", 600, 0, "j2", "v2"),
    ]
    cpu = {"vertices": [{"job": "group ads", "vertex": "OverAggregate[2]", "cores": 0.15}]}
    assert hungriest_vertex(loads, cpu).vid == "v2"
    assert hungriest_vertex(loads, None) is None  # a remote cluster: busy ms/s decides (busiest_vertex)
