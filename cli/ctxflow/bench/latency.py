"""Step 6: live latency at a fixed rate, the deployed jobs caught up: ad request -> ad_decisions, and
context-completing play -> ad_eligibility (produce time of the input to the output's Kafka timestamp).
Each rate is sent for a warm-up, then for the measured window; the warm-up's decisions are reported apart."""

from __future__ import annotations

import os
import time

from flinkclient.jobnames import short_name

from ..stack import manager
from .jobmetrics import is_project_job
from .load import Loader, OutputListener
from .profile import vertex_jobs
from .session import Session, keep
from .stalls import DECISION_GOAL_MS, attribute, checkpoint_starts, safepoints, slow_spans
from .stats import latency_summary, sent_within, stage_latencies
from .threadcpu import Sampler, cores_between, local_taskmanager, machine_busy_seconds, process_cpu_seconds

# whose CPU the live steps report: on 2 cores the load generator and the broker share the machine
# with the TaskManager, and a saturated machine is what a latency then measures
CPU_OF = ("taskmanager", "kafka", "jobmanager", "sql-gateway")


def _cpu_snapshot(pids: dict[str, int | None]) -> dict[str, float | None]:
    snap = {name: process_cpu_seconds(pid) if pid else None for name, pid in pids.items()}
    return snap | {"machine": machine_busy_seconds()}


def latency(s: Session, loader: Loader, rate: float) -> dict:
    t = time.monotonic()
    loader.request_sent_ms.clear()
    loader.probe_sent_ms.clear()
    listener = OutputListener(s.settings.kafka_bootstrap, s.prefix, loader)
    listener.start()
    pids = {name: manager.pid_of(s.settings, name) for name in CPU_OF} | {"bench (load, readers)": os.getpid()}
    local = local_taskmanager(s.settings)
    names = vertex_jobs(s) if local else {}  # looked up before, not inside, the span measured
    loader.send(rate, s.cfg.warmup_s, probes_every_s=0.5)
    measured_from = time.time() * 1000
    sampler = Sampler(*local) if local else None  # the TaskManager's CPU by thread: which job, which duty
    cpu_before, cpu_started = _cpu_snapshot(pids), time.monotonic()
    stats = loader.send(rate, s.cfg.window_s, probes_every_s=0.5)
    cpu = cores_between(cpu_before, _cpu_snapshot(pids), time.monotonic() - cpu_started)
    by_thread = sampler.finish(names, 0) if sampler else None
    loader.producer.flush()

    def resolved() -> bool:
        return len(listener.decision_ms) >= len(loader.request_sent_ms) and len(listener.context_ms) >= len(
            loader.probe_sent_ms
        )

    # the stragglers: until all are in, nothing new came for 5 s, or 20 s (a job that falls behind at
    # this rate shows as a low n and high percentiles, not as a longer bench)
    deadline, seen, quiet_since = time.monotonic() + 20, -1, time.monotonic()
    while time.monotonic() < deadline and not resolved() and time.monotonic() - quiet_since < 5:
        now_seen = len(listener.decision_ms) + len(listener.context_ms)
        if now_seen != seen:
            seen, quiet_since = now_seen, time.monotonic()
        time.sleep(0.5)
    listener.stop()
    requests, decisions = loader.request_sent_ms, listener.decision_ms
    out = {
        "rate_asked": rate,
        "rate_sent": round(stats.rate, 1),
        "warmup_s": s.cfg.warmup_s,
        "window_s": s.cfg.window_s,
        "ad_request_to_decision_ms": latency_summary(sent_within(requests, decisions, measured_from)),
        "ad_requests_sent": len(sent_within(requests, requests, measured_from)),
        "warmup_ad_request_to_decision_ms": latency_summary(sent_within(requests, decisions, 0, measured_from)),
        "decision_stages_ms": stage_latencies(listener.marks, measured_from),
        "slow_decisions": _slow_decisions(s, rate, listener.marks, measured_from),
        "cpu_cores_while_sending": cpu,
        "taskmanager_cpu_while_sending": by_thread,
        "context_play_to_eligibility_ms": latency_summary(
            sent_within(loader.probe_sent_ms, listener.context_ms, measured_from)
        ),
        "probes_sent": len(sent_within(loader.probe_sent_ms, loader.probe_sent_ms, measured_from)),
    }
    s.timed(f"latency_{rate:g}_s", t)
    d, c = out["ad_request_to_decision_ms"], out["context_play_to_eligibility_ms"]
    w = out["warmup_ad_request_to_decision_ms"]
    s.say(
        f"latency @ {rate:g}/s (sent {stats.rate:.0f}/s): decision p50/p95/p99 {d['p50']}/{d['p95']}/{d['p99']} ms "
        f"(n={d['n']}/{out['ad_requests_sent']}; in the {s.cfg.warmup_s:g} s warm-up {w['p50']}/{w['p95']}/{w['p99']} "
        f"ms); context {c['p50']}/{c['p95']}/{c['p99']} ms "
        f"(n={c['n']}/{out['probes_sent']}); decision by stage p50/p99: "
        + "; ".join(f"{st['stage'].split(':')[0]} {st['p50']}/{st['p99']}" for st in out["decision_stages_ms"])
        + "; cores: "
        + ", ".join(f"{k} {v}" for k, v in cpu.items())
        + (
            "; TaskManager: " + ", ".join(f"{d['what']} {d['cores']}" for d in by_thread["by_duty"][:5])
            if by_thread
            else ""
        )
    )
    return out


def _slow_decisions(s: Session, rate: float, marks: dict[str, dict[str, float]], measured_from: float) -> dict:
    """The decisions slower than the goal in the measured window, in spans, set beside the project's
    checkpoints (Flink keeps the last 10 a job) and the TaskManager's safepoints (stalls.py). Keeps the
    window's marks (stats.DECISION_STAGES, epoch ms) and the checkpoints in target/bench/latency_<rate>.json,
    to read them against the TaskManager's GC log (.stack/logs/taskmanager-gc.log)."""
    window = {rid: m for rid, m in marks.items() if m["sent"] >= measured_from}
    checkpoints = {
        short_name(name): s.rest.get(f"/jobs/{jid}/checkpoints").get("history", [])
        for jid, name in s.rest.active_jobs(is_project_job).items()
    }
    keep(f"latency_{rate:g}.json", {"marks": window, "checkpoints": checkpoints})
    happenings = checkpoint_starts(checkpoints)
    gc_log = s.settings.logs_dir / "taskmanager-gc.log"
    if local_taskmanager(s.settings) and gc_log.exists():
        with gc_log.open(errors="replace") as lines:
            happenings += safepoints(lines)
    return {"slower_than_ms": DECISION_GOAL_MS} | attribute(slow_spans(window, DECISION_GOAL_MS), happenings)
