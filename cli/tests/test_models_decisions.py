"""An ad request is decided with every play up to its own time, even when the plays went quiet before it
and the request reaches its typed topic ahead of a play of an earlier time: what the catch-up after a
broker or contract-job outage does (RELIABILITY.md). With the session's 2 s idle timeout alone the plays'
source counted as idle after the quiet spell, and the request was decided at once, without that play."""

from __future__ import annotations

import random
import time

from dbt_project import Project, poll_until

from ctxflow.core.tally import Tally
from ctxflow.simulate.ids import Ids
from ctxflow.simulate.population import make_user
from ctxflow.simulate.sessions import SessionContext, ad_request, play

pytest_plugins = ["conftest_models"]

# The two conditions of the catch-up, not waits for something to happen: no play for longer than the
# session's idle timeout (profiles.yml, 2 s), then the request written this long before the earlier play.
QUIET_S = 4
AHEAD_S = 1.5
ADULT = {"contraceptives", "dating", "alcohol"}  # blocked in a family context (seeds/ad_rules.csv)


def decision(project: Project, request_id: str) -> dict | None:
    return next((r.value for r in project.read("ad_decisions") if r.value and r.key == request_id), None)


def test_a_request_waits_for_the_plays_up_to_its_time_after_the_plays_went_quiet(project: Project):
    seed = random.randrange(1_000_000)
    rng = random.Random(f"decisions-test:{seed}")
    ctx = SessionContext(rng, Ids(seed, "decisions-test"))
    user = make_user(f"wait-{seed}", rng)
    kids = lambda ts: play(ctx, user, ts, "kids_songs", "kids")  # noqa: E731

    # two kids plays, one short of a family context (seeds/context_thresholds.csv: 3), and a request
    # between them, decided once the second play passes its time: the decisions job has read the plays
    now = int(time.time() * 1000)
    first = ad_request(ctx, user, now + 1, "audio_break")
    with project.sink() as sink:
        for event in (kids(now), first, kids(now + 2)):
            sink.send(event, Tally())
    before = poll_until(lambda: decision(project, first.value["request_id"]), "the decision of the first request")
    assert not ADULT & set(before["blocked_categories"]), before

    time.sleep(QUIET_S)  # the plays go quiet
    at = int(time.time() * 1000)
    request = ad_request(ctx, user, at, "audio_break")
    with project.sink() as sink:
        sink.send(request, Tally())
    time.sleep(AHEAD_S)  # the request is in its topic; the play before it is not yet
    with project.sink() as sink:
        sink.send(kids(at - 100), Tally())  # the third kids play: a family context from here on
        sink.send(kids(at + 1_000), Tally())  # the user listens on: the plays pass the request's time

    decided = poll_until(lambda: decision(project, request.value["request_id"]), "the decision of the request")
    assert ADULT <= set(decided["blocked_categories"]), (
        f"decided without the play written {AHEAD_S} s after it (the plays counted as idle): {decided}"
    )
