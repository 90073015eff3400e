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

from ..core.kafka_io import admin_client
from ..core.topics import ensure_contract_topics
from ..waiting import wait_for
from .drain import EndOffsets, Watcher
from .jobmetrics import is_project_job
from .load import Loader
from .session import Session
from .throughput import drained


def warm_up(s: Session, loader: Loader) -> None:
    """Deploys the project onto `<prefix>warmup.` topics holding cfg.warmup_events of the loader's mix,
    waits until every job has drained them (as the measured drain is judged), and cancels the jobs."""
    if s.cfg.warmup_events <= 0:
        return
    t = time.monotonic()
    prefix = f"{s.prefix}warmup."
    ensure_contract_topics(admin_client(s.settings.kafka_bootstrap), prefix)
    warm = Loader(s.settings.kafka_bootstrap, prefix, loader.pool, f"{s.run_id}w")
    warm.blast(s.cfg.warmup_events, deadline_s=s.cfg.warmup_events / 2000 + 60)
    s.dbt("seed", extra_vars={"topic_prefix": prefix})
    s.dbt("run", extra_vars={"topic_prefix": prefix})
    jids = list(s.rest.active_jobs(is_project_job))
    offsets = EndOffsets(s.settings.kafka_bootstrap, prefix)
    watcher = Watcher(s.metrics, offsets, lambda: s.rest.active_jobs(is_project_job))
    watcher.start()
    try:
        wait_for(lambda: drained(watcher.snapshot(), jids), "the warm-up backlog to drain", s.cfg.drain_timeout_s, 1.0)
    except TimeoutError:  # not a measurement: the bench goes on, and says so
        s.notes.append(f"the warm-up backlog had not drained after {s.cfg.drain_timeout_s:.0f} s")
    finally:
        watcher.stop()
        offsets.close()
        s.cancel_jobs()
    s.result["warmup"] = {"events": s.cfg.warmup_events, "flink_jobs": len(jids)}
    s.timed("warmup_s", t)
    s.say(f"warm-up: {s.cfg.warmup_events:,} events drained by the project's {len(jids)} jobs, then cancelled")
