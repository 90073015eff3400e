"""`ctxflow watch`: output records decoded and rendered, and the command against the real broker.

The Flink models do not exist yet, so the tests write contract-shaped output records themselves.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Producer
from rich.console import Console

from ctxflow.core.events import to_epoch_ms
from ctxflow.core.kafka_io import admin_client, ensure_topics
from ctxflow.core.topics import STREAMING_OUTPUTS as OUTPUTS
from ctxflow.waiting import wait_for
from ctxflow.watch.records import decode_record
from ctxflow.watch.state import WatchState, percentile
from ctxflow.watch.view import render


def _records(now_ms: int) -> list[tuple[str, dict | None, dict | None]]:
    """(output, key, value) in the shapes the models will write; latencies of 120 ms and 480 ms."""
    return [
        (
            "ad_eligibility",
            {"user_id": "xmas-1"},
            {
                "user_id": "xmas-1",
                "context_signals": ["family_context"],
                "blocked_categories": ["contraceptives", "dating", "alcohol"],
                "whitelisted_categories": ["toys"],
                "rule_ids": ["R1"],
                "updated_at": "2026-11-27 11:40:01.123",
            },
        ),
        (
            "ad_eligibility",
            {"user_id": "gone-1"},
            {
                "user_id": "gone-1",
                "context_signals": [],
                "blocked_categories": [],
                "whitelisted_categories": [],
                "rule_ids": [],
                "updated_at": now_ms,
            },
        ),
        ("ad_eligibility", {"user_id": "gone-1"}, None),  # tombstone
        (
            "ad_decisions",
            None,
            {
                "request_id": "r1",
                "user_id": "xmas-1",
                "ts": now_ms - 120,
                "served_category": "toys",
                "blocked_categories": ["alcohol"],
                "decided_at": now_ms - 100,
            },
        ),
        (
            "ad_decisions",
            None,
            {
                "request_id": "r2",
                "user_id": "xmas-1",
                "ts": now_ms - 480,
                "served_category": None,
                "blocked_categories": ["alcohol"],
                "decided_at": "2026-11-27 11:40:02.000",
            },
        ),
        (
            "personas",
            {"user_id": "gift-1", "session_id": "s1"},
            {
                "user_id": "gift-1",
                "session_id": "s1",
                "persona": "gift",
                "recipient_gender": "female",
                "recipient_age_band": "55+",
                "deviation_score": 0.91,
                "persona_score": 0.8,
                "updated_at": now_ms,
            },
        ),
        (
            "car_intent",
            {"session_id": "c1"},
            {
                "session_id": "c1",
                "user_id": "car-a-1",
                "size_class": "family",
                "urgency": "urgent",
                "budget": "standard",
                "size_score": 0.9,
                "urgency_score": 0.8,
                "budget_score": 0.2,
                "updated_at": now_ms,
            },
        ),
        (
            "campaign_kpis",
            {"campaign_id": "bf-1", "window_start": "2026-11-27 11:40:00.000"},
            {
                "campaign_id": "bf-1",
                "window_start": "2026-11-27 11:40:00.000",
                "window_end": "2026-11-27 11:41:00.000",
                "impressions": 720,
                "clicks": 35,
                "conversions": 2,
                "spend": 31.2,
                "revenue": 129.98,
                "ctr": 0.0486,
                "cvr": 0.0571,
                "cpa": 15.6,
                "roas": 4.166,
            },
        ),
        (
            "dead_letter",
            None,
            {
                "source_topic": "ctx.plays",
                "partition": 0,
                "offset": 17,
                "raw_value": "{oops",
                "error": "invalid JSON",
                "received_at": now_ms,
            },
        ),
        (
            "next_best_actions",
            {"user_id": "bank-1", "situation_id": "s1"},
            {
                "user_id": "bank-1",
                "situation_id": "s1",
                "situation": "declined_abroad",
                "action": "raise_card_limit",
                "new_limit": 4000.0,
                "score": 0.146,
                "reason": "declined limit_exceeded",
                "trigger_ts": now_ms - 300,  # the decline it answers, 300 ms before now
                "decided_at": now_ms,
            },
        ),
    ]


def _produce(bootstrap: str, prefix: str, now_ms: int) -> list[tuple[str, dict | None, dict | None]]:
    records = _records(now_ms)
    producer = Producer({"bootstrap.servers": bootstrap})
    for output, key, value in records:
        producer.produce(
            f"{prefix}{output}",
            key=None if key is None else json.dumps(key).encode(),
            value=None if value is None else json.dumps(value).encode(),
        )
    assert producer.flush(30) == 0
    return records


@pytest.fixture
def outputs(main_stack) -> str:
    """A fresh prefix with every output topic created."""
    prefix = f"watchtest-{uuid.uuid4().hex[:8]}."
    ensure_topics(admin_client(main_stack.kafka_bootstrap), [f"{prefix}{t}" for t in OUTPUTS], partitions=1)
    return prefix


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_watch_json_keeps_money_to_the_cent():
    raw = b'{"campaign_id": "c", "spend": 31.20, "revenue": 0.10, "impressions": 3}'
    line = decode_record("campaign_kpis", "ctx.campaign_kpis", b'"c"', raw, 0).json_line()
    assert '"spend":31.20' in line and '"revenue":0.10' in line and '"impressions":3' in line
    assert json.loads(line)["value"]["spend"] == 31.2


def test_watch_json_prints_every_output_record_with_latency(main_stack, cli, outputs):
    sent_ms = int(time.time() * 1000)
    records = _produce(main_stack.kafka_bootstrap, outputs, sent_ms)
    began = time.monotonic()
    out = cli("watch", "--json", "--for", "4", "--from-beginning", "--topic-prefix", outputs)
    assert out.returncode == 0, out.stderr
    assert time.monotonic() - began < 30
    by_topic: dict[str, list] = {}
    for line in _json_lines(out.stdout):
        assert set(line) == {"topic", "key", "value", "latency_ms"}
        by_topic.setdefault(line["topic"], []).append((line["key"], line["value"]))
    expected: dict[str, list] = {}
    for output, key, value in records:  # in the order produced, topic by topic
        expected.setdefault(f"{outputs}{output}", []).append((key, value))
    assert by_topic == expected


def test_watch_json_latency_is_receive_time_minus_request_ts(main_stack, cli, outputs):
    sent_ms = int(time.time() * 1000)
    _produce(main_stack.kafka_bootstrap, outputs, sent_ms)
    began_ms = int(time.time() * 1000)
    out = cli("watch", "--json", "--for", "3", "--from-beginning", "--topic-prefix", outputs)
    ended_ms = int(time.time() * 1000)
    assert out.returncode == 0, out.stderr
    by_topic: dict[str, list[dict]] = {}
    for line in _json_lines(out.stdout):
        by_topic.setdefault(line["topic"][len(outputs) :], []).append(line)
    assert set(by_topic) == set(OUTPUTS)
    decisions = {d["value"]["request_id"]: d["latency_ms"] for d in by_topic["ad_decisions"]}
    for request_id, age in (("r1", 120), ("r2", 480)):
        assert began_ms - sent_ms + age <= decisions[request_id] <= ended_ms - sent_ms + age
    (action,) = by_topic["next_best_actions"]  # latency from the decline that opened the situation
    assert began_ms - sent_ms + 300 <= action["latency_ms"] <= ended_ms - sent_ms + 300
    answers = ("ad_decisions", "next_best_actions")
    assert all(x["latency_ms"] is None for t, xs in by_topic.items() if t not in answers for x in xs)
    assert by_topic["ad_eligibility"][-1] == {
        "topic": f"{outputs}ad_eligibility",
        "key": {"user_id": "gone-1"},
        "value": None,
        "latency_ms": None,
    }


class _Watch:
    """`ctxflow watch --json` running in the background, its output in files to poll."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        self.out, self.err = tmp_path / "out", tmp_path / "err"
        with self.out.open("w") as out, self.err.open("w") as err:
            argv = [sys.executable, "-m", "ctxflow.cli", "watch", "--json", "--for", "30", *args]
            self.proc = subprocess.Popen(argv, stdout=out, stderr=err)
        wait_for(lambda: "watching" in self.err.read_text(), "watch to be ready", timeout_s=20)

    def wait_for_output(self, text: str) -> list[dict]:
        wait_for(lambda: text in self.out.read_text(), f"{text!r} in watch's output", timeout_s=20)
        return _json_lines(self.out.read_text())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


def _decision(request_id: str) -> bytes:
    now = int(time.time() * 1000)
    value = {
        "request_id": request_id,
        "user_id": "u",
        "ts": now,
        "served_category": "toys",
        "blocked_categories": [],
        "decided_at": now,
    }
    return json.dumps(value).encode()


def _send(bootstrap: str, topic: str, value: bytes) -> None:
    producer = Producer({"bootstrap.servers": bootstrap})
    producer.produce(topic, value=value)
    assert producer.flush(30) == 0


def test_watch_starts_at_the_end_by_default(main_stack, outputs, tmp_path: Path):
    _produce(main_stack.kafka_bootstrap, outputs, int(time.time() * 1000))  # already there: not shown
    watch = _Watch(tmp_path, "--topic-prefix", outputs)
    try:
        assert f"watching {len(OUTPUTS)} output topics" in watch.err.read_text()
        _send(main_stack.kafka_bootstrap, f"{outputs}ad_decisions", _decision("fresh"))
        lines = watch.wait_for_output("fresh")
    finally:
        watch.stop()
    assert [x["value"]["request_id"] for x in lines] == ["fresh"]
    assert 0 <= lines[0]["latency_ms"] < 5_000


def test_watch_picks_up_an_output_topic_created_later_from_its_beginning(main_stack, tmp_path: Path):
    prefix = f"watchtest-{uuid.uuid4().hex[:8]}."
    watch = _Watch(tmp_path, "--topic-prefix", prefix)
    try:
        assert "not created yet" in watch.err.read_text()
        # created after watch started, and written to before watch looks again: all of it is new
        ensure_topics(admin_client(main_stack.kafka_bootstrap), [f"{prefix}ad_decisions"], partitions=1)
        _send(main_stack.kafka_bootstrap, f"{prefix}ad_decisions", _decision("early"))
        lines = watch.wait_for_output("early")
    finally:
        watch.stop()
    assert [x["value"]["request_id"] for x in lines] == ["early"]
    assert f"now watching {prefix}ad_decisions" in watch.err.read_text()


def test_watch_reports_unreachable_kafka(cli):
    out = cli("watch", "--once", "--bootstrap", "127.0.0.1:1")
    assert out.returncode == 1 and "Kafka at 127.0.0.1:1 is unreachable" in out.stderr


def test_watch_once_renders_the_tables_and_exits(main_stack, cli, outputs):
    _produce(main_stack.kafka_bootstrap, outputs, int(time.time() * 1000))
    out = cli("watch", "--once", "--topic-prefix", outputs)
    assert out.returncode == 0, out.stderr
    for text in (
        "xmas-1",
        "family_context",
        "gift-1",
        "55+",
        "car-a-1",
        "urgent",
        "bf-1",
        "11:40:00.000",
        "31.20",
        "latency p50",
        "ctx.plays 1",
        "r2",
    ):
        assert text in out.stdout, text
    assert "gone-1" not in out.stdout  # deleted by its tombstone


# --- pure logic ---------------------------------------------------------------------------------


def test_output_timestamps_are_accepted_as_strings_or_epoch_millis():
    assert to_epoch_ms("2026-11-27 11:40:01.123") == to_epoch_ms(1795779601123) == 1795779601123
    assert to_epoch_ms("2026-11-27T11:40:01.123Z") == 1795779601123
    assert to_epoch_ms("1795779601123") == 1795779601123
    assert to_epoch_ms(None) is None and to_epoch_ms("soon") is None


def test_latency_percentiles_and_tombstones_in_the_state():
    state = WatchState(keep=5)
    now = 1795779601123
    for i in range(1, 101):
        value = {"request_id": f"r{i}", "user_id": "u", "ts": now - i, "decided_at": now}
        state.apply(decode_record("ad_decisions", "ctx.ad_decisions", None, json.dumps(value).encode(), now))
    assert state.latency() == (50, 95, 100)
    assert len(state.decisions) == 5
    key = json.dumps({"user_id": "u"}).encode()
    state.apply(decode_record("ad_eligibility", "ctx.ad_eligibility", key, b'{"user_id": "u"}', now))
    assert [r.value["user_id"] for r in state.recent("ad_eligibility")] == ["u"]
    state.apply(decode_record("ad_eligibility", "ctx.ad_eligibility", key, None, now))
    assert state.recent("ad_eligibility") == []
    assert percentile([5], 95) == 5


def test_render_survives_odd_records():
    state = WatchState()
    state.apply(decode_record("dead_letter", "ctx.dead_letter", None, b"not json", 0))
    state.apply(decode_record("campaign_kpis", "ctx.campaign_kpis", b'"k"', b'{"ctr": "n/a", "window_start": 1}', 0))
    console = Console(width=200, record=True)
    console.print(render(state))
    assert "no decisions yet" in console.export_text()


def test_campaign_kpis_rows_are_one_per_campaign_grain_and_window():
    state = WatchState()

    def kpi(window: str, grain: str, clicks: int) -> None:
        value = {"campaign_id": "bf", "grain": grain, "window_start": window, "clicks": clicks}
        state.apply(decode_record("campaign_kpis", "ctx.campaign_kpis", b'"bf"', json.dumps(value).encode(), 0))

    kpi("2026-11-27 11:40:00.000", "minute", 3)
    kpi("2026-11-27 11:41:00.000", "minute", 4)
    kpi("2026-11-27 11:41:00.000", "day_to_date", 7)
    kpi("2026-11-27 11:40:00.000", "minute", 5)  # the window again, after a late click
    rows = [
        (r.value["grain"], r.value["window_start"][11:16], r.value["clicks"]) for r in state.recent("campaign_kpis")
    ]
    assert rows == [("minute", "11:40", 5), ("day_to_date", "11:41", 7), ("minute", "11:41", 4)]
