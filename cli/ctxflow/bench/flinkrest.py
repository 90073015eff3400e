"""What the benchmark reads from Flink's REST API: jobs, per-partition source positions, vertex load,
flame graphs, checkpoints and TaskManager memory.

Flink's JobManager refreshes the metrics it serves every `metrics.fetcher.update-interval` (10 s by
default), so a metric read here is recent, not current; drain.py accounts for that.
"""

from __future__ import annotations

import re
import time

import httpx

from ..waiting import wait_for
from .stats import VertexLoad

ACTIVE = ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING")
# <subtask>.<operator>.KafkaSourceReader.topic.<topic, '.' -> '_'>.partition.<n>.currentOffset
POSITION = re.compile(r"^\d+\.(.+)\.KafkaSourceReader\.topic\.(.+)\.partition\.(\d+)\.currentOffset$")
BENCH_KPI_MARK = ".bench_kpis"  # dbt:model.ctxflow.bench_kpis_07#.. or dbt:group.ctxflow.bench_kpis_g2#..


def is_bench_kpi_job(name: str) -> bool:
    return name.startswith("dbt:") and BENCH_KPI_MARK in name


def is_project_job(name: str) -> bool:
    """A job deployed by dbt for the project (one model or a job group), not the bench's KPI layer."""
    return name.startswith("dbt:") and not is_bench_kpi_job(name)


def short_job_name(name: str) -> str:
    """dbt:model.ctxflow.personas#ab12 -> personas; dbt:group.ctxflow.contract#cd34 -> group contract."""
    body = name.split("#")[0].removeprefix("dbt:")
    kind, _, rest = body.partition(".")
    leaf = rest.split(".", 1)[-1] if "." in rest else rest
    return f"group {leaf}" if kind == "group" else leaf


def metric_topic(topic: str) -> str:
    """How a topic name appears inside Flink's metric names ('.' is the scope separator there)."""
    return topic.replace(".", "_")


class FlinkRest:
    def __init__(self, url: str, timeout_s: float = 10) -> None:
        self.http = httpx.Client(base_url=url, timeout=timeout_s)
        self._position_ids: dict[tuple[str, str], list[str]] = {}

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **params) -> dict | list:
        resp = self.http.get(path, params=params or None)
        resp.raise_for_status()
        return resp.json()

    def jobs(self) -> list[dict]:
        return self.get("/jobs/overview")["jobs"]

    def active_jobs(self, keep=lambda name: True) -> dict[str, str]:
        """jid -> name of the active jobs whose name passes `keep`."""
        return {j["jid"]: j["name"] for j in self.jobs() if j["state"] in ACTIVE and keep(j["name"])}

    def job(self, jid: str) -> dict:
        return self.get(f"/jobs/{jid}")

    def cancel(self, jids: list[str], timeout_s: float = 60) -> None:
        """Cancels the jobs and waits until none of them is active."""
        for jid in jids:
            self.http.patch(f"/jobs/{jid}", params={"mode": "cancel"})

        def gone() -> bool:
            states = {j["jid"]: j["state"] for j in self.jobs()}
            return all(states.get(jid) not in ACTIVE for jid in jids)

        if jids:
            wait_for(gone, f"{len(jids)} jobs to cancel", timeout_s=timeout_s, every_s=0.5)

    def slots(self) -> tuple[int, int]:
        overview = self.get("/overview")
        return overview["slots-total"], overview["slots-available"]

    def source_positions(self, jid: str, detail: dict | None = None) -> dict[tuple[str, int], int]:
        """(topic as named in metrics, partition) -> offset its Kafka source has reached, per job (the
        highest over the job's source operators reading it). Empty until every source reports its positions."""
        out: dict[tuple[str, int], int] = {}
        for v in (detail or self.job(jid))["vertices"]:
            if not v["name"].startswith("Source:"):
                continue
            key = (jid, v["id"])
            ids = self._position_ids.get(key)
            if not ids:  # a Kafka reader registers its partition metrics once it has its splits: ask again
                listed = [m["id"] for m in self.get(f"/jobs/{jid}/vertices/{v['id']}/metrics")]
                ids = [i for i in listed if POSITION.match(i)]
                if not ids:  # one source not reporting yet: the job's progress is unknown, not partial
                    return {}
                self._position_ids[key] = ids
            for m in self.get(f"/jobs/{jid}/vertices/{v['id']}/metrics", get=",".join(ids)):
                match = POSITION.match(m["id"])
                try:
                    value = int(float(m["value"]))
                except (TypeError, ValueError):
                    continue
                tp = (match.group(2), int(match.group(3)))
                out[tp] = max(out.get(tp, value), value)
        return out

    def vertex_load(self, jid: str, job_name: str) -> list[VertexLoad]:
        out = []
        for v in self.job(jid)["vertices"]:
            values = self.get(
                f"/jobs/{jid}/vertices/{v['id']}/subtasks/metrics",
                get="busyTimeMsPerSecond,backPressuredTimeMsPerSecond",
            )
            by_id = {m["id"]: m.get("max", 0.0) for m in values}
            busy = by_id.get("busyTimeMsPerSecond", 0.0)
            out.append(
                VertexLoad(
                    job_name,
                    v["name"],
                    0.0 if busy != busy else busy,  # NaN while idle
                    by_id.get("backPressuredTimeMsPerSecond", 0.0),
                    jid,
                    v["id"],
                )
            )
        return out

    def flamegraph(self, jid: str, vid: str, kind: str = "on_cpu", timeout_s: float = 45) -> dict | None:
        """The vertex's flame graph (on_cpu, off_cpu or full), or None when the cluster has them disabled.

        The first request starts the sampling (endTimestamp -3: waiting); -2 means
        rest.flamegraph.enabled is off; -1 that the vertex has finished.
        """

        def ready():
            graph = self.get(f"/jobs/{jid}/vertices/{vid}/flamegraph", type=kind)
            return graph if graph.get("endTimestamp", -3) != -3 else None

        graph = wait_for(ready, "the flame graph's samples", timeout_s=timeout_s, every_s=1.0)
        return None if graph.get("endTimestamp") == -2 else graph

    def latest_checkpoint(self, jid: str) -> dict | None:
        completed = (self.get(f"/jobs/{jid}/checkpoints").get("latest") or {}).get("completed")
        if not completed:
            return None
        return {
            "id": completed["id"],
            "at_ms": completed.get("latest_ack_timestamp"),
            "state_size_bytes": completed.get("state_size"),
            "checkpointed_size_bytes": completed.get("checkpointed_size"),
            "duration_ms": completed.get("end_to_end_duration"),
        }

    def taskmanager_heap(self) -> dict[str, dict]:
        """TaskManager id -> heap used and max (bytes)."""
        out = {}
        for tm in self.get("/taskmanagers")["taskmanagers"]:
            values = self.get(
                f"/taskmanagers/{tm['id']}/metrics", get="Status.JVM.Memory.Heap.Used,Status.JVM.Memory.Heap.Max"
            )
            by_id = {m["id"]: int(float(m["value"])) for m in values}
            out[tm["id"]] = {
                "heap_used": by_id.get("Status.JVM.Memory.Heap.Used"),
                "heap_max": by_id.get("Status.JVM.Memory.Heap.Max"),
            }
        return out

    def taskmanager_gc_ms(self) -> int:
        """Milliseconds the TaskManagers' JVMs have spent in garbage collection since they started."""
        total = 0
        for tm in self.get("/taskmanagers")["taskmanagers"]:
            names = [m["id"] for m in self.get(f"/taskmanagers/{tm['id']}/metrics")]
            wanted = gc_time_metrics(names)
            if wanted:
                values = self.get(f"/taskmanagers/{tm['id']}/metrics", get=",".join(wanted))
                total += sum(int(float(m["value"])) for m in values)
        return total

    def wait_finished(self, jids: list[str], timeout_s: float) -> dict[str, dict]:
        """Waits until every job is FINISHED (or failed: raises); returns each job's detail."""

        def finished():
            details = {jid: self.job(jid) for jid in jids}
            bad = [d for d in details.values() if d["state"] in ("FAILED", "CANCELED")]
            if bad:
                raise RuntimeError(f"job {bad[0]['name']} {bad[0]['state']}")
            return details if all(d["state"] == "FINISHED" for d in details.values()) else None

        return wait_for(finished, f"{len(jids)} bounded jobs to finish", timeout_s=timeout_s, every_s=0.5)


def gc_time_metrics(names: list[str]) -> list[str]:
    """The per-collector GC time metrics among a TaskManager's metric names (not the `All` sum, which
    would count them twice)."""
    prefix = "Status.JVM.GarbageCollector."
    return [n for n in names if n.startswith(prefix) and n.endswith(".Time") and n != prefix + "All.Time"]


def source_window_ms(details: list[dict]) -> tuple[int | None, int | None]:
    """(first source task start, last source task end) over jobs' details, epoch ms; end None while any
    source still runs. The same span defines every drain of the bench: start of reading to end offsets."""
    starts, ends = [], []
    for d in details:
        for v in d["vertices"]:
            if v["name"].startswith("Source:"):
                if v.get("start-time", -1) > 0:
                    starts.append(v["start-time"])
                ends.append(v.get("end-time", -1))
    start = min(starts) if starts else None
    end = max(ends) if ends and all(e > 0 for e in ends) else None
    return start, end


def now_ms() -> int:
    return int(time.time() * 1000)
