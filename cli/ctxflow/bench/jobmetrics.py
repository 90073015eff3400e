"""What the benchmark reads from Flink's REST API (through the shared client, flinkclient.rest):
per-partition source positions, vertex load and TaskManager memory, and which jobs are the project's.

Flink's JobManager fetches the metrics it serves from the TaskManagers when asked, at most every
`metrics.fetcher.update-interval` (10 s by default, 1 s on our stack), and answers with what it had, so a
metric read here is recent, not current: drain.py accounts for that, and fresh_source_positions waits for
the fetch its request starts.
"""

from __future__ import annotations

import re
import time

from flinkclient.jobnames import owner_of
from flinkclient.rest import FlinkRestClient

from .stats import VertexLoad

# <subtask>.<operator>.KafkaSourceReader.topic.<topic, '.' -> '_'>.partition.<n>.currentOffset
POSITION = re.compile(r"^\d+\.(.+)\.KafkaSourceReader\.topic\.(.+)\.partition\.(\d+)\.currentOffset$")
BENCH_KPI_MARK = ".bench_kpis"  # model.ctxflow.bench_kpis_07 or group.ctxflow.bench_kpis_g2


def is_bench_kpi_job(name: str) -> bool:
    owner = owner_of(name)
    return owner is not None and BENCH_KPI_MARK in owner


def is_project_job(name: str) -> bool:
    """A job deployed by dbt for the project (one model or a job group), not the bench's KPI layer."""
    return owner_of(name) is not None and not is_bench_kpi_job(name)


def metric_topic(topic: str) -> str:
    """How a topic name appears inside Flink's metric names ('.' is the scope separator there)."""
    return topic.replace(".", "_")


class JobMetrics:
    """Metrics of running jobs and TaskManagers, read through the JobManager REST client."""

    def __init__(self, rest: FlinkRestClient) -> None:
        self.rest = rest
        self._position_ids: dict[tuple[str, str], list[str]] = {}

    def source_positions(self, jid: str, detail: dict | None = None) -> dict[tuple[str, int], int]:
        """(topic as named in metrics, partition) -> offset its Kafka source has reached, per job (the
        highest over the job's source operators reading it). Empty until every source reports its positions."""
        out: dict[tuple[str, int], int] = {}
        for v in (detail or self.rest.job_detail(jid))["vertices"]:
            if not v["name"].startswith("Source:"):
                continue
            key = (jid, v["id"])
            ids = self._position_ids.get(key)
            if not ids:  # a Kafka reader registers its partition metrics once it has its splits: ask again
                listed = [m["id"] for m in self.rest.get(f"/jobs/{jid}/vertices/{v['id']}/metrics")]
                ids = [i for i in listed if POSITION.match(i)]
                if not ids:  # one source not reporting yet: the job's progress is unknown, not partial
                    return {}
                self._position_ids[key] = ids
            for m in self.rest.get(f"/jobs/{jid}/vertices/{v['id']}/metrics", get=",".join(ids)):
                match = POSITION.match(m["id"])
                try:
                    value = int(float(m["value"]))
                except (TypeError, ValueError):
                    continue
                tp = (match.group(2), int(match.group(3)))
                out[tp] = max(out.get(tp, value), value)
        return out

    def fresh_source_positions(self, details: dict[str, dict], deadline_s: float = 5.0) -> tuple[dict[str, dict], bool]:
        """source_positions of each job (job id -> its detail) as of now, not as of the last request. The
        JobManager fetches metrics from the TaskManagers only when asked, and answers with what it has: after
        30 s without a request, positions 30 s old (in make soak, at 15,000 events/s, 450,000 records of lag
        that were not there). So ask again until the positions move, the sign that a fetch made after the
        first request has come in, then read them all once more: the round that saw them move may have
        read its first jobs before the fetch landed. Also says whether they were seen to move: if nothing
        moves within `deadline_s`, either nothing is being read (and the positions are current) or the
        fetch took longer, which the caller cannot tell apart."""

        def read() -> dict[str, dict]:
            return {jid: self.source_positions(jid, d) for jid, d in details.items()}

        first = read()
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            time.sleep(0.1)
            if read() != first:
                return read(), True
        return first, False

    def vertex_load(self, jid: str, job_name: str) -> list[VertexLoad]:
        out = []
        for v in self.rest.job_detail(jid)["vertices"]:
            values = self.rest.get(
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

    def taskmanager_heap(self) -> dict[str, dict]:
        """TaskManager id -> heap used and max (bytes)."""
        out = {}
        for tm in self.rest.get("/taskmanagers")["taskmanagers"]:
            values = self.rest.get(
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
        for tm in self.rest.get("/taskmanagers")["taskmanagers"]:
            names = [m["id"] for m in self.rest.get(f"/taskmanagers/{tm['id']}/metrics")]
            wanted = gc_time_metrics(names)
            if wanted:
                values = self.rest.get(f"/taskmanagers/{tm['id']}/metrics", get=",".join(wanted))
                total += sum(int(float(m["value"])) for m in values)
        return total


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
