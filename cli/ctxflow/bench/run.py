"""`make bench` (python -m ctxflow.bench): the project's jobs draining a pre-produced backlog beside
three ceilings that drain the same backlog, live latency, a profile, state and memory, and the
widened KPI layer, in one self-contained run on the local stack. The steps, in order:

 1. backlog     clean slate (jobs cancelled, fresh bench.<run>. topics); produce the backlog
 2. warm-up     the whole project drains a smaller backlog of its own, then is cancelled (warmup.py)
    deploy      `dbt seed`, then the project onto it: downstream jobs first, the contract group last
 3. throughput  from the contract group's start until every job has read its topics to the end
                (drain.py), then `dbt run` again with no change; meanwhile
 4. profile     the busiest vertex and its flame graph, and
 5. resources   TaskManager heap and checkpoint sizes (during and after the drain)
 6. latency     live, at fixed rates, the jobs caught up; then the profiles built over the history
                and the next-best actions (nba.py): the PyFlink UDF's cost per call and declined
                payment abroad -> action latency
 7. ceilings    broker, pass-through and parse drains of the same backlog, nothing else running
 8. kpi_layer   the widened KPI layer's deploy time and plays/s
 9. from_nothing `dbt run` of the whole project in one invocation onto empty topics (deploy.py)
10. report      one JSON line on stdout, target/bench/last.json and BENCHMARKS.md
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

from flinkclient.http import FlinkClientError

from .backlog import clean_slate, produce_backlog
from .ceilings import ceilings
from .deploy import build_profiles, deploy, from_nothing, rerun, seed
from .kpi_layer import kpi_layer
from .latency import latency
from .load import Loader, make_pool
from .nba import nba
from .report import render_markdown
from .session import ROOT, TARGET, Session, keep
from .system import machine
from .throughput import measure_drain, watching
from .warmup import warm_up


def check_load(s: Session) -> None:
    """Other stacks on the machine skew every figure: say so loudly (or refuse with STRICT_LOAD=1)."""
    load = os.getloadavg()[0]
    s.say(f"load average at start: {load:.2f} ({os.cpu_count()} cores)")
    if load > s.cfg.max_load:
        warning = (
            f"LOAD AVERAGE {load:.2f} AT START (above {s.cfg.max_load:g}): other processes are running; "
            "the figures are what the stack achieved beside them, not on a quiet machine"
        )
        if s.cfg.strict_load:
            raise SystemExit(warning + " (refusing: CTXFLOW_BENCH_STRICT_LOAD=1)")
        s.say("WARNING: " + warning)
        s.notes.append(warning)


def nba_step(s: Session) -> dict:
    t = time.monotonic()
    out = nba(s.settings, s.prefix, s.cfg)
    s.timed("nba_s", t)
    udf, lat = out["udf"], out["decline_to_action_ms"]
    s.say(
        f"next-best actions: repayment_risk {udf['us_per_call']} µs a call; decline -> action p50/p95/p99 "
        f"{lat['p50']}/{lat['p95']}/{lat['p99']} ms (n={lat['n']}/{lat['sent']}) at {lat['rate']:g}/s"
    )
    return out


def run(s: Session) -> dict:
    flink_version = None
    try:
        flink_version = s.rest.get("/config").get("flink-version")
    except FlinkClientError:
        pass
    s.result["machine"] = machine(s.settings, flink_version)
    s.result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    s.result["config"] = {k: (sorted(v) if isinstance(v, frozenset) else v) for k, v in vars(s.cfg).items()}
    check_load(s)

    clean_slate(s)
    t = time.monotonic()
    loader = Loader(s.settings.kafka_bootstrap, s.prefix, make_pool(s.cfg.pool), s.run_id)
    s.timed("pool_s", t)
    try:
        ends = produce_backlog(s, loader)
        warm_up(s, loader)
        seed(s)
        with watching(s) as watcher:
            jobs = deploy(s)
            measure_drain(s, watcher, jobs)
        rerun(s, jobs)
        if "latency" not in s.cfg.skip:
            s.result["latency"] = [latency(s, loader, rate) for rate in s.cfg.latency_rates]
        build_profiles(s)
        if "nba" not in s.cfg.skip:
            s.result["nba"] = nba_step(s)
        s.cancel_jobs()  # the ceilings run alone
        if "ceilings" not in s.cfg.skip:
            ceilings(s, ends)
        if "kpi" not in s.cfg.skip:
            kpi_layer(s, loader)
        if "from_nothing" not in s.cfg.skip:
            from_nothing(s)
    finally:
        loader.close()
    s.result["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    s.say(f"load average at end: {s.result['machine']['load_avg_at_end']}")
    s.timings["total_s"] = round(time.monotonic() - s.started, 1)
    s.result["timings_s"] = s.timings
    s.result["notes"] = s.notes
    return s.result


def main() -> None:
    if sys.argv[1:] == ["render"]:  # BENCHMARKS.md again from the last run's figures (no measuring)
        result = json.loads((TARGET / "last.json").read_text())
        (ROOT / "BENCHMARKS.md").write_text(render_markdown(result))
        return
    s = Session()
    result = run(s)
    print(json.dumps(result, separators=(",", ":"), default=str), flush=True)
    keep("last.json", result, indent=2)
    text = render_markdown(result)
    (TARGET / "BENCHMARKS.md").write_text(text)
    # CTXFLOW_BENCH_WRITE_REPORT=0: a trial run that leaves the committed BENCHMARKS.md alone
    if os.environ.get("CTXFLOW_BENCH_WRITE_REPORT", "1") == "1":
        (ROOT / "BENCHMARKS.md").write_text(text)
    s.say(f"report written; whole bench {result['timings_s']['total_s']} s")
