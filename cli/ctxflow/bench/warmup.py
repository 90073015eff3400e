"""Step 2a: the stack's JVMs warmed before anything is measured.

A TaskManager started just before the bench compiles Flink's runtime, the Kafka clients, RocksDB's
bindings, Jackson and our functions while it drains: on 2026-12-06 the JIT compiler took a third of a
core through the whole drain of a fresh TaskManager, which drained the backlog at 20,435 events/s, and
the same commit drained it at 28,598 events/s on a TaskManager that had run jobs before. Which of the
two a run measured depended on whether `make bench` had just started the stack. So the whole project is
deployed once onto topics of its own, a warm-up backlog of the same mix is drained through it, and its
jobs are cancelled. The measured jobs are deployed afresh afterwards: the code Flink generates for them
is compiled during the measured drain, as it is on a cluster that has run other jobs.
"""

from __future__ import annotations

import time
from contextlib import closing

from ..core.kafka_io import admin_client
from ..core.topics import ensure_contract_topics
from ..waiting import wait_for
from .deploy import whole_project_on
from .load import Loader
from .session import Session
from .throughput import drained, watching


def warmup_prefix(run_prefix: str) -> str:
    """The warm-up's topic prefix, outside the run's (`bench.<run>-warmup.`, not `bench.<run>.warmup.`), so
    that the measured drain's watcher, which takes every topic under the run's prefix, skips them."""
    return f"{run_prefix.rstrip('.')}-warmup."


def warm_up(s: Session, loader: Loader) -> None:
    """Deploys the project onto warm-up topics holding cfg.warmup_events of the loader's mix, waits until
    every job has drained them (as the measured drain is judged), and cancels the jobs. Not a
    measurement: if it fails the bench goes on with the JVMs as they are, and the report says so."""
    if s.cfg.warmup_events <= 0:
        return
    t = time.monotonic()
    prefix = warmup_prefix(s.prefix)
    out = {"events": s.cfg.warmup_events, "drained": False}
    try:
        ensure_contract_topics(admin_client(s.settings.kafka_bootstrap), prefix)
        with closing(Loader(s.settings.kafka_bootstrap, prefix, loader.pool, f"{s.run_id}w")) as warm:
            warm.blast(s.cfg.warmup_events, deadline_s=s.cfg.warmup_events / 2000 + 60)
        with whole_project_on(s, prefix) as deployed, watching(s, prefix) as watcher:
            out["flink_jobs"] = len(deployed.jobs)
            jids = list(deployed.jobs)
            wait_for(lambda: drained(watcher.snapshot(), jids), "the warm-up to drain", s.cfg.drain_timeout_s, 1.0)
            out["drained"] = True
    except (SystemExit, TimeoutError) as failed:
        s.notes.append(f"the warm-up did not finish ({failed}): the drain was measured on the JVMs as they were")
    s.result["jvm_warmup"] = out
    s.timed("jvm_warmup_s", t)
    s.say(f"warm-up: {s.cfg.warmup_events:,} events, drained: {out['drained']}; its jobs cancelled")
