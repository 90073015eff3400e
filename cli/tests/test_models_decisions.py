"""An ad request is decided with its listener's context as of its own time whichever of ad_decisions' two
streams went quiet before it: what the catch-up after a broker or contract-job outage does, writing the
requests and the plays of the same seconds far apart (RELIABILITY.md). With the session's 2 s idle
timeout alone, the quiet stream counted as idle and the other one alone moved the join on: a request
ahead of the plays was decided without them, and a request behind the plays came too late for the
context versions the join had already dropped."""

from __future__ import annotations

import random
import time

from dbt_project import Project

from ctxflow.core.contract import project_vars
from ctxflow.core.events import Event
from ctxflow.core.tally import Tally
from ctxflow.core.topics import typed_counts, wait_until_typed
from ctxflow.simulate.ids import Ids
from ctxflow.simulate.population import make_user
from ctxflow.simulate.sessions import SessionContext, ad_request, play

pytest_plugins = ["conftest_models"]

# The condition of the catch-up, not a wait for something to happen: one stream sends nothing for longer
# than the session's idle timeout (profiles.yml, 2 s), which would make it idle were ad_decisions' inputs
# to fall back to it (they have their own: the plays 120 s, the requests never). Then the other stream's
# events are in their typed topic before the quiet one's of the same seconds are sent.
QUIET_S = 4
# Every play is sent after its own time or within milliseconds of it: a play seconds ahead of the clock
# moves the plays' watermark past the next test's first plays, which then come late (the plays'
# watermark has no delay) and a request of theirs is decided before them.
ADULT = {"contraceptives", "dating", "alcohol"}  # blocked in a family context (seeds/ad_rules.csv)


def listener(name: str):
    """A new listener, and a function that makes one of their plays (kids or adult) at a time."""
    seed = random.randrange(1_000_000)
    rng = random.Random(f"decisions-test:{seed}")
    ctx = SessionContext(rng, Ids(seed, f"decisions-test-{name}"))
    user = make_user(f"{name}-{seed}", rng)

    def plays(ts: int, kids: bool = True) -> Event:
        return play(ctx, user, ts, *(("kids_songs", "kids") if kids else ("romance", "adult")))

    return ctx, user, plays


def send(project: Project, *events: Event) -> None:
    with project.sink() as sink:  # flushed on leaving: in Kafka when this returns
        for event in events:
            sink.send(event, Tally())


def send_and_type(project: Project, *events: Event) -> None:
    """Sends `events` and returns once the contract job has written them to their typed topics."""
    before = typed_counts(project.bootstrap, project.prefix)
    send(project, *events)
    wait_until_typed(project.bootstrap, before, events, project.prefix)


def test_a_request_waits_for_the_plays_up_to_its_time_after_the_plays_went_quiet(project: Project):
    ctx, user, kids = listener("wait")

    # two kids plays, one short of a family context (seeds/context_thresholds.csv: 3), and a request
    # between them, decided once the second play passes its time: the decisions job has read the plays
    now = int(time.time() * 1000)
    first = ad_request(ctx, user, now + 1, "audio_break")
    send(project, kids(now), first, kids(now + 2))
    before = project.wait_for_decision(first.value["request_id"], "the decision of the first request")
    assert not ADULT & set(before["blocked_categories"]), before

    time.sleep(QUIET_S)  # the plays go quiet
    at = int(time.time() * 1000)
    request = ad_request(ctx, user, at, "audio_break")
    send_and_type(project, request)  # the request is in its typed topic; the play before it is not yet
    # the third kids play (a family context from here on), then the user listens on past the request
    send(project, kids(at - 100), kids(at + 1))

    decided = project.wait_for_decision(request.value["request_id"], "the decision of the request")
    assert ADULT <= set(decided["blocked_categories"]), (
        f"decided without the play written after it (the plays counted as idle): {decided}"
    )


def test_a_request_behind_the_plays_gets_the_context_as_of_its_time_after_the_requests_went_quiet(
    project: Project,
):
    ctx, user, plays = listener("late")

    # a family context (four kids plays), and a request decided with it
    now = int(time.time() * 1000)
    first = ad_request(ctx, user, now + 3, "audio_break")
    send(project, *(plays(now + i) for i in range(3)), first, plays(now + 4))
    before = project.wait_for_decision(first.value["request_id"], "the decision of the first request")
    assert ADULT <= set(before["blocked_categories"]), before

    time.sleep(QUIET_S)  # the requests go quiet
    at = int(time.time() * 1000)
    request = ad_request(ctx, user, at, "audio_break")
    # three adult plays after the request's time, which end the family context (4 of 7 plays, under
    # 0.6), are in their typed topic before the request is sent
    send_and_type(project, *(plays(at + i, kids=False) for i in (1, 2, 3)))
    send(project, request, plays(at + 4, kids=False))

    decided = project.wait_for_decision(request.value["request_id"], "the decision of the request")
    assert ADULT <= set(decided["blocked_categories"]), (
        f"not decided with the family context of its time (the requests counted as idle): {decided}"
    )


def test_a_request_after_a_quiet_spell_of_requests_longer_than_the_idle_timeout_is_decided_at_once(
    project: Project,
):
    """Live traffic where the ad server pauses: the plays flow on alone for longer than the plays' idle
    timeout, then the first request comes just behind a play of a later time. Were the requests' source to
    count as idle by then, the plays alone would have moved the join past the request's time: its timer
    would wait for a later request and a later play, and the context version of its time would be gone."""
    ctx, user, plays = listener("pause")
    quiet_s = project_vars()["decision_plays_idle_timeout_seconds"] + 10

    # the listener's kids plays go on every 5 s (the plays' source stays active), and no request comes
    start = time.monotonic()
    while time.monotonic() - start < quiet_s:
        send(project, plays(int(time.time() * 1000)))
        time.sleep(5)
    at = int(time.time() * 1000)
    send_and_type(project, plays(at + 1))  # the plays' watermark is past the request's time
    request = ad_request(ctx, user, at, "audio_break")
    send(project, request)

    decided = project.wait_for_decision(request.value["request_id"], "the decision of the request", timeout_s=30)
    assert ADULT <= set(decided["blocked_categories"]), f"not decided with the family context of its time: {decided}"
