"""`make soak` (python -m ctxflow.bench.soak): the project under steady load for ten minutes. A fresh
deployment under bench.<run>. topics (like `make bench`, whose pieces it uses), the realistic mix sent at
a fixed rate, and every sample: what each job has still to read (its lag, in records), the TaskManager's
heap and time in GC, and the jobs' checkpointed state. The verdict (`verdict`, pure) says whether the
lag stayed bounded and whether heap and state stopped growing. Writes target/bench/soak.json and the
soak section of RELIABILITY.md. Run it alone: it takes over the stack like `make bench`.

A soak looks for what grows without bound, so it runs in a steady state that ten minutes can reach:
- A fixed population (CTXFLOW_SOAK_USERS, with their sessions) that comes back round after round. State kept
  per user or per session grows with the users seen within its TTL (a day), so with a new population each
  round, as a drain's backlog has, it would grow for a day however sound the jobs are. It grows until every
  user has been seen once, so the population is capped to what the first third's events reach
  (population_rounds).
- The project's event-time windows shortened to a minute (SOAK_VARS): the listening context (whose function
  keeps two windows of a user's plays) and the request replay horizon. At their production lengths (30 and
  10 minutes) that state fills for an hour, longer than the soak; the dedup's 2 minutes are kept as they are.
So every user has been seen and every window is full within the first third, and the last two thirds show
whether anything grows beyond that.

Knobs (config.py): CTXFLOW_SOAK_S (600), CTXFLOW_SOAK_SAMPLE_S (30), CTXFLOW_SOAK_RATE (events/s; 0: 80 % of
the drain rate of the last `make bench` in target/bench/last.json, else 10,000), CTXFLOW_SOAK_USERS (100,000).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import threading
import time
from datetime import UTC, datetime

from flinkclient.jobnames import short_name

from ..core.tally import Tally
from . import resources
from .backlog import clean_slate
from .deploy import deploy, seed
from .drain import EndOffsets, remaining
from .load import Loader, Template, make_pool, pool_users
from .run import check_load
from .session import ROOT, TARGET, Session, keep

SHARE_OF_SUSTAINED = 0.8
MAX_LAG_S = 10  # bounded: never more than this many seconds of input behind, after the first third
RATE_KEPT = 0.95  # the share of the rate asked that the load generator must send
# The generator shares the machine's two cores with the jobs and gets no core for a moment now and then
# (a checkpoint, a burst of GC): the events of such a moment go out after it, as a stream of many
# clients would have gone on arriving (RELIABILITY.md, "Soak", says what the bench's quarter second cost).
CATCH_UP_S = 5.0
GROWTH = 1.2  # flat: the last third's floor at most 20 % above the middle third's
START, END = "<!-- soak:start -->", "<!-- soak:end -->"
SOAK_VARS = {"context_window_minutes": 1, "request_replay_horizon_minutes": 1}  # the module's docstring says why


def default_rate() -> float:
    try:
        drained = json.loads((TARGET / "last.json").read_text())["throughput"]["events_per_s"]
        return round(SHARE_OF_SUSTAINED * drained)
    except (OSError, KeyError, TypeError, ValueError):
        return 10_000


def population_rounds(users: int, pool: list[Template], rate: float, seconds: float) -> int:
    """The Loader's user_rounds for a population of about `users`: at most as many rounds of the pool as
    the first third of the soak sends, so that every user has been seen by then."""
    wanted = round(users / pool_users(pool))
    reachable = int(rate * seconds / 3 / len(pool))
    return max(1, min(wanted, reachable))


def _thirds(values: list[float]) -> tuple[list[float], list[float]]:
    n = len(values) // 3
    return values[n : 2 * n], values[2 * n :]


def verdict(samples: list[dict], rate: float, rate_sent: float | None) -> dict:
    """The rate asked was sent, the lag bounded and memory and state flat, from samples in time order
    (needs 6 or more): the load generator sent at least RATE_KEPT of `rate` (on a full machine it gets
    fewer cycles, and a soak at a lower rate than asked proves less than it says); after the first third
    (the jobs' warm-up), no job is ever more than MAX_LAG_S seconds of input behind; and the last third's
    lag, heap floor (lowest heap used: what survives GC) and state are at most GROWTH times the middle
    third's (lag: plus one second of input, so that a lag of a few records is not 'growing')."""
    if len(samples) < 6:
        return {"holds": False, "why": f"{len(samples)} samples: too few to judge"}
    lag = [s["lag_max"] for s in samples]
    middle_lag, last_lag = _thirds(lag)
    middle_heap, last_heap = _thirds([s["heap_used_bytes"] for s in samples])
    middle_state, last_state = _thirds([s["state_size_bytes"] for s in samples])
    checks = {
        "rate_kept": rate_sent is not None and rate_sent >= RATE_KEPT * rate,
        "lag_bounded": max(middle_lag + last_lag) <= MAX_LAG_S * rate,
        "lag_not_growing": statistics.mean(last_lag) <= GROWTH * statistics.mean(middle_lag) + rate,
        "heap_flat": min(last_heap) <= GROWTH * min(middle_heap),
        "state_flat": max(last_state) <= GROWTH * max(middle_state),
    }
    failed = [name for name, ok in checks.items() if not ok]
    return {**checks, "holds": not failed, "why": ", ".join(failed) or "all hold"}


def lag_by_job(
    s: Session, offsets: EndOffsets, jobs: dict[str, str], details: dict[str, dict]
) -> tuple[dict[str, int], bool]:
    """Records each job has still to read: its sources' positions (Flink's metrics, fetched anew for this
    sample and refreshed every second, so up to a second of input shows as lag) against the partitions'
    high watermarks right after; and whether the positions were seen to be fresh."""
    positions, fresh = s.metrics.fresh_source_positions(details)
    lag = {
        short_name(name): remaining(positions[jid], offsets.high_watermarks(set(positions[jid])))
        for jid, name in jobs.items()
    }
    return lag, fresh


def sample(s: Session, offsets: EndOffsets, jobs: dict[str, str], details: dict, t0: float, acked: int) -> dict:
    lag, fresh = lag_by_job(s, offsets, jobs, details)
    res = resources.snapshot(s, jobs)  # after the fresh positions, so its heap and GC are of the same fetch
    return {
        "t_s": round(time.monotonic() - t0),
        "sent": acked,
        "lag": lag,
        "lag_total": sum(lag.values()),
        "lag_max": max(lag.values(), default=0),  # the job furthest behind
        "positions_fresh": fresh,
        "heap_used_bytes": res["heap_used_bytes"],
        "gc_ms": res["gc_ms"],
        "state_size_bytes": res["state_size_bytes"],
        # per job, so that a growing state names its job
        "state_by_job": {name: (c or {}).get("state_size_bytes") for name, c in res["checkpoints"].items()},
    }


def soak(s: Session, rate: float, seconds: float, every_s: float) -> dict:
    load_at_start = round(os.getloadavg()[0], 2)
    check_load(s)
    clean_slate(s)
    pool = make_pool(s.cfg.pool)
    rounds = population_rounds(s.cfg.soak_users, pool, rate, seconds)
    users = rounds * pool_users(pool)
    loader = Loader(s.settings.kafka_bootstrap, s.prefix, pool, s.run_id, user_rounds=rounds)
    seed(s)
    offsets = EndOffsets(s.settings.kafka_bootstrap, s.prefix)
    samples: list[dict] = []
    try:
        jobs = deploy(s, extra_vars=SOAK_VARS)
        details = {jid: s.rest.job_detail(jid) for jid in jobs}  # a running job's vertices do not change
        sent: list[Tally] = []
        sender = threading.Thread(
            target=lambda: sent.append(loader.send(rate, seconds, catch_up_s=CATCH_UP_S)), name="soak-sender"
        )
        t0 = time.monotonic()
        sender.start()
        while sender.is_alive():
            sender.join(timeout=every_s)
            # events the broker acknowledged so far (the loader's own tally comes back at the end)
            samples.append(sample(s, offsets, jobs, details, t0, sum(loader.producer.acked.values())))
            x = samples[-1]
            s.say(
                f"soak {x['t_s']:4d} s: lag {x['lag']} records, heap {x['heap_used_bytes'] / 2**20:,.0f} MiB, "
                f"state {x['state_size_bytes'] / 2**20:,.1f} MiB"
            )
    finally:
        offsets.close()
        loader.close()
    achieved = sent[0].rate if sent else None
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "rate_asked": rate,
        "rate_sent": None if achieved is None else round(achieved, 1),
        "seconds": seconds,
        "users": users,
        "vars": SOAK_VARS,
        "load_avg_at_start": load_at_start,
        "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
        "samples": samples,
        "verdict": verdict(samples, rate, achieved),
    }


def _mib(size: int | None) -> str:
    return "none yet" if size is None else f"{size / 2**20:,.1f} MiB"  # None: no checkpoint completed


def render(result: dict) -> str:
    """The soak section of RELIABILITY.md: the verdict and the curve, one row a sample."""
    v = result["verdict"]
    lines = [
        START,
        f"Measured by `make soak` on {result['date']}: the realistic mix at {result['rate_asked']:,.0f} events/s "
        f"asked ({result['rate_sent'] or 0:,.0f} sent) for {result['seconds']:.0f} s from a fixed population of "
        f"{result['users']:,} users, windows {', '.join(f'{k} {n}' for k, n in result['vars'].items())}, "
        f"load average at start {result['load_avg_at_start']}. "
        f"**Verdict: {'holds' if v['holds'] else 'does not hold'}** ({v['why']}).",
        "",
        "| t (s) | events sent | lag of the job furthest behind (records) | TaskManager heap used | GC time "
        "| checkpointed state |",
        "|---|---|---|---|---|---|",
    ]
    gc0 = result["samples"][0]["gc_ms"] if result["samples"] else 0
    for x in result["samples"]:
        lines.append(
            f"| {x['t_s']} | {x['sent']:,}{'' if x.get('positions_fresh', True) else ' (positions not seen fresh)'} "
            f"| {x['lag_max']:,} | {x['heap_used_bytes'] / 2**20:,.0f} MiB "
            f"| {(x['gc_ms'] or 0) - (gc0 or 0):,} ms | {x['state_size_bytes'] / 2**20:,.1f} MiB |"
        )
    by_job = result["samples"][-1].get("state_by_job") if result["samples"] else None
    if by_job:
        largest = sorted(by_job.items(), key=lambda kv: -(kv[1] or 0))
        sizes = ", ".join(f"{name} {_mib(size)}" for name, size in largest)
        lines += ["", f"Checkpointed state by job at the end: {sizes}."]
    return "\n".join([*lines, END])


def write_section(text: str, section: str) -> str:
    """`text` with its soak section (between the markers) replaced by `section`, or `section` appended."""
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: section, text)
    return text.rstrip("\n") + "\n\n## Soak\n\n" + section + "\n"


def main() -> None:
    s = Session()
    result = soak(s, s.cfg.soak_rate or default_rate(), s.cfg.soak_s, s.cfg.soak_sample_s)
    keep("soak.json", result, indent=2)
    reliability = ROOT / "RELIABILITY.md"
    reliability.write_text(write_section(reliability.read_text(), render(result)))
    s.say(f"soak verdict: {result['verdict']}")
    print(json.dumps(result["verdict"]), flush=True)


if __name__ == "__main__":
    main()
