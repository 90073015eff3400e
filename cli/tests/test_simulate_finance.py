"""The bank and telecom traffic (simulate/finance.py) and the bank/telco scenarios, as pure builders:
valid per the event contract, deterministic, with trips abroad and the late-evening time zone."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ctxflow.core.contract import validate
from ctxflow.simulate.finance import (
    DAY_MS,
    background_history,
    background_live,
    customers_of,
    late_evening_zone,
)
from ctxflow.simulate.population import make_users
from ctxflow.simulate.scenarios import build_scenario

NOW = 1_795_000_000_000


def _customers():
    return customers_of(make_users(3, 200), 3)


def test_background_events_are_valid_and_deterministic():
    history = background_history(_customers(), 3, NOW, 2)
    live = list(itertools.islice(background_live(_customers(), 3, NOW, 500), 5000))
    assert history == background_history(_customers(), 3, NOW, 2)
    assert live == list(itertools.islice(background_live(_customers(), 3, NOW, 500), 5000))
    events = [e for e in history + live if e.topic != "customers"]
    assert events and all(not validate(e.topic, e.value) for e in events)
    assert {e.topic for e in events} == {"payments", "telco_usage"}
    # a reference record for every customer before any of their events, in both phases
    assert [e.topic for e in history[:200]] == ["customers"] * 200
    assert [e.topic for e in live[:200]] == ["customers"] * 200
    assert [e.ts for e in live[200:]] == sorted(e.ts for e in live[200:])


def test_some_customers_travel_and_some_payments_are_declined():
    history = background_history(_customers(), 3, NOW, 7)
    payments = [e.value for e in history if e.topic == "payments"]
    homes = {c.user_id: c.home_country for c in _customers()}
    abroad = {p["user_id"] for p in payments if p["merchant_country"] != homes[p["user_id"]]}
    assert 0.03 < len(abroad) / len(homes) < 0.4
    live = [e.value for e in itertools.islice(background_live(_customers(), 3, NOW, 500), 20000)]
    declined = [v for v in live if v.get("status") == "declined"]
    assert declined and {v["decline_reason"] for v in declined} >= {"limit_exceeded", "insufficient_funds"}


@pytest.mark.parametrize("hour", range(24))
def test_late_evening_zone_is_late_evening_at_any_hour(hour):
    now = NOW - NOW % DAY_MS + hour * 3_600_000
    local = datetime.fromtimestamp(now / 1000, UTC).astimezone(ZoneInfo(late_evening_zone(now)))
    assert local.hour == 22


@pytest.mark.parametrize("name", ["bank", "telco"])
def test_story_events_are_valid_and_expectations_name_their_situations(name):
    scenario = build_scenario(name, 11, NOW)
    assert all(not validate(e.topic, e.value) for e in scenario.events() if e.topic != "customers")
    ids = {t.event.value["event_id"] for t in scenario.live}
    assert all(x.output == "next_best_actions" and x.key["situation_id"] in ids for x in scenario.expectations)
    assert scenario == build_scenario(name, 11, NOW)
