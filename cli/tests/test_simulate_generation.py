"""Background traffic without Kafka: determinism, coherent tastes, rhythms, funnels, pacing, malformed mix."""

from __future__ import annotations

import itertools
import random
import statistics
from collections import Counter
from datetime import UTC, datetime

import pytest

from ctxflow.core.contract import validate
from ctxflow.core.events import Event, encode
from ctxflow.core.pacing import Pacer
from ctxflow.simulate.campaigns import make_campaigns
from ctxflow.simulate.malformed import KINDS, Mixer, classify, corrupt
from ctxflow.simulate.population import make_users
from ctxflow.simulate.traffic import DAY_MS, history_events, live_events

START = int(datetime(2026, 11, 27, 12, tzinfo=UTC).timestamp() * 1000)


def _stream(seed: int, live: int = 3000) -> list[bytes]:
    users, campaigns = make_users(seed, 50), make_campaigns(seed)
    history = history_events(users, campaigns, seed, START, 3)
    now = itertools.islice(live_events(users, campaigns, seed, START, 500), live)
    return [e.topic.encode() + b"|" + e.key.encode() + b"|" + encode(e.value) for e in itertools.chain(history, now)]


def test_same_seed_and_start_give_byte_identical_events_and_another_seed_does_not():
    first, again, other = _stream(7), _stream(7), _stream(8)
    assert len(first) > 5000
    assert first == again
    assert first != other
    assert len(set(first) & set(other)) == 0  # event ids come from the seed: no event is shared


def test_every_generated_event_is_valid_and_ids_are_unique():
    users, campaigns = make_users(3, 40), make_campaigns(3)
    events = list(history_events(users, campaigns, 3, START, 2))
    events += list(itertools.islice(live_events(users, campaigns, 3, START, 1000), 5000))
    assert [validate(e.topic, e.value) for e in events if validate(e.topic, e.value)] == []
    ids = [e.value.get("event_id") or e.value["request_id"] for e in events]
    assert len(ids) == len(set(ids))
    assert all(e.key == e.value["user_id"] for e in events)
    assert {e.topic for e in events} == {"plays", "page_views", "ad_requests", "campaign_events"}


def test_history_is_in_ts_order_inside_the_asked_days_and_busier_at_peak_hours():
    users = make_users(11, 80)
    events = list(history_events(users, make_campaigns(11), 11, START, 14))
    ts = [e.ts for e in events]
    assert ts == sorted(ts)
    assert START - 14 * DAY_MS <= ts[0] and ts[-1] < START
    by_user = {u.user_id: u for u in users}
    starts = [e for e in events if e.topic == "plays"]
    near_peak = sum(
        any(abs(datetime.fromtimestamp(e.ts / 1000, UTC).hour - h) <= 2 for h in by_user[e.key].peak_hours)
        for e in starts
    )
    # 2 x 5 of 24 hours around the peaks would hold ~40 % of plays at random; the rhythm puts most there
    assert near_peak / len(starts) > 0.6


def test_each_user_keeps_to_their_taste():
    users = make_users(5, 30)
    events = list(history_events(users, [], 5, START, 10))
    for user in users:
        plays = [e.value for e in events if e.key == user.user_id and e.topic == "plays"]
        views = [e.value for e in events if e.key == user.user_id and e.value.get("site") == "shop"]
        if len(plays) >= 20:
            in_taste = sum(p["genre"] in user.taste.genres for p in plays) / len(plays)
            assert in_taste > 0.75, (user.user_id, in_taste)
        if len(views) >= 20:
            in_taste = sum(v["category"] in user.taste.categories for v in views) / len(views)
            assert in_taste > 0.75, (user.user_id, in_taste)
            assert Counter(v["target_age_band"] for v in views).most_common(1)[0][0] == user.taste.target_age_band


def test_sessions_have_realistic_lengths_and_gaps():
    users = make_users(9, 60)
    events = list(history_events(users, [], 9, START, 7))
    sessions: dict[str, list[int]] = {}
    for e in events:
        if "session_id" in e.value:
            sessions.setdefault(e.value["session_id"], []).append(e.ts)
    lengths = [len(ts) for ts in sessions.values()]
    gaps = [b - a for ts in sessions.values() for a, b in itertools.pairwise(sorted(ts))]
    assert 3 <= statistics.median(lengths) <= 12
    assert 5_000 <= statistics.median(gaps) <= 120_000


def test_campaign_funnel_rates_are_realistic():
    users = make_users(4, 300)
    campaigns = make_campaigns(4)
    events = [e.value for e in history_events(users, campaigns, 4, START, 10) if e.topic == "campaign_events"]
    kinds = Counter(v["event_type"] for v in events)
    assert kinds["impression"] > 5_000
    assert 0.01 <= kinds["click"] / kinds["impression"] <= 0.05
    assert 0.02 <= kinds["conversion"] / kinds["click"] <= 0.10
    assert all(c.ctr <= 0.05 and c.cvr <= 0.10 for c in campaigns)


def test_live_ts_follow_the_asked_rate():
    users = make_users(1, 20)
    ts = [e.ts for e in itertools.islice(live_events(users, [], 1, START, 2000), 4001)]
    assert ts == sorted(ts)
    assert ts[0] == START and ts[-1] == START + 2000  # 4,000 intervals of 0.5 ms


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_pacer_releases_the_rate_and_limits_bursts():
    clock = FakeClock()
    pacer = Pacer(2000, clock=clock, sleep=clock.sleep)
    sent = 0
    while clock.now < 10:
        sent += pacer.take()
        clock.now += 0.0003  # the work of sending
    assert abs(sent - 20_000) <= 2000 * 0.01
    clock.now += 5  # a 5 s stall is not followed by a 10,000-event burst
    assert pacer.take() <= pacer.burst


@pytest.mark.parametrize(("rate", "wakes_per_s"), [(5000, 500), (100, 100)])
def test_pacer_wakes_once_a_tick_at_high_rates_and_once_an_event_at_low_ones(rate, wakes_per_s):
    clock, woken = FakeClock(), []

    def sleep(seconds: float) -> None:
        woken.append(seconds)
        clock.sleep(seconds)

    pacer = Pacer(rate, tick_s=0.002, clock=clock, sleep=sleep)
    sent = 0
    while clock.now < 10:
        sent += pacer.take()
    assert abs(sent - rate * 10) <= rate * 0.01
    assert abs(len(woken) - wakes_per_s * 10) <= wakes_per_s * 0.01


@pytest.mark.parametrize("ratio", [0.0, 0.1, 0.37, 1.0])
def test_mixer_breaks_exactly_the_asked_share(ratio):
    mixer = Mixer(ratio, seed=1)
    users = make_users(2, 10)
    events = itertools.islice(live_events(users, make_campaigns(2), 2, START, 1000), 5000)
    kinds = [mixer.apply(e)[1] for e in events]
    broken = sum(k is not None for k in kinds)
    assert abs(broken - ratio * 5000) <= 1
    assert sum(mixer.counts.values()) == broken
    if ratio >= 0.1:
        assert set(mixer.counts) == set(KINDS)


def test_every_corruption_is_classified_as_its_kind():
    rng = random.Random(0)
    users = make_users(6, 10)
    events = list(itertools.islice(live_events(users, make_campaigns(6), 6, START, 1000), 400))
    for event in events:
        assert classify(event.topic, encode(event.value), received_ms=event.ts + 5) == "ok"
        for kind in KINDS:
            assert classify(event.topic, corrupt(event, kind, rng), received_ms=event.ts + 5) == kind, (kind, event)


def test_wrong_types_include_ts_as_a_word_and_price_as_text():
    rng = random.Random(3)
    view = Event(
        "page_views",
        "u",
        {
            "event_id": "e",
            "user_id": "u",
            "session_id": "s",
            "ts": 1,
            "site": "shop",
            "action": "view",
            "item_id": "i",
            "category": "toys",
            "price": 1,
            "target_gender": "male",
            "target_age_band": "kids",
        },
    )
    seen = {corrupt(view, "wrong_type", rng) for _ in range(40)}
    assert any(b'"ts":"yesterday"' in s for s in seen) and any(b'"price":"cheap"' in s for s in seen)
