"""`make bench` (python -m ctxflow.bench): the deployed pipeline's throughput, latency and deploy time
beside the engine's and the broker's ceilings, in one self-contained run on the local stack.

Steps (each timed): clean slate (cancel the project's jobs, fresh topics under bench.<run>.) ->
`dbt seed` -> `dbt run` from nothing -> `dbt run` again (no change) -> latency at a moderate rate ->
throughput by stepping the rate up -> latency at 80 % of the sustained rate -> ceilings (raw
confluent-kafka consumer; Flink pass-through into blackhole) -> the widened KPI layer (10/100/500
aggregations; one model vs several) -> one JSON line on stdout and BENCHMARKS.md.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from ..gateway import Gateway
from ..simulate.contract import INPUTS
from ..simulate.kafka_io import admin_client, ensure_topics
from ..stack.settings import Settings
from ..topics import ensure_contract_topics
from .flinkrest import FlinkRest, source_seconds
from .lag import EndOffsets, LagSampler, wait_drained
from .load import Loader, OutputListener, make_pool
from .report import render_markdown
from .stats import (
    bottleneck,
    change_points,
    lag_verdict,
    latency_summary,
    next_rate,
    ratio,
    sustained_rate,
)
from .system import CpuSampler, machine

ROOT = Path(__file__).resolve().parents[3]  # the dbt project (repo root)
TARGET = "target/bench"
PROJECT_JOBS = "dbt:model.ctxflow."
BENCH_JOBS = "dbt:model.ctxflow.bench_kpis_"


def _env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


class Config:
    """Knobs (environment, for a quicker or longer run); the defaults fit 15 minutes on 2 cores."""

    def __init__(self) -> None:
        self.budget_s = _env_float("CTXFLOW_BENCH_BUDGET_S", 13.5 * 60)
        self.window_s = _env_float("CTXFLOW_BENCH_WINDOW_S", 25)
        self.moderate_rate = _env_float("CTXFLOW_BENCH_MODERATE_RATE", 200)
        self.start_rate = _env_float("CTXFLOW_BENCH_START_RATE", 1000)
        self.max_rate = _env_float("CTXFLOW_BENCH_MAX_RATE", 32000)
        self.backlog = int(_env_float("CTXFLOW_BENCH_BACKLOG", 600_000))
        self.pool = int(_env_float("CTXFLOW_BENCH_POOL", 30_000))
        self.kpi_events = int(_env_float("CTXFLOW_BENCH_KPI_EVENTS", 100_000))
        widths = os.environ.get("CTXFLOW_BENCH_KPI", "10x1,100x1,500x1,100x4")
        self.kpi_runs = [tuple(int(x) for x in spec.split("x")) for spec in widths.split(",") if spec]


class Bench:
    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self.cfg = Config()
        self.started = time.monotonic()
        self.run_id = datetime.now(UTC).strftime("%m%d%H%M%S")
        self.prefix = f"bench.{self.run_id}."
        self.rest = FlinkRest(self.settings.flink_rest_url)
        self.cpu = CpuSampler(self.settings)
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.result: dict = {}

    # --- helpers ---------------------------------------------------------------------------------
    def remaining(self) -> float:
        return self.cfg.budget_s - (time.monotonic() - self.started)

    def say(self, text: str) -> None:
        print(f"[bench {time.monotonic() - self.started:6.1f}s] {text}", file=sys.stderr, flush=True)

    def timed(self, name: str, started: float) -> float:
        self.timings[name] = round(time.monotonic() - started, 1)
        return self.timings[name]

    def dbt(self, *args: str, extra_vars: dict | None = None) -> float:
        """Runs dbt on the project with the bench's prefix, target and log paths; returns its seconds."""
        exe = Path(sys.executable).with_name("dbt")
        variables = {"topic_prefix": self.prefix, **(extra_vars or {})}
        profiles = os.environ.get("CTXFLOW_BENCH_PROFILES_DIR", str(ROOT / "profiles"))
        cmd = [str(exe), *args, "--project-dir", str(ROOT), "--profiles-dir", profiles]
        cmd += ["--target-path", f"{TARGET}/dbt", "--log-path", f"{TARGET}/logs", "--vars", json.dumps(variables)]
        env = {**os.environ, "DBT_FLINK_STATE_DIR": str(ROOT / TARGET / "flink_state")}
        log = ROOT / TARGET / "dbt-output.log"
        started = time.monotonic()
        with log.open("a") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        seconds = time.monotonic() - started
        if rc != 0:
            tail = "\n".join(log.read_text().splitlines()[-25:])
            raise SystemExit(f"`dbt {' '.join(args)}` failed (rc {rc}); log {log}:\n{tail}")
        return round(seconds, 1)

    def project_jobs(self, prefix: str = PROJECT_JOBS) -> dict[str, str]:
        return {j["jid"]: j["name"] for j in self.rest.active_jobs(prefix)}

    # --- steps -----------------------------------------------------------------------------------
    def clean_slate(self) -> None:
        t = time.monotonic()
        jobs = self.project_jobs() | {j["jid"]: j["name"] for j in self.rest.active_jobs("bench:")}
        if jobs:
            self.say(f"cancelling {len(jobs)} running jobs of the project (deploy is measured from nothing)")
            self.rest.cancel(list(jobs))
        admin = admin_client(self.settings.kafka_bootstrap)
        old = [t for t in admin.list_topics(timeout=10).topics if t.startswith("bench.")]
        if old:
            for future in admin.delete_topics(old, operation_timeout=30).values():
                try:
                    future.result(timeout=30)
                except Exception:  # already gone: fine
                    pass
        shutil.rmtree(ROOT / TARGET / "flink_state", ignore_errors=True)
        (ROOT / TARGET).mkdir(parents=True, exist_ok=True)
        (ROOT / TARGET / "dbt-output.log").write_text("")
        created = ensure_contract_topics(admin, self.prefix)
        ensure_topics(admin, [f"{self.prefix}bench_kpis_{i:02d}" for i in range(1, 6)], 1)
        self.say(f"topics: {len(created)} + 5 under {self.prefix} (deleted {len(old)} old bench topics)")
        self.timed("clean_slate_s", t)

    def deploy(self) -> None:
        self.timings["dbt_seed_s"] = self.dbt("seed")
        self.say(f"dbt seed: {self.timings['dbt_seed_s']} s")
        self.timings["deploy_cold_s"] = self.dbt("run")
        jobs = self.project_jobs()
        self.say(f"dbt run from nothing: {self.timings['deploy_cold_s']} s, {len(jobs)} streaming jobs")
        ids_before = set(jobs)
        self.timings["deploy_rerun_s"] = self.dbt("run")
        after = self.project_jobs()
        self.say(f"dbt run again (no change): {self.timings['deploy_rerun_s']} s")
        total, free = self.rest.taskmanager_slots()
        self.result["deploy"] = {
            "cold_s": self.timings["deploy_cold_s"],
            "rerun_s": self.timings["deploy_rerun_s"],
            "seed_s": self.timings["dbt_seed_s"],
            "streaming_jobs": len(jobs),
            "rerun_left_jobs_alone": ids_before == set(after),
            "slots_used": total - free,
            "slots_total": total,
        }
        self.jobs = after

    def latency(self, loader: Loader, rate: float, label: str) -> dict:
        t = time.monotonic()
        loader.request_sent_ms.clear()
        loader.probe_sent_ms.clear()
        listener = OutputListener(self.settings.kafka_bootstrap, self.prefix, loader)
        listener.start()
        stats = loader.send(rate, self.cfg.window_s, probes_every_s=0.5)
        loader.producer.flush()

        def resolved() -> bool:
            return len(listener.decision_ms) >= len(loader.request_sent_ms) and len(listener.context_ms) >= len(
                loader.probe_sent_ms
            )

        # wait for the stragglers: until all are in, nothing new came for 5 s, or 20 s
        deadline, seen, quiet_since = time.monotonic() + 20, -1, time.monotonic()
        while time.monotonic() < deadline and not resolved() and time.monotonic() - quiet_since < 5:
            now_seen = len(listener.decision_ms) + len(listener.context_ms)
            if now_seen != seen:
                seen, quiet_since = now_seen, time.monotonic()
            time.sleep(0.5)
        listener.stop()
        out = {
            "rate_asked": rate,
            "rate_sent": round(stats.rate, 1),
            "ad_request_to_decision_ms": latency_summary(list(listener.decision_ms.values())),
            "ad_requests_sent": len(loader.request_sent_ms),
            "context_play_to_eligibility_ms": latency_summary(list(listener.context_ms.values())),
            "probes_sent": len(loader.probe_sent_ms),
            "consumer_receive_after_create_ms_p50": latency_summary(listener.receive_lag_ms)["p50"],
        }
        self.timed(f"latency_{label}_s", t)
        self.say(
            f"latency @ {rate:g}/s: decision p50/p95/p99 "
            f"{out['ad_request_to_decision_ms']['p50']}/{out['ad_request_to_decision_ms']['p95']}/"
            f"{out['ad_request_to_decision_ms']['p99']} ms (n={out['ad_request_to_decision_ms']['n']}); "
            f"context p50/p95/p99 {out['context_play_to_eligibility_ms']['p50']}/"
            f"{out['context_play_to_eligibility_ms']['p95']}/{out['context_play_to_eligibility_ms']['p99']} ms "
            f"(n={out['context_play_to_eligibility_ms']['n']}/{out['probes_sent']})"
        )
        return out

    def step(self, loader: Loader, sampler: LagSampler, rate: float) -> dict:
        drained = wait_drained(sampler, timeout_s=min(120, max(10, self.remaining() - 300)))
        before, t0 = self.cpu.snapshot(), time.monotonic()
        stats = loader.send(rate, self.cfg.window_s)
        t1 = time.monotonic()
        cores, busy = CpuSampler.since(before, self.cpu.snapshot(), t1 - t0)
        loads = []
        for jid, name in self.jobs.items():
            try:
                loads += self.rest.vertex_load(jid, name.split("#")[0].removeprefix(PROJECT_JOBS))
            except httpx.HTTPError:
                pass
        # the first seconds carry the previous lull; judge the steady part of the window
        window = sampler.window(t0 + min(3, self.cfg.window_s / 5), t1)
        verdicts = {
            self.jobs[jid].split("#")[0].removeprefix(PROJECT_JOBS): lag_verdict(change_points(s), stats.rate)
            for jid, s in window.items()
        }
        ok = all(v.keeps_up for v in verdicts.values())
        generator_bound = stats.rate < 0.9 * rate
        self.say(
            f"step {rate:g}/s (sent {stats.rate:.0f}/s): {'keeps up' if ok else 'falls behind'}; lag growth "
            + ", ".join(f"{k}={v.growth}" for k, v in verdicts.items())
            + "; cores: "
            + ", ".join(f"{k} {v:.2f}" for k, v in cores.items())
        )
        return {
            "rate_asked": rate,
            "rate_sent": round(stats.rate, 1),
            "keeps_up": ok,
            "generator_bound": generator_bound,
            "drained_before_s": None if drained is None else round(drained, 1),
            "jobs": {
                k: {"keeps_up": v.keeps_up, "lag_first": v.first_lag, "lag_last": v.last_lag, "samples": v.samples}
                for k, v in verdicts.items()
            },
            "cpu_cores": {k: round(v, 2) for k, v in cores.items()},
            "machine_cpu_busy": round(busy, 3),
            "_loads": loads,
        }

    def throughput(self, loader: Loader) -> None:
        t = time.monotonic()
        offsets = EndOffsets(self.settings.kafka_bootstrap)
        sampler = LagSampler(self.rest, offsets, self.jobs, self.prefix)
        sampler.start()
        history: list[tuple[float, bool]] = []
        steps = []
        try:
            while (rate := next_rate(history, self.cfg.start_rate, 2.0, self.cfg.max_rate)) is not None:
                if self.remaining() < 330:  # keep room for latency, ceilings and the KPI layer
                    self.notes.append(f"rate stepping stopped at {rate:g}/s by the time budget")
                    break
                step = self.step(loader, sampler, rate)
                steps.append(step)
                history.append((rate, step["keeps_up"]))  # stepping works on asked rates
                if step["generator_bound"]:
                    self.notes.append(f"the load generator could not send {rate:g}/s (sent {step['rate_sent']}/s)")
                    break
            self.drained_after_steps = wait_drained(sampler, timeout_s=min(120, max(10, self.remaining() - 280)))
        finally:
            sampler.stop()
            offsets.close()
        # what was really sent, not what was asked
        sustained = sustained_rate([(s["rate_sent"], s["keeps_up"]) for s in steps])
        # evidence: the first step that fell behind (else the highest step)
        failing = next((s for s in steps if not s["keeps_up"]), steps[-1] if steps else None)
        evidence = None
        if failing is not None:
            evidence = bottleneck(
                failing["cpu_cores"], failing["machine_cpu_busy"], os.cpu_count() or 1, failing["_loads"]
            )
            evidence["at_rate"] = failing["rate_sent"]
            evidence["top_vertices"] = [
                {
                    "job": v.job,
                    "vertex": v.vertex[:120],
                    "busy_ms_per_s": round(v.busy_ms),
                    "backpressured_ms_per_s": round(v.backpressured_ms),
                }
                for v in sorted(failing["_loads"], key=lambda v: v.busy_ms, reverse=True)[:5]
            ]
        for s in steps:
            s.pop("_loads", None)
        self.result["throughput"] = {
            "sustained_events_per_s": sustained,
            "window_s": self.cfg.window_s,
            "steps": steps,
        }
        self.result["bottleneck"] = evidence
        self.timed("throughput_s", t)
        self.say(f"sustained: {sustained} events/s")

    def ceilings(self, loader: Loader) -> None:
        t = time.monotonic()
        self.rest.cancel(list(self.project_jobs()))
        offsets = EndOffsets(self.settings.kafka_bootstrap)
        inputs = [self.prefix + name for name in INPUTS]
        total = sum(offsets.of(topic) for topic in inputs)
        if total < self.cfg.backlog:
            blast = loader.blast(self.cfg.backlog - total, deadline_s=max(5, min(30, self.remaining() - 200)))
            self.say(f"backlog: {blast.total} more events at {blast.rate:.0f}/s")
        ends = {topic: offsets.of(topic) for topic in inputs}
        offsets.close()
        total = sum(ends.values())
        self.result["backlog_events"] = total

        # (b) the broker: one confluent-kafka consumer reading every input topic from the beginning
        consumer = Consumer(
            {
                "bootstrap.servers": self.settings.kafka_bootstrap,
                "group.id": f"ctxflow-bench-raw-{time.time_ns()}",
                "enable.auto.commit": False,
                "fetch.max.bytes": 52428800,
            }
        )
        consumer.assign([TopicPartition(topic, 0, OFFSET_BEGINNING) for topic in inputs])
        cpu0, c0 = self.cpu.snapshot(), time.monotonic()
        read, first, deadline = 0, None, time.monotonic() + 90
        while read < total and time.monotonic() < deadline:
            msgs = consumer.consume(10000, 1.0)
            if msgs and first is None:
                first = time.monotonic()
            read += sum(1 for m in msgs if m.error() is None)
        raw_s = time.monotonic() - (first or time.monotonic())
        consumer.close()
        raw_cores, _ = CpuSampler.since(cpu0, self.cpu.snapshot(), time.monotonic() - c0)
        broker_rate = read / raw_s if raw_s > 0 else None
        self.say(f"raw consumer: {read} events in {raw_s:.1f} s = {broker_rate or 0:.0f}/s")

        # (a) the engine: a Flink pass-through of the same topics into blackhole, bounded at their ends
        engine_rate, pt_s = None, None
        with Gateway(self.settings.gateway_url) as gw:
            for name in INPUTS:
                gw.rows(
                    f"CREATE TEMPORARY TABLE pt_{name} (raw_value STRING) WITH ('connector' = 'kafka', "
                    f"'topic' = '{self.prefix}{name}', 'properties.bootstrap.servers' = "
                    f"'{self.settings.kafka_bootstrap}', 'format' = 'raw', 'scan.startup.mode' = 'earliest-offset', "
                    "'scan.bounded.mode' = 'latest-offset')"
                )
            gw.rows("CREATE TEMPORARY TABLE pt_sink (raw_value STRING) WITH ('connector' = 'blackhole')")
            gw.rows("SET 'pipeline.name' = 'bench:passthrough'")
            inserts = "".join(f"INSERT INTO pt_sink SELECT raw_value FROM pt_{name};\n" for name in INPUTS)
            jid = gw.rows(f"EXECUTE STATEMENT SET BEGIN\n{inserts}END")[0][0]
        detail = self.rest.wait_finished([jid], timeout_s=max(30, min(180, self.remaining() - 120)))[jid]
        pt_s = source_seconds(detail)
        engine_rate = total / pt_s if pt_s > 0 else None
        self.say(f"flink pass-through: {total} events in {pt_s:.1f} s = {engine_rate or 0:.0f}/s")
        sustained = self.result["throughput"]["sustained_events_per_s"]
        self.result["ceilings"] = {
            "engine_passthrough_events_per_s": None if engine_rate is None else round(engine_rate),
            "engine_passthrough_s": round(pt_s, 2),
            "broker_raw_consumer_events_per_s": None if broker_rate is None else round(broker_rate),
            "broker_raw_consumer_s": round(raw_s, 2),
            "events": total,
            "raw_consumer_cpu_cores": {k: round(v, 2) for k, v in raw_cores.items()},
            "pipeline_vs_engine": ratio(sustained, engine_rate),
            "pipeline_vs_broker": ratio(sustained, broker_rate),
        }
        self.timed("ceilings_s", t)

    def kpi_layer(self) -> None:
        t = time.monotonic()
        plays = self.prefix + "plays"
        offsets = EndOffsets(self.settings.kafka_bootstrap)
        n_plays = min(offsets.of(plays), self.cfg.kpi_events)
        offsets.close()
        runs = []
        for width, models in self.cfg.kpi_runs:
            # planning grows with the aggregations (about 140 s for 500 on the busy 2-core machine)
            if self.remaining() < 20 + 0.25 * width + 12 * models:
                self.notes.append(f"KPI layer {width} aggregations x {models} models skipped: time budget")
                continue
            since_ms = time.time() * 1000
            try:
                deploy_s = self.dbt(
                    "run",
                    "--select",
                    "path:models/bench",
                    extra_vars={"bench_kpi_width": width, "bench_kpi_models": models, "bench_kpi_events": n_plays},
                )
            except SystemExit as err:
                self.notes.append(f"KPI layer {width}x{models} failed to deploy: {str(err).splitlines()[0]}")
                continue
            jobs = [j for j in self.rest.jobs() if j["name"].startswith(BENCH_JOBS) and j["start-time"] >= since_ms]
            details = self.rest.wait_finished([j["jid"] for j in jobs], timeout_s=max(30, self.remaining() - 20))
            seconds = max(source_seconds(d) for d in details.values())
            run = {
                "aggregations": width,
                "models": models,
                "flink_jobs": len(jobs),
                "deploy_s": deploy_s,
                "plays_read_per_job": n_plays,
                "catch_up_s": round(seconds, 2),
                "plays_per_s": round(n_plays / seconds) if seconds > 0 else None,
            }
            runs.append(run)
            self.say(
                f"KPI layer {width} aggregations in {models} model(s): {len(jobs)} Flink job(s), deploy "
                f"{deploy_s} s, {run['plays_per_s']} plays/s"
            )
        self.result["kpi_layer"] = {
            "source": f"the first {n_plays} records of the plays topic, read by every job",
            "runs": runs,
            "jobs_per_model": (runs[-1]["flink_jobs"] / runs[-1]["models"]) if runs else None,
        }
        self.timed("kpi_layer_s", t)

    # --- the whole run ---------------------------------------------------------------------------
    def run(self) -> dict:
        flink_version = None
        try:
            flink_version = self.rest.get("/config").get("flink-version")
        except httpx.HTTPError:
            pass
        self.result["machine"] = machine(self.settings, flink_version)
        self.result["date"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.result["topic_prefix"] = self.prefix
        self.clean_slate()
        self.deploy()
        t = time.monotonic()
        pool = make_pool(self.cfg.pool)
        self.timed("pool_s", t)
        self.say(f"pool of {len(pool)} realistic events generated in {self.timings['pool_s']} s")
        loader = Loader(self.settings.kafka_bootstrap, self.prefix, pool, self.run_id)
        try:
            lat = {"moderate": self.latency(loader, self.cfg.moderate_rate, "moderate")}
            self.throughput(loader)
            sustained = self.result["throughput"]["sustained_events_per_s"]
            if sustained:
                lat["at_80pct_sustained"] = self.latency(loader, round(0.8 * sustained), "80pct")
            self.result["latency"] = lat
            self.ceilings(loader)
        finally:
            loader.close()
        self.kpi_layer()
        self.timings["total_s"] = round(time.monotonic() - self.started, 1)
        self.result["timings_s"] = self.timings
        self.result["notes"] = self.notes
        return self.result


def main() -> None:
    if sys.argv[1:] == ["render"]:  # BENCHMARKS.md again from the last run's figures (no measuring)
        result = json.loads((ROOT / TARGET / "last.json").read_text())
        (ROOT / "BENCHMARKS.md").write_text(render_markdown(result))
        return
    bench = Bench()
    result = bench.run()
    print(json.dumps(result, separators=(",", ":"), default=str), flush=True)
    (ROOT / TARGET / "last.json").write_text(json.dumps(result, indent=2, default=str))
    (ROOT / "BENCHMARKS.md").write_text(render_markdown(result))
    bench.say(f"BENCHMARKS.md written; whole bench {result['timings_s']['total_s']} s")
