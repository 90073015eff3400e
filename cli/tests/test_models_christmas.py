"""Christmas (the Spotify story) end to end: a family context blocks adult ads within seconds of the
play that completes it, no ad request during it gets a blocked category, and the block lifts once the
user is back to their usual adult music."""

from __future__ import annotations

import random
import threading
import time
from decimal import Decimal

from dbt_project import Project, poll_until, thresholds, wait_for_expectations

from ctxflow.core.events import Event
from ctxflow.simulate.run import play
from ctxflow.simulate.scenarios import build_scenario, christmas

pytest_plugins = ["conftest_models"]

ADULT = christmas.BLOCKED  # contraceptives, dating, alcohol
FLIP_WITHIN_S = 5.0
TIME_SCALE = 0.3  # the live phase in ~50 s instead of ~160 s; the context window is 30 min either way


def completing_play(live: list[Event], user_id: str) -> Event:
    """The first play after which the user's recent plays make a family context (seeds/context_thresholds.csv)."""
    th = thresholds()
    family = total = 0
    for e in live:
        if e.topic != "plays" or e.key != user_id:
            continue
        total += 1
        family += e.value["audience"] in ("family", "kids")
        if family >= th["family_context_min_plays"] and Decimal(family) / total >= th["family_context_min_share"]:
            return e
    raise AssertionError("the scenario never completes a family context")


def test_family_context_blocks_adult_ads_within_5_s_and_lifts_after_normal_listening(project: Project):
    seed = random.randrange(1_000_000)
    user_id = f"xmas-{seed}"
    scenario = build_scenario("christmas", seed, int(time.time() * 1000), time_scale=TIME_SCALE)
    completing = completing_play([t.event for t in scenario.live], user_id)
    during = next(e for e in scenario.expectations if e.output == "ad_eligibility" and e.until_event_id)
    afterwards = [e for e in scenario.expectations if e is not during]
    requests = [t.event.value["request_id"] for t in scenario.live if t.event.topic == "ad_requests"]

    tail = project.tail("ad_eligibility")
    errors: list[BaseException] = []
    flipped_at = None
    early: list[dict] = []  # family-context records seen before the completing play was sent
    try:
        with project.sink() as sink:

            def send() -> None:
                try:
                    play(sink, scenario)
                except BaseException as err:  # noqa: B036 - reported by the test thread
                    errors.append(err)

            sender = threading.Thread(target=send, name="christmas-sender")
            sender.start()
            deadline = time.monotonic() + scenario.live[-1].send_offset_ms / 1000 + 120
            while (sender.is_alive() or flipped_at is None) and time.monotonic() < deadline:
                for received, rec in tail.poll(0.05):
                    value = rec.value
                    if value is None or value.get("user_id") != user_id or during.check(value):
                        continue
                    if event_sent := sink.sent_at.get(completing.value["event_id"]):
                        if flipped_at is None and received >= event_sent:
                            flipped_at = received - event_sent
                    else:
                        early.append(value)
            sender.join()
    finally:
        tail.close()
    assert not errors, f"sending the scenario failed: {errors[0]!r}"
    assert not early, f"family context before the play that completes it: {early}"
    assert flipped_at is not None, f"{user_id} never got a family context with {ADULT} blocked"
    print(f"\nchristmas: ad_eligibility flipped {flipped_at:.3f} s after the play that completed the family context")
    assert flipped_at <= FLIP_WITHIN_S, f"the flip took {flipped_at:.2f} s (> {FLIP_WITHIN_S} s)"

    # every ad request is decided; none gets an adult category; the requests made during the family
    # context carry the adult block; once the user is back to normal, eligibility lifts the block
    wait_for_expectations(project, afterwards, timeout_s=60)
    live = set(requests)

    def decided() -> list[dict] | None:
        mine = [r.value for r in project.read("ad_decisions") if r.value and r.value["user_id"] == user_id]
        return mine if live <= {d["request_id"] for d in mine} else None

    decisions = poll_until(decided, f"the decisions of the {len(live)} live ad requests of {user_id}")
    assert sorted(d["request_id"] for d in decisions if d["request_id"] in live) == sorted(live)  # one each
    for d in decisions:  # the live ones and those of the user's month of history
        assert d["served_category"] not in ADULT, d
        assert d["served_category"] not in d["blocked_categories"], d
