"""Step 3: sustained throughput = how fast ALL the project's jobs drain the pre-produced backlog.

Measured like every ceiling: from the moment reading begins to the moment every job's sources have
read their partitions to the end offsets (drain.drain_moment) and every output has stopped growing
(drain.settle_moment: what a job had read and not yet written is out too, but for what waits on a
watermark, counted apart); rate = backlog events / that span.
Reading begins when the contract job group starts (deploy.py starts it last, every job downstream of
it already running on its empty typed topics): the latest source start among the jobs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from flinkclient.jobnames import short_name

from ..waiting import wait_for
from . import resources
from .drain import (
    EndOffsets,
    Partition,
    Round,
    Watcher,
    all_caught_up,
    drain_moment,
    finished,
    last_growth,
    one_per_input,
    refresh_interval_ms,
    settle_moment,
)
from .jobmetrics import is_project_job, source_window_ms
from .profile import profile
from .session import Session, keep

# How long no output may grow before the backlog counts as drained: longer than the stack's checkpoint
# interval (10 s), since the exactly-once outputs show their records when a checkpoint completes.
QUIET_MS = 15_000


# Outputs with one record per record of an input, counted when the drain is seen. Not a condition of
# the drain: ad_decisions' temporal join keeps each request in its state until the watermark of the
# plays (its context versions) passes it, and the requests of the backlog's last instant wait for live events
# that move the watermark on; so the report says how many decisions were out.
ONE_PER_INPUT = {"ad_decisions": "valid.ad_requests"}


def drained(rounds, jids: list[str]):
    return finished(drain_moment(rounds, jids), settle_moment(rounds, QUIET_MS))


@contextmanager
def watching(s: Session, prefix: str | None = None) -> Iterator[Watcher]:
    """Watches the project's jobs and every topic under `prefix` (the run's by default) until the block
    is left, then stops the watcher and closes its consumer."""
    offsets = EndOffsets(s.settings.kafka_bootstrap, prefix or s.prefix)
    watcher = Watcher(s.metrics, offsets, lambda: s.rest.active_jobs(is_project_job))
    watcher.start()
    try:
        yield watcher
    finally:
        watcher.stop()
        offsets.close()


def measure_drain(s: Session, watcher: Watcher, jobs: dict[str, str]) -> None:
    t = time.monotonic()
    jids = list(jobs)
    early = drain_moment(watcher.snapshot(), jids)
    if early is None:  # still draining: this is when to look at the load and the memory
        s.result["profile"] = profile(s, jobs)
        s.result.setdefault("resources", {})["during"] = resources.snapshot(s, jobs)
    else:
        s.notes.append("the backlog was drained before `dbt run` returned: no profile (raise CTXFLOW_BENCH_BACKLOG)")
    try:
        moment = wait_for(
            lambda: drained(watcher.snapshot(), jids),
            "every job to drain the backlog",
            timeout_s=s.cfg.drain_timeout_s,
            every_s=1.0,
        )
    except TimeoutError:
        moment = None
    rounds = watcher.snapshot()
    details = [s.rest.job_detail(jid) for jid in jids]
    _keep_rounds(rounds, details)
    starts = [source_window_ms([d])[0] for d in details]
    start_ms = max(starts) if starts and None not in starts else None
    # how long the deploy took from the first job to the contract job (all before the clock starts)
    spread = (max(starts) - min(starts)) / 1000 if start_ms is not None else None
    events = s.result["backlog"]["events"]
    out: dict = {
        "events": events,
        "flink_jobs": len(jids),
        "metric_refresh_ms": refresh_interval_ms(rounds),
        "last_job_started_after_s": None if spread is None else round(spread, 2),
        "watcher_errors": watcher.errors,
    }
    if moment is None or start_ms is None:
        last = rounds[-1] if rounds else None
        out["drained"] = False
        s.notes.append(f"the jobs had not drained the backlog after {s.cfg.drain_timeout_s:.0f} s")
        if last is not None:
            out["behind_at_timeout"] = {
                short_name(jobs[j]): sum(max(0, last.ends.get(tp, 0) - 1 - p) for tp, p in pos.items())
                for j, pos in last.positions.items()
                if j in jobs
            }
    else:
        seconds = (moment.at_ms - start_ms) / 1000
        out |= {
            "drained": True,
            "drain_s": round(seconds, 2),
            "drain_s_bracket": [
                round((moment.earliest_ms - start_ms) / 1000, 2),
                round((moment.latest_ms - start_ms) / 1000, 2),
            ],
            "events_per_s": round(events / seconds) if seconds > 0 else None,
            "per_job": per_job_drain(rounds, jobs, start_ms),
            "quiet_s": QUIET_MS / 1000,
            "sources_read_s": round((drain_moment(rounds, jids).at_ms - start_ms) / 1000, 2),
            "one_per_input_when_drained": one_per_input(rounds[-1], ONE_PER_INPUT, s.prefix),
            # the outputs that grew after reading began, by when they last did
            "outputs_last_grew_s": {
                t.removeprefix(s.prefix): round((at - start_ms) / 1000, 2)
                for t, at in sorted(last_growth(rounds).items(), key=lambda kv: kv[1])
                if at > start_ms
            },
        }
        s.say(
            f"drained {events:,} events in {seconds:.1f} s (sources read by {out['sources_read_s']} s, outputs "
            f"settled after; bracket {out['drain_s_bracket']}) = "
            f"{out['events_per_s']:,} events/s; metric refresh every {out['metric_refresh_ms']} ms"
        )
        # the state once drained: wait for a checkpoint taken after the drain (interval 10 s)
        try:
            wait_for(
                lambda: resources.checkpoint_after(s, jobs, moment.latest_ms), "a checkpoint after the drain", 30, 1
            )
        except TimeoutError:
            s.notes.append("no checkpoint completed within 30 s of the drain: state sizes are from before it")
        s.result.setdefault("resources", {})["after"] = resources.snapshot(s, jobs)
    s.result.setdefault("resources", {})["heap_peak_bytes"] = sum(watcher.heap_peak.values()) or None
    s.result["throughput"] = out
    s.timed("drain_s", t)


def _keep_rounds(rounds: list[Round], details: list[dict]) -> None:
    """What the drain moment was found from, for auditing it: the watcher's rounds and the jobs' details
    (target/bench/drain_rounds.json)."""

    def named(offsets: dict[Partition, int]) -> dict[str, int]:
        return {f"{topic}/{partition}": offset for (topic, partition), offset in offsets.items()}

    rounds_out = [
        {
            "t_ms": r.t_ms,
            "positions": {jid: named(pos) for jid, pos in r.positions.items()},
            "ends": named(r.ends),
            "outputs": r.outputs,
            "took_ms": r.took_ms,
        }
        for r in rounds
    ]
    keep("drain_rounds.json", {"rounds": rounds_out, "jobs": details})


def per_job_drain(rounds, jobs: dict[str, str], start_ms: int) -> dict:
    """When each job had caught up for good, from the moment reading began (the contract group's start).
    A job downstream of the contract group is caught up on its empty topics before the backlog reaches
    it, so its moment is the one after the last round that showed it behind."""
    out = {}
    for jid in jobs:
        behind = [i for i, r in enumerate(rounds) if not all_caught_up(r, [jid])]
        moment = drain_moment(rounds[behind[-1] :] if behind else rounds, [jid])
        if moment is not None:
            out[short_name(jobs[jid])] = {"drain_s": round(max(0, moment.at_ms - start_ms) / 1000, 2)}
    return out
