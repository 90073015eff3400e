"""Consumer lag of every running job, sampled in the background: records in its input topics that its
sources have not read yet (topic end offsets from Kafka minus the sources' numRecordsOut from Flink)."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, TopicPartition

from .flinkrest import FlinkRest

SEED_TABLES = ("ad_rules", "ad_categories", "context_thresholds")


def table_topic(table: str, prefix: str) -> str:
    """The topic behind a source table of the project (or of the bench's pass-through, pt_<input>)."""
    if table == "ad_eligibility_versions":
        return prefix + "ad_eligibility"
    if table in SEED_TABLES:
        return prefix + "rules." + table
    for head in ("bench_raw_", "raw_", "pt_"):
        if table.startswith(head):
            return prefix + table.removeprefix(head)
    return prefix + table


class EndOffsets:
    def __init__(self, bootstrap: str) -> None:
        self.consumer = Consumer(
            {"bootstrap.servers": bootstrap, "group.id": f"ctxflow-bench-offsets-{time.time_ns()}"}
        )

    def of(self, topic: str) -> int:
        meta = self.consumer.list_topics(topic, timeout=10).topics[topic]
        return sum(
            self.consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in meta.partitions
        )

    def close(self) -> None:
        self.consumer.close()


class LagSampler(threading.Thread):
    """Every `every_s`: per job, (time, records read, lag). Lag uses the end offsets of the previous
    sample, as Flink's metrics trail the broker by up to one fetch."""

    def __init__(self, rest: FlinkRest, offsets: EndOffsets, jobs: dict[str, str], prefix: str, every_s=1.0):
        super().__init__(daemon=True)
        self.rest, self.offsets, self.jobs, self.prefix, self.every_s = rest, offsets, jobs, prefix, every_s
        self.samples: dict[str, list[tuple[float, int, int]]] = {jid: [] for jid in jobs}
        self.errors = 0
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def measure(self, ends: dict[str, int] | None = None) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
        """jid -> (records read, lag) now; and the end offsets used (fresh ones when none are given)."""
        progress = {jid: self.rest.source_progress(jid) for jid in self.jobs}
        topics = {table_topic(t, self.prefix) for p in progress.values() for t, _ in p}
        fresh = {t: self.offsets.of(t) for t in topics}
        ends = {**fresh, **(ends or {})}
        out = {}
        for jid, sources in progress.items():
            read = sum(n for _, n in sources)
            lag = sum(max(0, ends[table_topic(t, self.prefix)] - n) for t, n in sources)
            out[jid] = (read, lag)
        return out, fresh

    def run(self) -> None:
        previous: dict[str, int] | None = None
        while not self._halt.is_set():
            started = time.monotonic()
            try:
                now, previous = self.measure(previous)
                with self._lock:
                    for jid, (read, lag) in now.items():
                        self.samples[jid].append((started, read, lag))
            except Exception:  # a REST hiccup under load: skip this sample (counted)
                self.errors += 1
            self._halt.wait(max(0.0, self.every_s - (time.monotonic() - started)))

    def window(self, start: float, end: float) -> dict[str, list[tuple[float, int, int]]]:
        with self._lock:
            return {jid: [s for s in samples if start <= s[0] <= end] for jid, samples in self.samples.items()}

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


def wait_drained(sampler: LagSampler, timeout_s: float, tolerance: int = 50) -> float | None:
    """Waits until every job's lag is at most `tolerance` records; returns the seconds it took (None: not
    within timeout_s)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        try:
            now, _ = sampler.measure()
        except Exception:
            now = None
        if now and all(lag <= tolerance for _, lag in now.values()):
            return time.monotonic() - started
        time.sleep(1.0)
    return None
