"""Malformed input end to end: count in = processed + dead-lettered, exactly.

A fifth of a mix of plays and page views is broken by the simulator's Mixer, one kind per reason of
the contract layer (an empty value, invalid JSON, a missing required field, a wrong type, a value not
allowed in an enumerated field, a ts a month ahead or three days late). Then:
* dead_letter holds exactly one record per broken event (matched by source topic and offset), with
  the raw value as sent and the reason of its kind;
* the valid events are exactly the ones processed: the event ids that staging (the typed topics the
  contract layer writes) yields for these users, read by a bounded `dbt show` over the
  topics, are the valid events sent, per topic, no more and no fewer;
* and the streaming outputs saw them: every user with a valid play has an ad_eligibility row, every
  car session with a valid view a car_intent row.
"""

from __future__ import annotations

import random
import time

from confluent_kafka import Consumer, TopicPartition
from dbt_project import Project, poll_until

from ctxflow.core.contract import AGE_BANDS, AUDIENCES, BODY_TYPES, GENDERS, GENRES, INPUTS, TRIMS
from ctxflow.core.events import Event, decode
from ctxflow.core.tally import Tally
from ctxflow.simulate.catalogue import CAR_ACTIONS, CAR_CATEGORY, CATEGORIES, SHOP_ACTIONS
from ctxflow.simulate.ids import Ids
from ctxflow.simulate.population import make_user
from ctxflow.simulate.sessions import SessionContext, page_view, play
from ctxflow.waiting import wait_for

pytest_plugins = ["conftest_models"]

MALFORMED_RATE = 0.2
USERS = 8
REASONS = {  # malformed kind -> how models/contract/dead_letter.sql words it (macros/parse_events.sql)
    "empty": "empty message value",
    "invalid_json": "invalid JSON",
    "missing_field": "missing field: ",
    "wrong_type": "wrong type: ",
    "invalid_value": "invalid value: ",
    "future_ts": "ts too far in the future",
    "late_ts": "ts too late",
}


def events(seed: int, now_ms: int) -> list[Event]:
    """Plays, shop and car views of USERS users, each ts within the last 10 minutes (all plausible)."""
    rng = random.Random(f"malformed-test:{seed}")
    ctx = SessionContext(rng, Ids(seed, "malformed-test"))
    out = []

    def ts() -> int:
        return now_ms - rng.randrange(600_000)

    for i in range(USERS):
        user = make_user(f"mal-{seed}-{i}", rng)
        out += [play(ctx, user, ts(), rng.choice(GENRES), rng.choice(AUDIENCES)) for _ in range(15)]
        shop, car = f"mal-{seed}-{i}-shop", f"mal-{seed}-{i}-car"
        for _ in range(10):
            action, category = rng.choice(SHOP_ACTIONS), rng.choice(CATEGORIES)
            out.append(page_view(ctx, user, shop, ts(), action, category, rng.choice(GENDERS), rng.choice(AGE_BANDS)))
        for _ in range(8):
            body, trim = rng.choice(BODY_TYPES), rng.choice(TRIMS)
            out.append(
                page_view(ctx, user, car, ts(), rng.choice(CAR_ACTIONS), CAR_CATEGORY, "unisex", "any", body, trim)
            )
    return out


def end_offsets(project: Project, shorts: list[str]) -> dict[str, int]:
    consumer = Consumer({"bootstrap.servers": project.bootstrap, "group.id": "ctxflow-e2e-offsets"})
    try:
        return {s: consumer.get_watermark_offsets(TopicPartition(project.topic(s), 0), timeout=10)[1] for s in shorts}
    finally:
        consumer.close()


def test_every_event_is_either_processed_or_dead_lettered_with_its_reason(project: Project):
    seed = random.randrange(1_000_000)
    topics = ["plays", "page_views"]
    for short in topics:  # offsets below map to send order: one partition per topic
        assert len(project.admin().list_topics(project.topic(short)).topics[project.topic(short)].partitions) == 1
    start = end_offsets(project, topics)

    tally = Tally()
    with project.sink(malformed_rate=MALFORMED_RATE, seed=seed) as sink:
        for e in events(seed, int(time.time() * 1000)):
            sink.send(e, tally)
    # what went where: (short topic, offset) -> (event, bytes sent, malformed kind or None)
    sent, next_offset = {}, dict(start)
    for event, value, kind in sink.sent:
        sent[(event.topic, next_offset[event.topic])] = (event, value, kind)
        next_offset[event.topic] += 1
    assert end_offsets(project, topics) == next_offset, "someone else produced to the test's topics"
    broken = {k: v for k, v in sent.items() if v[2] is not None}
    kinds = {v[2] for v in broken.values()}
    assert kinds == set(REASONS), f"the mix lacks a kind: {kinds}"
    assert abs(len(broken) - MALFORMED_RATE * len(sent)) <= 1

    # dead-lettered: exactly the broken events, each with the reason of its kind
    names = {project.topic(s): s for s in topics}

    found: dict = {}

    def dead_letters() -> bool:
        found.clear()
        for r in project.read("dead_letter"):
            v = r.value
            if v and v["source_topic"] in names and v["source_offset"] >= start[names[v["source_topic"]]]:
                where = (names[v["source_topic"]], v["source_offset"])
                assert where not in found, f"{where} dead-lettered twice"
                found[where] = v
        return len(found) >= len(broken)

    try:
        wait_for(dead_letters, f"{len(broken)} dead letters", timeout_s=60, every_s=1)
    except TimeoutError:
        pass  # the comparison below says which are missing
    missing = {w: (k, v.decode()) for w, (_, v, k) in broken.items() if w not in found}
    extra = {w: found[w] for w in found if w not in broken}
    assert not missing and not extra, f"broken but not dead-lettered: {missing}\ndead-lettered but valid: {extra}"
    for where, (event, value, kind) in broken.items():
        letter = found[where]
        assert letter["raw_value"] == value.decode(), (where, letter)
        assert letter["error"].startswith(REASONS[kind]), (kind, letter)
        if kind == "missing_field":
            required = [f.name for f in INPUTS[event.topic] if f.required]
            absent = [f for f in required if f not in decode(value)]
            assert letter["error"] == f"missing field: {absent[0]}", (kind, letter)
    print(f"\nmalformed: {len(sent)} events, {len(broken)} dead-lettered ({sorted(kinds)})")

    # processed: exactly the valid events, per topic (a bounded read of the staging models)
    valid = {s: sorted(e.value["event_id"] for e, _, k in sent.values() if k is None and e.topic == s) for s in topics}
    for short in topics:
        rows = project.show(
            f"select event_id from {{{{ ref('stg_{short}') }}}} where user_id like 'mal-{seed}-%'", limit=10_000
        )
        assert sorted(r["event_id"] for r in rows) == valid[short], f"{short}: processed events != valid events"

    # ... and by the streaming jobs: every user with a valid play, every car session with a valid view
    players = {e.key for e, _, k in sent.values() if k is None and e.topic == "plays"}
    car_sessions = {e.value["session_id"] for e, _, k in sent.values() if k is None and e.value.get("site") == "car"}
    poll_until(
        lambda: players <= {r.key["user_id"] for r in project.read("ad_eligibility") if r.value},
        "an ad_eligibility row of every user with a valid play",
    )
    poll_until(
        lambda: car_sessions <= {r.key["session_id"] for r in project.read("car_intent") if r.value},
        "a car_intent row of every car session with a valid view",
    )
