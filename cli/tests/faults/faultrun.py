"""One fault test's run: the project on the reference and the faulted stack, the same live stream sent to
both, a process of the faulted stack killed (`kill -9`) in the middle and started again, then the outputs
compared (outputs.py) once the reference is complete.

The stream is the simulator's live traffic (plays, page views, ad requests, campaign events) with 1 % of
malformed events, sent at RATE for SECONDS, and the live phases of the bank and telecom stories (declined
payments, exhausted data plans) across the fault, whose customers' records are sent first. A last
campaign event stamped three minutes ahead moves the event-time watermark past every minute of the
stream, so every KPI window of the stream is final; a last play after every event moves the plays past
every ad request, so every request is decided.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

from dbt_project import REPO, STREAMING_JOBS, Project, deploy
from flinkclient.http import FlinkClientError
from flinkclient.rest import FlinkRestClient

from ctxflow.core.events import Event
from ctxflow.core.pacing import Pacer
from ctxflow.core.tally import Tally
from ctxflow.simulate.campaigns import make_campaigns, reference_kpis
from ctxflow.simulate.population import make_users
from ctxflow.simulate.scenarios import Scenario, build_scenario
from ctxflow.simulate.traffic import live_events
from ctxflow.stack import manager
from ctxflow.stack.settings import Settings
from ctxflow.waiting import wait_for

from .outputs import Row, Snapshot, compare, freeze, holds, snapshot

RATE = 100  # events/s
SECONDS = 40
FAULT_AT_S = 12
AWAY_S = 5  # how long the killed process stays dead
MALFORMED = 0.01
LATENESS_MS = 60_000  # var allowed_lateness_seconds
FLUSH_AHEAD_MS = 180_000  # within the contract's max_future_skew_minutes (5)
SEED = 11
JOBS = len(STREAMING_JOBS)  # the project's streaming jobs (dbt_project.py)
STORIES = ("bank", "telco")  # their situations are what next_best_actions decides
STORY_TIME_SCALE = 0.5  # their live phases (25 and 11 s) then span the fault at FAULT_AT_S


@dataclass(frozen=True)
class FaultStack:
    settings: Settings
    env: dict[str, str]  # CTXFLOW_* of this stack, for `ctxflow stack ...` and dbt

    def cli(self, *args: str, timeout_s: float = 300) -> subprocess.CompletedProcess:
        """`ctxflow ARGS` on this stack; fails the test when it fails."""
        argv = [sys.executable, "-m", "ctxflow.cli", *args]
        out = subprocess.run(argv, capture_output=True, text=True, env=self.env, timeout=timeout_s)
        assert out.returncode == 0, f"ctxflow {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
        return out


@dataclass
class Outcome:
    fault: str
    events_in: int  # sent to each stack, acknowledged by Kafka
    malformed_in: int
    recovered_s: float  # kill -> every job's every task RUNNING again
    rows: list[Row]

    def save(self) -> None:
        """target/reliability/<fault>.json: the figures RELIABILITY.md quotes."""
        out = REPO / "target" / "reliability"
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{self.fault}.json").write_text(json.dumps(asdict(self), indent=2))

    def table(self) -> str:
        head = f"{self.fault}: {self.events_in} events in ({self.malformed_in} malformed)"
        lines = [f"{head}, recovered in {self.recovered_s:.0f} s"]
        lines += [
            f"  {r.output:15} {r.guarantee:28} reference {r.reference:5}  lost {r.lost}  duplicated {r.duplicated}"
            + (f"  identical replayed copies {r.replayed}" if r.replayed else "")
            for r in self.rows
        ]
        return "\n".join(lines)


def kill(stack: FaultStack, service: str) -> int:
    """`kill -9` of one of the stack's processes, found by its PID file (never by name), with what it
    started: its process group (the stack starts each service in a session of its own). A TaskManager's
    PyFlink workers would otherwise outlive it, orphaned, as they would not on a crashed machine."""
    pid = manager.pid_of(stack.settings, service)
    assert pid is not None, f"{service} of the fault stack is not running"
    os.killpg(pid, signal.SIGKILL)
    return pid


def _running(settings: Settings) -> list[dict]:
    """The RUNNING jobs of /jobs/overview (with their task counts), through the project's Flink client."""
    with FlinkRestClient(settings.flink_rest_url, hint="the fault stack's JobManager", timeout_s=10) as rest:
        return [j for j in rest.get("/jobs/overview")["jobs"] if j["state"] == "RUNNING"]


def all_tasks_running(settings: Settings) -> bool:
    """JOBS jobs RUNNING on the stack, every task of each RUNNING too (a restarted job is RUNNING before
    its tasks are)."""
    try:
        running = _running(settings)
    except FlinkClientError:  # the JobManager is still coming back
        return False
    return len(running) >= JOBS and all(j["tasks"]["running"] == j["tasks"]["total"] for j in running)


def new_jobs(settings: Settings, since_ms: float) -> list[str]:
    """Names of the RUNNING jobs started after `since_ms` (epoch ms)."""
    return [j["name"] for j in _running(settings) if j["start-time"] >= since_ms]


def every_job_checkpointed(settings: Settings) -> bool:
    """JOBS jobs RUNNING on the stack, each with a completed checkpoint: what a fault in a deployment
    that has run for a while finds (the heap groups checkpoint only every minute: macros/kafka.sql)."""
    with FlinkRestClient(settings.flink_rest_url, hint="the fault stack's JobManager", timeout_s=10) as rest:
        running = [j["jid"] for j in rest.get("/jobs/overview")["jobs"] if j["state"] == "RUNNING"]
        return len(running) >= JOBS and all(
            rest.get(f"/jobs/{jid}/checkpoints")["counts"]["completed"] > 0 for jid in running
        )


def restored_from(settings: Settings) -> dict[str, str | None]:
    """Each RUNNING job's name -> the checkpoint or savepoint it was started from (Flink's checkpoint
    statistics), None for a job that started empty."""
    with FlinkRestClient(settings.flink_rest_url, hint="the fault stack's JobManager", timeout_s=10) as rest:
        return {
            j["name"]: ((rest.get(f"/jobs/{j['jid']}/checkpoints").get("latest") or {}).get("restored") or {}).get(
                "external_path"
            )
            for j in rest.get("/jobs/overview")["jobs"]
            if j["state"] == "RUNNING"
        }


def _deploy_both(main: Settings, stack: FaultStack) -> tuple[Project, Project]:
    prefix = f"fault{uuid.uuid4().hex[:6]}."
    with ThreadPoolExecutor(2) as pool:
        ref = pool.submit(deploy, main, prefix)
        got = pool.submit(deploy, stack.settings, prefix, stack.env)
        return ref.result(), got.result()


def _stream(
    ref: Project, got: Project, stories: list[Scenario], on_fault: Callable[[], None]
) -> tuple[list[Event], int, Event]:
    """Sends the stream to both stacks, calls on_fault() FAULT_AT_S in; returns the events sent intact,
    how many were sent malformed, and the flush event."""
    users, campaigns = make_users(SEED, 40), make_campaigns(SEED)
    events = live_events(users, campaigns, SEED, start_ms=int(time.time() * 1000), rate=RATE)
    story_events = deque(sorted((t for s in stories for t in s.live), key=lambda t: t.send_offset_ms))
    with ref.sink(malformed_rate=MALFORMED, seed=SEED) as a, got.sink(malformed_rate=MALFORMED, seed=SEED) as b:
        ta, tb, pacer = Tally(), Tally(), Pacer(RATE)

        def to_both(event: Event) -> None:
            a.send(event, ta)
            b.send(event, tb)

        for event in (e for s in stories for e in s.history if e.topic == "customers"):
            to_both(event)  # the customers' records (reference data, never malformed) before their situations
        sent, faulted = 0, False
        while sent < RATE * SECONDS:
            for _ in range(min(pacer.take(), RATE * SECONDS - sent)):
                to_both(next(events))
                sent += 1
            while story_events and story_events[0].send_offset_ms <= pacer.elapsed() * 1000:
                to_both(story_events.popleft().event)
            if not faulted and pacer.elapsed() >= FAULT_AT_S:
                on_fault()
                faulted = True
        while story_events:
            to_both(story_events.popleft().event)
        valid = [e for e, _, kind in a.sent if kind is None]
        malformed = len(a.sent) - len(valid)
        flush = _copy_of_last(valid, "campaign_events", int(time.time() * 1000) + FLUSH_AHEAD_MS)
        # and a play after every request: ad_decisions decides a request once the plays pass its time
        listening_on = _copy_of_last(valid, "plays", max(e.value["ts"] for e in valid) + 1)
        for event in (flush, listening_on):
            to_both(event)
    return [*valid, flush, listening_on], malformed, flush


def _copy_of_last(sent: list[Event], topic: str, ts: int) -> Event:
    """The last event sent to `topic` again, as a new event (an id of its own) at `ts`."""
    last = next(e for e in reversed(sent) if e.topic == topic)
    return Event(topic, last.key, {**last.value, "event_id": f"flush-{uuid.uuid4().hex}", "ts": ts})


def run_with_fault(main: Settings, stack: FaultStack, service: str, recover: Callable[[Project], None]) -> Outcome:
    """The whole fault test; `recover(faulted project)` brings the killed `service` back (it runs AWAY_S
    after the kill, while the stream goes on)."""
    ref, got = _deploy_both(main, stack)
    # Flink takes a job's first checkpoint within one interval of its start (a random delay)
    wait_for(lambda: every_job_checkpointed(stack.settings), "a checkpoint of every job", timeout_s=120)
    killed: dict[str, float] = {}
    restarter: list[threading.Thread] = []
    errors: list[BaseException] = []

    def come_back() -> None:
        try:
            time.sleep(AWAY_S)  # the length of the outage, not a wait for something to happen
            recover(got)
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    def fault() -> None:
        kill(stack, service)
        killed["at"] = time.monotonic()
        restarter.append(threading.Thread(target=come_back, daemon=True))
        restarter[0].start()

    stories = [build_scenario(name, SEED, int(time.time() * 1000), STORY_TIME_SCALE) for name in STORIES]
    valid, malformed, flush = _stream(ref, got, stories, fault)
    restarter[0].join(timeout=600)
    assert not errors, f"bringing {service} back failed: {errors[0]}"
    wait_for(lambda: all_tasks_running(stack.settings), "every job of the fault stack RUNNING again", timeout_s=300)
    recovered_s = time.monotonic() - killed["at"]

    requests = {e.value["request_id"] for e in valid if e.topic == "ad_requests"}
    watermark = flush.value["ts"] - LATENESS_MS
    closed_minutes = [k for k in reference_kpis(valid) if k.window_end <= watermark]
    valid_ids = {e.value.get("event_id") for e in valid}
    situations = {  # each situation whose opening event was sent intact
        freeze(x.key)
        for s in stories
        for x in s.expectations
        if x.output == "next_best_actions" and x.key["situation_id"] in valid_ids
    }

    def reference_complete(snap: Snapshot) -> bool:
        minutes = sum(n for row, n in snap.rows["campaign_kpis"].items() if json.loads(row)["grain"] == "minute")
        return (
            requests <= set(snap.copies["ad_decisions"])
            and sum(snap.rows["dead_letter"].values()) == malformed
            and minutes >= len(closed_minutes)
            and situations <= set(snap.latest["next_best_actions"])
        )

    last: list[list[Row]] = [[]]

    def converged() -> bool:
        ref_snap = snapshot(ref)
        if not reference_complete(ref_snap):
            return False
        last[0] = compare(ref_snap, snapshot(got))
        return holds(last[0])

    try:
        wait_for(converged, "the faulted run's outputs to equal the reference's", timeout_s=300, every_s=5)
    except TimeoutError:
        pass  # the outcome's rows say what differs; the test asserts on them
    if not last[0]:
        raise AssertionError("the reference run never completed (see the reference stack's jobs)")
    outcome = Outcome(service, len(valid) + malformed, malformed, recovered_s, last[0])
    outcome.save()
    print(outcome.table())
    return outcome
