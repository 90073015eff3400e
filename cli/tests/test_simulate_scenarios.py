"""The scenario builders: valid events, the story of the brief, consistent expectations (no Kafka)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from ctxflow.core.contract import validate
from ctxflow.core.events import Event, encode
from ctxflow.core.topics import REFERENCE
from ctxflow.simulate.campaigns import reference_kpis
from ctxflow.simulate.scenarios import NAMES, Expectation, build_scenario
from ctxflow.simulate.scenarios.campaign import MAX_LATENESS_MS
from ctxflow.simulate.scenarios.christmas import BLOCKED

NOW = int(datetime(2026, 11, 27, 18, 30, tzinfo=UTC).timestamp() * 1000)
DAY = 86_400_000


@pytest.mark.parametrize("name", NAMES)
def test_every_scenario_event_is_valid_and_the_builder_is_pure(name):
    scenario = build_scenario(name, 7, NOW)
    # reference records (the bank's customer master, keyed by JSON of user_id) are not contract events
    references = [e for e in scenario.events() if e.topic in REFERENCE]
    assert all(json.loads(e.key) == {"user_id": e.value["user_id"]} for e in references)
    events = [e for e in scenario.events() if e.topic not in REFERENCE]
    assert [(e.topic, validate(e.topic, e.value)) for e in events if validate(e.topic, e.value)] == []
    assert all(e.key == e.value["user_id"] for e in events)
    ids = [e.value.get("event_id") or e.value.get("request_id") for e in events]
    assert len(ids) == len(set(ids))
    assert scenario.live and scenario.expectations
    offsets = [t.send_offset_ms for t in scenario.live]
    assert offsets == sorted(offsets) and offsets[0] >= 0
    assert all(e.ts < NOW for e in scenario.history)
    again = build_scenario(name, 7, NOW)
    assert [encode(e.value) for e in again.events()] == [encode(e.value) for e in references + events]
    assert [encode(e.value) for e in build_scenario(name, 8, NOW).events()] != [encode(e.value) for e in events]
    referenced = {x for exp in scenario.expectations for x in (exp.after_event_id, exp.until_event_id) if x}
    assert referenced <= set(ids)


def test_time_scale_compresses_the_live_phase():
    slow, fast = build_scenario("christmas", 1, NOW), build_scenario("christmas", 1, NOW, time_scale=0.1)
    assert fast.live[-1].send_offset_ms == pytest.approx(slow.live[-1].send_offset_ms / 10, abs=1)
    assert [t.event.value["genre"] for t in fast.live if t.event.topic == "plays"] == [
        t.event.value["genre"] for t in slow.live if t.event.topic == "plays"
    ]


def test_christmas_tells_the_story():
    s = build_scenario("christmas", 3, NOW)
    assert {e.key for e in s.events()} == {"xmas-3"}
    history_plays = [e.value for e in s.history if e.topic == "plays"]
    assert len({e.ts // DAY for e in s.history}) >= 25  # about a month of history
    assert {(p["genre"], p["audience"]) for p in history_plays} <= {("romance", "adult"), ("rnb", "adult")}
    live = [(t.event.topic, t.event.value.get("genre"), t.event.value.get("audience")) for t in s.live]
    assert [x[0] for x in live] == ["plays"] * 5 + ["ad_requests"] * 3 + ["plays"] * 8 + ["ad_requests"] * 2 + ["plays"]
    assert all(g == "christmas" and a in ("family", "kids") for _, g, a in live[:5])
    assert s.live[4].send_offset_ms - s.live[0].send_offset_ms <= 60_000
    assert all(g in ("romance", "rnb") and a == "adult" for _, g, a in live[8:16] + live[18:])
    decisions = [e for e in s.expectations if e.output == "ad_decisions"]
    assert len(decisions) == 5
    eligibility = [e for e in s.expectations if e.output == "ad_eligibility"]
    assert eligibility[0].contains["blocked_categories"] == BLOCKED
    assert eligibility[1].excludes["blocked_categories"] == BLOCKED


def test_gift_contrasts_a_gift_shopper_with_a_self_shopper():
    s = build_scenario("gift", 5, NOW)
    for user in ("gift-5", "self-5"):
        views = [e.value for e in s.history if e.key == user and e.topic == "page_views"]
        assert len({v["ts"] // DAY for v in views}) >= 25
        assert {(v["category"], v["target_gender"], v["target_age_band"]) for v in views if v["site"] == "shop"} <= {
            ("electronics", "male", "25-34"),
            ("gaming", "male", "25-34"),
        }
    gift_live = [t.event.value for t in s.live if t.event.key == "gift-5"]
    assert len(gift_live) == 6 and {v["action"] for v in gift_live} <= {"view", "search"}
    assert {v["category"] for v in gift_live} == {"jewelry", "garden", "cookware", "fashion_women"}
    assert {(v["target_gender"], v["target_age_band"]) for v in gift_live} == {("female", "55+")}
    personas = {e.key["user_id"]: e.equals["persona"] for e in s.expectations}
    assert personas == {"gift-5": "gift", "self-5": "self"}


def test_car_buyers_behave_as_their_labels():
    s = build_scenario("car", 2, NOW)
    by_session: dict[str, list[dict]] = {}
    for t in s.live:
        by_session.setdefault(t.event.value["session_id"], []).append(t.event.value)
    labels = {
        e.key["session_id"]: (e.equals["size_class"], e.equals["urgency"], e.equals["budget"]) for e in s.expectations
    }
    assert sorted(labels.values()) == sorted(
        [("family", "urgent", "standard"), ("small", "exploring", "premium"), ("family", "exploring", "premium")]
    )
    for session, (size, urgency, budget) in labels.items():
        views = by_session[session]
        assert all(v["site"] == "car" for v in views)
        bodies = {v["body_type"] for v in views}
        assert bodies <= ({"family", "suv", "van"} if size == "family" else {"small", "compact"})
        assert {v["trim"] for v in views} == {budget}
        actions = {v["action"] for v in views}
        assert ({"finance", "test_drive"} <= actions) == (urgency == "urgent")
        if urgency == "exploring":
            assert not actions & {"finance", "test_drive"}


def test_campaign_burst_is_out_of_order_within_the_lateness_and_kpis_add_up():
    s = build_scenario("campaign", 4, NOW)
    events = [t.event for t in s.live]
    assert len({e.value["campaign_id"] for e in events}) == 3
    assert max(e.ts for e in events) == NOW
    # out of order, but never more than 30 s behind the newest event already sent
    newest, lateness = 0, []
    for e in events:
        lateness.append(max(0, newest - e.ts))
        newest = max(newest, e.ts)
    assert max(lateness) <= MAX_LATENESS_MS and sum(x > 5_000 for x in lateness) > 50
    assert sum(e.ts - events[0].ts > 0 for e in events) > 0
    kpis = reference_kpis(events)
    assert len(s.expectations) == len(kpis)
    kinds = Counter(e.value["event_type"] for e in events)
    assert sum(k.impressions for k in kpis) == kinds["impression"]
    assert sum(k.clicks for k in kpis) == kinds["click"]
    assert sum(k.conversions for k in kpis) == kinds["conversion"]
    assert sum(k.spend for k in kpis) == sum(e.value["cost"] for e in events)
    assert sum(k.revenue for k in kpis) == sum(e.value["revenue"] for e in events)
    assert all(k.spend.as_tuple().exponent == -2 and k.revenue.as_tuple().exponent == -2 for k in kpis)
    for k in kpis:
        assert k.window_end - k.window_start == 60_000 and k.window_start % 60_000 == 0
        assert k.ctr == (Decimal(k.clicks) / k.impressions if k.impressions else None)
        assert k.cpa == (k.spend / k.conversions if k.conversions else None)
        exp = next(
            e
            for e in s.expectations
            if e.key["window_start"] == k.window_start and e.key["campaign_id"] == k.campaign_id
        )
        assert exp.key["grain"] == "minute" and exp.equals["cpa"] == (
            k.cpa.quantize(Decimal("0.01"), ROUND_HALF_UP) if k.cpa is not None else None
        )
        assert k.roas == (k.revenue / k.spend if k.spend else None)
    assert sum(k.conversions for k in kpis) >= 15  # enough conversions for cpa and roas to mean something
    assert 0.01 <= kinds["click"] / kinds["impression"] <= 0.05


def test_reference_kpis_on_a_hand_made_example():
    def ev(ts, kind, cost, revenue="0.00", campaign="c1"):
        value = {
            "event_id": f"{ts}{kind}",
            "campaign_id": campaign,
            "ad_id": "a",
            "user_id": "u",
            "ts": ts,
            "event_type": kind,
            "cost": Decimal(cost),
            "revenue": Decimal(revenue),
        }
        return Event("campaign_events", "u", value)

    events = [
        ev(60_000, "impression", "0.01"),
        ev(60_500, "impression", "0.02"),
        ev(61_000, "click", "0.35"),
        ev(119_999, "conversion", "0.00", "49.99"),
        ev(120_000, "impression", "0.01"),
        ev(61_000, "impression", "0.03", campaign="c2"),
    ]
    first, second, other = reference_kpis(events)
    assert (first.campaign_id, first.window_start, first.window_end) == ("c1", 60_000, 120_000)
    assert (first.impressions, first.clicks, first.conversions) == (2, 1, 1)
    assert (first.spend, first.revenue) == (Decimal("0.38"), Decimal("49.99"))
    assert (first.ctr, first.cvr, first.cpa) == (Decimal("0.5"), Decimal(1), Decimal("0.38"))
    assert first.roas.quantize(Decimal("0.0001")) == Decimal("131.5526")
    assert (second.window_start, second.impressions, second.ctr, second.cvr, second.cpa) == (120_000, 1, 0, None, None)
    assert other.campaign_id == "c2"


def test_expectation_check_reports_what_is_wrong():
    exp = Expectation(
        "ad_eligibility",
        {"user_id": "u"},
        "family",
        contains={"blocked_categories": ("alcohol", "dating")},
        excludes={"served_category": ("alcohol",)},
        equals={"window_start": 60_000},
        at_least={"score": 0.5},
        approx={"ctr": Decimal("0.25")},
        mentions={"reason": "quiet hours"},
    )
    good = {
        "user_id": "u",
        "blocked_categories": ["alcohol", "dating", "x"],
        "served_category": "toys",
        "window_start": "1970-01-01 00:01:00.000",
        "score": 0.9,
        "ctr": 0.25004,
        "reason": "in quiet hours: none",
    }
    assert exp.matches_key(good) and exp.check(good) == []
    bad = {**good, "blocked_categories": ["alcohol"], "served_category": "alcohol", "score": 0.1, "ctr": 0.3}
    bad["reason"] = None
    problems = exp.check(bad)
    assert len(problems) == 5 and any("dating" in p for p in problems) and any("quiet hours" in p for p in problems)
    assert exp.check(None) and not exp.matches_key({"user_id": "v"})
