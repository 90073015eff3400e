"""Gift and car (the e-commerce and car maker stories) end to end: contrasting sessions get the
labels of their story. The gift story's historical profile is the batch model's: the history goes to
the input topics, the contract job types it, `dbt run --select user_profiles --full-refresh` computes the profiles,
then the live sessions."""

from __future__ import annotations

import dataclasses
import random
import time

from dbt_project import Project, poll_until, wait_for_expectations
from rich.progress import Progress

from ctxflow.core.topics import typed_counts, wait_until_typed
from ctxflow.simulate.run import play, send_history
from ctxflow.simulate.scenarios import build_scenario

pytest_plugins = ["conftest_models"]

TIME_SCALE = 0.2


def test_gift_session_is_gift_for_a_woman_55_plus_and_usual_session_is_self(project: Project):
    seed = random.randrange(1_000_000)
    scenario = build_scenario("gift", seed, int(time.time() * 1000), time_scale=TIME_SCALE)
    users = (f"gift-{seed}", f"self-{seed}")
    assert {e.key for e in scenario.history} == set(users)

    before = typed_counts(project.bootstrap, project.prefix)
    with project.sink() as sink:
        send_history(sink, scenario.history, Progress(disable=True), "history")
    # the profiles read the typed topics: only once the contract job has typed the whole history
    wait_until_typed(project.bootstrap, before, scenario.history, project.prefix)
    project.dbt("run", "--select", "user_profiles", "--full-refresh")  # built now: the fixture's run built it

    # the batch model profiled both users from their history: men 25-34, the segment the gift deviates from
    def profiles() -> dict | None:
        table = {r.key["user_id"]: r.value for r in project.read("user_profiles")}  # latest per user
        return table if all(table.get(u) for u in users) else None

    table = poll_until(profiles, f"user_profiles of {users}", timeout_s=30)
    for u in users:
        assert (table[u]["usual_gender"], table[u]["usual_age_band"]) == ("male", "25-34"), table[u]

    with project.sink() as sink:
        play(sink, dataclasses.replace(scenario, history=[]))
    wait_for_expectations(project, scenario.expectations, timeout_s=60)


def test_car_buyers_get_their_size_urgency_and_budget_labels(project: Project):
    seed = random.randrange(1_000_000)
    scenario = build_scenario("car", seed, int(time.time() * 1000), time_scale=TIME_SCALE)
    assert {tuple(e.key.values()) for e in scenario.expectations} == {
        (f"car-{b}-{seed}-live",) for b in ("a", "b", "c")
    }
    with project.sink() as sink:
        play(sink, scenario)
    wait_for_expectations(project, scenario.expectations, timeout_s=60)
