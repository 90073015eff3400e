"""Hostile input at rate (issue 10): 1 % of a 5,000 events/s stream is the worst a producer can send, and
nothing restarts, nothing is lost, nothing is counted twice.

The hostile values: random bytes, truncated JSON, a 1 MB value, 5,000 levels of nesting, a number
beyond any double, NaN, a tombstone (null value), a wrong type, and every enumerated field with a value
it does not allow. Between them, odd but valid events: a null Kafka key, unicode everywhere a string
goes, an unknown extra field. Afterwards, for each input topic, exactly:
    events in = valid events in its typed topic + dead letters from it,
every hostile event is one dead letter with a reason, every odd one is a valid event, and no job of
the project restarted.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections import Counter

from confluent_kafka import Producer
from dbt_project import Project

from ctxflow.core.contract import INPUTS
from ctxflow.core.events import Event, encode
from ctxflow.core.kafka_io import message_counts, read_topic
from ctxflow.core.pacing import Pacer
from ctxflow.simulate.campaigns import make_campaigns
from ctxflow.simulate.population import make_users
from ctxflow.simulate.traffic import live_events
from ctxflow.waiting import wait_for

pytest_plugins = ["conftest_models"]

RATE = 5_000
SECONDS = 20
EVERY = 100  # 1 % hostile or odd
BACKDATE_CAMPAIGNS_MS = 2 * 3_600_000


def _with_raw(event: Event, field: str, literal: str) -> bytes:
    """The event's JSON with `field` set to a literal no JSON encoder writes (1e400, NaN)."""
    return encode({**event.value, field: "@@"}).replace(b'"@@"', literal.encode())


def hostile(event: Event, rng: random.Random) -> list[tuple[bytes | None, str]]:
    """(value, label) for each hostile variant of `event`; each must become one dead letter."""
    v = event.value
    variants = [
        (rng.randbytes(64), "random bytes"),
        (encode(v)[: len(encode(v)) // 2], "truncated JSON"),
        (b"x" * 999_000, "1 MB value"),
        (b"[" * 5_000 + b"]" * 5_000, "5,000 levels of nesting"),
        (_with_raw(event, "ts", "1e400"), "number beyond a double"),
        (_with_raw(event, "ts", "NaN"), "NaN"),
        (None, "tombstone"),
        (encode({**v, "ts": "yesterday"}), "wrong type"),
    ]
    for f in INPUTS[event.topic]:
        if f.allowed:
            variants.append((encode({**v, f.name: "not-a-" + f.name}), f"unknown {f.name}"))
    return variants


def odd_but_valid(event: Event) -> list[tuple[bytes, bool]]:
    """(value, with a key?) for odd events the contract accepts."""
    v = event.value
    unicode = {
        k: (x + " 🎄 Zoë 聖誕" if isinstance(x, str) and k in ("content_id", "item_id", "ad_id") else x)
        for k, x in v.items()
    }
    return [(encode(v), False), (encode(unicode), True), (encode({**v, "unexpected": {"a": [1, 2]}}), True)]


def test_hostile_input_at_rate_restarts_nothing_and_every_event_is_valid_or_dead_lettered(project: Project):
    inputs = list(INPUTS)
    typed = {t: project.topic(f"valid.{t}") for t in inputs}
    dead = project.topic("dead_letter")
    before = message_counts(project.bootstrap, [*typed.values(), dead])
    restarts_before = project.restarts()

    rng = random.Random("hostile")
    users, campaigns = make_users(404, 200), make_campaigns(404)
    stream = live_events(users, campaigns, 404, start_ms=int(time.time() * 1000), rate=RATE)
    producer = Producer({"bootstrap.servers": project.bootstrap, "linger.ms": 5, "message.max.bytes": 1_048_576})
    sent, expect_dead, expect_valid = Counter(), Counter(), Counter()
    labels: Counter[str] = Counter()
    pacer, n = Pacer(RATE), 0
    tag = uuid.uuid4().hex[:6]
    while n < RATE * SECONDS:
        for _ in range(pacer.take()):
            event = next(stream)
            event = Event(event.topic, event.key, {**event.value, **_unique_id(event, f"{tag}-{n}"), **_ts(event)})
            topic = project.topic(event.topic)
            if n % EVERY == 0:
                variants = hostile(event, rng)
                value, label = variants[(n // EVERY) % len(variants)]
                producer.produce(topic, value=value, key=event.key.encode())
                labels[label] += 1
                expect_dead[event.topic] += 1
            elif n % EVERY == EVERY // 2:
                value, keyed = odd_but_valid(event)[(n // EVERY) % 3]
                producer.produce(topic, value=value, key=event.key.encode() if keyed else None)
                expect_valid[event.topic] += 1
            else:
                producer.produce(topic, value=encode(event.value), key=event.key.encode())
                expect_valid[event.topic] += 1
            sent[event.topic] += 1
            n += 1
            producer.poll(0)
    assert producer.flush(60) == 0, "the broker did not acknowledge every event"
    assert all(sent[t] == expect_valid[t] + expect_dead[t] for t in inputs)

    def counted() -> tuple[Counter, Counter]:
        valid = Counter({t: len(_after(project, typed[t], before[typed[t]])) for t in inputs})
        letters = Counter(json.loads(r.value)["source_topic"] for r in _after(project, dead, before[dead]))
        return valid, Counter({t: letters[project.topic(t)] for t in inputs})

    last: list[tuple[Counter, Counter]] = []

    def balanced() -> bool:
        last[:] = [counted()]
        valid, letters = last[0]
        return all(valid[t] + letters[t] >= sent[t] for t in inputs)

    try:
        wait_for(balanced, "every event valid or dead-lettered", timeout_s=240, every_s=5)
    except TimeoutError:
        pass  # the assertions below say which topic falls short
    valid, letters = last[0]
    for t in inputs:
        assert (valid[t], letters[t]) == (expect_valid[t], expect_dead[t]), (
            f"{t}: {sent[t]} in, expected {expect_valid[t]} valid + {expect_dead[t]} dead letters, "
            f"got {valid[t]} valid + {letters[t]} dead letters (hostile kinds sent: {dict(labels)})"
        )
    reasons = [json.loads(r.value)["error"] for r in _after(project, dead, before[dead])]
    assert all(reasons), "a dead letter without a reason"
    assert project.restarts() == restarts_before, "a job restarted on hostile input"


def _unique_id(event: Event, suffix: str) -> dict:
    """The event's own id made unique to this test (the typed topics are deduplicated by it)."""
    key = "request_id" if "request_id" in event.value else "event_id"
    return {key: f"{event.value[key]}-{suffix}"}


def _ts(event: Event) -> dict:
    """Campaign events two hours back (valid: the contract allows 24 hours of delay). The deployment is
    shared with test_models_kpis, whose burst is back-dated: a live campaign event here would move the
    KPI job's event-time watermark past that burst, and its windows would never be emitted."""
    return {"ts": event.value["ts"] - BACKDATE_CAMPAIGNS_MS} if event.topic == "campaign_events" else {}


def _after(project: Project, topic: str, offset: int):
    return [r for r in read_topic(project.bootstrap, topic, timeout_s=60) if r.offset >= offset]
