"""Step 8: the widened KPI layer. `dbt run` of models/bench (N aggregations over M models in G job
groups) onto an empty typed topic; deploy time and the Flink jobs it became (counted from Flink: one per
group with statement sets, else one per model). Then the plays are produced into the topic in one Kafka
transaction while every job is running, and plays/s runs from its commit to the last source's end (every
job reads the whole bounded backlog, read_committed): the jobs start reading at the same instant, and the
rate is the layer's, neither its deploy's (with more groups than dbt threads, the last groups start
seconds after the first) nor the producer's: before, the plays were produced inside the span, and the
Python producer, sharing the 2 cores with five busy jobs, took 57 of its 65 s (2026-12-05)."""

from __future__ import annotations

import time

from flinkclient.jobnames import short_name

from ..core.kafka_io import CountingProducer, admin_client, ensure_topics
from .jobmetrics import is_bench_kpi_job, now_ms, source_window_ms
from .load import Loader, valid_plays
from .session import Session


def kpi_layer(s: Session, loader: Loader) -> None:
    t = time.monotonic()
    cfg = s.cfg
    topic = f"{s.prefix}bench.valid_plays"
    admin = admin_client(s.settings.kafka_bootstrap)
    ensure_topics(admin, [topic, *(f"{s.prefix}bench_kpis_{i:02d}" for i in range(1, cfg.kpi_models + 1))], 1)
    plays = valid_plays(loader.pool)
    if not plays:
        raise SystemExit("the event pool has no valid plays (raise CTXFLOW_BENCH_POOL)")
    since = now_ms()
    deploy_s = s.dbt(
        "run",
        "--select",
        "path:models/bench",
        extra_vars={
            "bench_kpi_width": cfg.kpi_width,
            "bench_kpi_models": cfg.kpi_models,
            "bench_kpi_groups": cfg.kpi_groups,
            "bench_kpi_plays": cfg.kpi_plays,
        },
    )
    jobs = {j.job_id: j.name for j in s.rest.jobs() if is_bench_kpi_job(j.name) and j.start_time >= since}
    backlog = CountingProducer(s.settings.kafka_bootstrap, transactional_id=f"{topic}.backlog")
    sent = loader.blast(cfg.kpi_plays, deadline_s=cfg.kpi_plays / 2000 + 60, pool=plays, into=topic, producer=backlog)
    start = now_ms()
    backlog.commit()
    s.say(
        f"KPI layer: {sent.total:,} valid plays produced into {topic} in one transaction, its {len(jobs)} jobs running"
    )
    details = s.rest.wait_finished(list(jobs), timeout_s=max(60.0, cfg.drain_timeout_s))
    _, end = source_window_ms(list(details.values()))
    seconds = (end - start) / 1000 if end else None
    sources = sum(1 for d in details.values() for v in d["vertices"] if v["name"].startswith("Source:"))
    s.result["kpi_layer"] = {
        "aggregations": cfg.kpi_width,
        "models": cfg.kpi_models,
        "job_groups": cfg.kpi_groups,
        "flink_jobs": len(jobs),
        "job_names": sorted(short_name(n) for n in jobs.values()),
        "source_reads": sources,
        "deploy_s": deploy_s,
        "plays": cfg.kpi_plays,
        "drain_s": seconds,
        "plays_per_s": round(cfg.kpi_plays / seconds) if seconds else None,
    }
    s.timed("kpi_layer_s", t)
    s.say(
        f"KPI layer: {cfg.kpi_width} aggregations, {cfg.kpi_models} models -> {len(jobs)} Flink jobs; "
        f"dbt run {deploy_s} s; {s.result['kpi_layer']['plays_per_s']} plays/s"
    )
