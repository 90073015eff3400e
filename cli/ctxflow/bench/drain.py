"""When have ALL the project's jobs read their input to the end? A watcher polls, every second, each
job's Kafka source positions per partition (Flink metrics) and the topics' end offsets (Kafka); the pure
functions below find the moment from those rounds.

A job is caught up when each partition it reads is at its end (for a topic another job writes, the end
of that same round, so the upstream must have finished too). The end is the offset after the last
record a read_committed reader sees: in a topic written exactly-once, Kafka's commit markers take
offsets of their own that no reader is ever given, so the high watermark would never be reached. Flink refreshes the
metrics it serves only every `metrics.fetcher.update-interval`, so the first round that shows everyone
caught up only bounds the moment; `drain_moment` narrows it by extrapolating the last lagging
sources at their previous rate, and reports the bracket it could not narrow.

Sources at their ends are not the whole drain: a job may still hold what it read (a temporal join's
requests wait in its state for the plays' watermark, then come out at once). So the
watcher also takes the end of every topic of the run, and the backlog is drained when, besides, no
output has grown for a quiet span longer than a checkpoint interval (exactly-once outputs show their
records at each checkpoint): `settle_moment`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

from ..core.kafka_io import reader_config
from .jobmetrics import JobMetrics, metric_topic, now_ms

Partition = tuple[str, int]  # (topic as named in Flink's metrics, partition)


@dataclass(frozen=True)
class Round:
    t_ms: int  # when the round's last value was read (so nothing in it is later than this)
    positions: dict[str, dict[Partition, int]]  # jid -> partition -> offset its source reached
    ends: dict[Partition, int]  # partition -> the offset after its last record (see EndOffsets.last_record_end)
    outputs: dict[str, int] = field(default_factory=dict)  # every topic of the run -> its end (EndOffsets.every_topic)
    took_ms: int = 0  # how long the round took to read: the watcher's resolution


def caught_up(position: int | None, end: int) -> bool:
    """Flink's currentOffset is the last record read (so end - 1 at the end); an empty partition is read."""
    if end <= 0:
        return True
    return position is not None and position >= end - 1


def remaining(positions: dict[Partition, int], ends: dict[Partition, int]) -> int:
    """Records a job has still to read."""
    return sum(
        max(0, ends.get(tp, 0) - 1 - pos) for tp, pos in positions.items() if not caught_up(pos, ends.get(tp, 0))
    )


def all_caught_up(r: Round, jids: Sequence[str]) -> bool:
    for jid in jids:
        positions = r.positions.get(jid)
        if not positions:  # not deployed yet, or its metrics are not out yet
            return False
        if not all(caught_up(pos, r.ends.get(tp, 0)) for tp, pos in positions.items()):
            return False
    return True


@dataclass(frozen=True)
class DrainMoment:
    at_ms: int  # best estimate
    earliest_ms: int  # the last metric refresh that still showed a job behind
    latest_ms: int  # the poll that first saw every job caught up


def _refresh_start(rounds: Sequence[Round], i: int) -> int:
    """Index of the first round that showed the same metric values as round i (when that refresh landed)."""
    while i > 0 and rounds[i - 1].positions == rounds[i].positions:
        i -= 1
    return i


def drain_moment(rounds: Sequence[Round], jids: Sequence[str]) -> DrainMoment | None:
    """The moment every job in `jids` had read its partitions to the end, from the watcher's rounds
    (in time order); None when no round shows it."""
    k = next((i for i, r in enumerate(rounds) if all_caught_up(r, jids)), None)
    if k is None:
        return None
    seen = _refresh_start(rounds, k)
    latest = rounds[seen].t_ms
    if seen == 0:
        return DrainMoment(latest, latest, latest)
    p = _refresh_start(rounds, seen - 1)  # the refresh before: someone was still behind
    earliest = rounds[p].t_ms
    before = _refresh_start(rounds, p - 1) if p > 0 else None  # the one before it: gives the rate
    final_ends = rounds[k].ends
    estimate = earliest
    for jid in jids:
        if not rounds[p].positions.get(jid):  # not reading yet at that refresh: nothing to extrapolate
            estimate = latest
            continue
        for tp, pos in rounds[p].positions[jid].items():
            if caught_up(pos, final_ends.get(tp, 0)):
                continue
            eta = latest
            if before is not None:
                old = rounds[before].positions.get(jid, {}).get(tp)
                span = rounds[p].t_ms - rounds[before].t_ms
                if old is not None and pos > old and span > 0:
                    eta = rounds[p].t_ms + (final_ends[tp] - 1 - pos) * span / (pos - old)
            estimate = max(estimate, min(latest, int(eta)))
    return DrainMoment(estimate, earliest, latest)


def last_growth(rounds: Sequence[Round]) -> dict[str, int]:
    """Per topic, the time of the round that first showed its final size (the first round for a topic
    that never grew while watched)."""
    out: dict[str, int] = {}
    for prev, cur in zip(rounds, rounds[1:], strict=False):
        for topic, n in cur.outputs.items():
            if prev.outputs.get(topic) != n:
                out[topic] = cur.t_ms
    for topic in rounds[-1].outputs if rounds else {}:
        out.setdefault(topic, rounds[0].t_ms)
    return out


def settle_moment(rounds: Sequence[Round], quiet_ms: int) -> DrainMoment | None:
    """When the run's topics stopped growing: the last round that saw one grow (it grew since the round
    before), once `quiet_ms` of later rounds saw none grow; None before that."""
    if not rounds:
        return None
    k = max((i for i in range(1, len(rounds)) if rounds[i].outputs != rounds[i - 1].outputs), default=0)
    if rounds[-1].t_ms - rounds[k].t_ms < quiet_ms:
        return None
    return DrainMoment(rounds[k].t_ms, rounds[max(0, k - 1)].t_ms, rounds[k].t_ms)


def one_per_input(r: Round, pairs: dict[str, str], prefix: str) -> dict[str, dict[str, int]]:
    """For outputs with one record per input record (output topic -> input topic, without the run's
    prefix): how many of each were in the topics at round r."""
    return {
        out: {"out": r.outputs.get(prefix + out, 0), "in": r.outputs.get(prefix + inp, 0), "input": inp}
        for out, inp in pairs.items()
    }


def finished(sources: DrainMoment | None, outputs: DrainMoment | None) -> DrainMoment | None:
    """The backlog is drained when the sources are at their ends and the outputs have settled, whichever
    came last."""
    if sources is None or outputs is None:
        return None
    return DrainMoment(
        max(sources.at_ms, outputs.at_ms),
        max(sources.earliest_ms, outputs.earliest_ms),
        max(sources.latest_ms, outputs.latest_ms),
    )


def refresh_interval_ms(rounds: Sequence[Round]) -> float | None:
    """The median time between metric refreshes seen by the watcher (the resolution of the data)."""
    starts = [rounds[i].t_ms for i in range(1, len(rounds)) if rounds[i].positions != rounds[i - 1].positions]
    gaps = sorted(b - a for a, b in zip(starts, starts[1:], strict=False))
    return float(gaps[len(gaps) // 2]) if gaps else None


class EndOffsets:
    """End offsets per partition, for topics named as in Flink's metrics."""

    def __init__(self, bootstrap: str, prefix: str) -> None:
        self.consumer = Consumer(reader_config(bootstrap, "bench-ends"))
        self.tail = Consumer(reader_config(bootstrap, "bench-tail", {"enable.partition.eof": True}))
        self.prefix = prefix
        self._names: dict[str, str] = {}
        # (topic, partition) -> (high watermark, offset after its last record; None until read)
        self._ends: dict[tuple[str, int], tuple[int, int | None]] = {}

    def real_topic(self, in_metrics: str) -> str | None:
        if in_metrics not in self._names:
            for t in self.consumer.list_topics(timeout=10).topics:
                if t.startswith(self.prefix):
                    self._names[metric_topic(t)] = t
        return self._names.get(in_metrics)

    def of(self, partitions: set[Partition]) -> dict[Partition, int]:
        out = {}
        for name, p in partitions:
            topic = self.real_topic(name)
            if topic is not None:
                out[(name, p)] = self.last_record_end(topic, p)
        return out

    def every_topic(self) -> dict[str, int]:
        """Every topic of the run (real name) -> its high watermark, summed over its partitions: it grows
        when records land (with their commit markers, in a topic written exactly-once), never otherwise.
        The high watermark, not last_record_end: reading each growing topic's tail every round took
        about a second a topic and thinned the watcher's rounds."""
        topics = self.consumer.list_topics(timeout=10).topics
        return {
            t: sum(self._high(t, p) for p in meta.partitions) for t, meta in topics.items() if t.startswith(self.prefix)
        }

    def _watermarks(self, topic: str, partition: int) -> tuple[int, int]:
        """(low, high): the first offset still kept and the offset the next record will get."""
        return self.consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)

    def _high(self, topic: str, partition: int) -> int:
        return self._watermarks(topic, partition)[1]

    def high_watermarks(self, partitions: set[Partition]) -> dict[Partition, int]:
        """The high watermark per partition: for a live stream, where chasing each tail (last_record_end)
        never settles; in an exactly-once topic it counts the commit markers too (one per checkpoint)."""
        out = {}
        for name, p in partitions:
            topic = self.real_topic(name)
            if topic is not None:
                out[(name, p)] = self._high(topic, p)
        return out

    def last_record_end(self, topic: str, partition: int) -> int:
        """The offset after the last record of the partition that a read_committed reader gets: the
        high watermark, less the commit markers (and aborted records) after that record. Only a quiet
        partition's tail is read (widening the look back until it holds a record), once: one that grew
        since the last look ends at its high watermark for now. Reading every growing partition's tail
        each round took seconds a topic on a busy machine and stretched one round to 55 s, so the drain
        was seen up to a minute late."""
        low, high = self._watermarks(topic, partition)
        known = self._ends.get((topic, partition))
        if known is None or known[0] != high:  # new, or grew since the last look
            self._ends[(topic, partition)] = (high, None)
            return high
        if known[1] is None:  # quiet since the last look: where its last record ends
            self._ends[(topic, partition)] = (high, self._tail_end(topic, partition, low, high))
        return self._ends[(topic, partition)][1]

    def _tail_end(self, topic: str, partition: int, low: int, high: int) -> int:
        back = 8
        while high > low:
            start = max(low, high - back)
            self.tail.assign([TopicPartition(topic, partition, start)])
            last = None
            while True:
                msg = self.tail.poll(10)
                if msg is None:
                    raise TimeoutError(f"no end of partition {topic}[{partition}] within 10 s")
                if msg.error():
                    if msg.error().code() == KafkaError._PARTITION_EOF:
                        break
                    raise KafkaException(msg.error())
                last = msg.offset()
            if last is not None:
                return last + 1
            if start == low:
                break
            back *= 8
        return 0  # no record a reader could get: nothing to wait for

    def topic_ends(self, topic: str) -> dict[int, int]:
        """partition -> end offset of one topic (real name)."""
        meta = self.consumer.list_topics(topic, timeout=10).topics[topic]
        return {p: self._high(topic, p) for p in meta.partitions}

    def close(self) -> None:
        self.consumer.close()
        self.tail.close()


class Watcher(threading.Thread):
    """Polls the jobs that `which_jobs` lists, every `every_s`, into rounds; also the TaskManagers' heap."""

    def __init__(
        self, metrics: JobMetrics, offsets: EndOffsets, which_jobs: Callable[[], dict[str, str]], every_s: float = 1.0
    ) -> None:
        super().__init__(daemon=True)
        self.metrics, self.offsets, self.which_jobs, self.every_s = metrics, offsets, which_jobs, every_s
        self.rounds: list[Round] = []
        self.jobs: dict[str, str] = {}  # every job seen: jid -> name
        self.heap_peak: dict[str, int] = {}  # TaskManager -> highest heap used seen
        self.errors = 0
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._details: dict[str, dict] = {}

    def poll(self) -> Round:
        started = now_ms()
        jobs = self.which_jobs()
        self.jobs.update(jobs)
        positions = {}
        for jid in jobs:
            if jid not in self._details or not self._details[jid]["vertices"]:
                self._details[jid] = self.metrics.rest.job_detail(jid)
            positions[jid] = self.metrics.source_positions(jid, self._details[jid])
        wanted = {tp for p in positions.values() for tp in p}
        ends, outputs = self.offsets.of(wanted), self.offsets.every_topic()
        return Round(now_ms(), positions, ends, outputs, took_ms=now_ms() - started)

    def run(self) -> None:
        n = 0
        while not self._halt.is_set():
            started = time.monotonic()
            try:
                r = self.poll()
                with self._lock:
                    self.rounds.append(r)
                if n % 5 == 0:
                    for tm, heap in self.metrics.taskmanager_heap().items():
                        self.heap_peak[tm] = max(self.heap_peak.get(tm, 0), heap["heap_used"] or 0)
            except Exception:  # a REST hiccup under load: skip this round (counted)
                self.errors += 1
            n += 1
            self._halt.wait(max(0.0, self.every_s - (time.monotonic() - started)))

    def snapshot(self) -> list[Round]:
        with self._lock:
            return list(self.rounds)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=15)
