"""What `watch` has seen so far: latest record per key of each upsert topic, recent appends, latencies."""

from __future__ import annotations

import math
from collections import Counter, OrderedDict, deque

from .records import OutputRecord, identity

UPSERT = ("ad_eligibility", "personas", "car_intent", "campaign_kpis", "next_best_actions")
MAX_LATENCIES = 100_000  # enough for stable percentiles, bounded memory on a long watch


def percentile(sorted_values: list[int], q: float) -> int:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def dead_letter_source(value: object) -> str:
    """The topic a dead letter came from; the field is `source_topic` (or `topic` in older models)."""
    if not isinstance(value, dict):
        return "?"
    return str(value.get("source_topic") or value.get("topic") or "?")


class WatchState:
    def __init__(self, keep: int = 12) -> None:
        self.keep = keep
        self.latest: dict[str, OrderedDict[str, OutputRecord]] = {t: OrderedDict() for t in UPSERT}
        self.decisions: deque[OutputRecord] = deque(maxlen=keep)
        self.dead_letters: deque[OutputRecord] = deque(maxlen=keep)
        self.dead_by_source: Counter[str] = Counter()
        self.latencies: deque[int] = deque(maxlen=MAX_LATENCIES)
        self.counts: Counter[str] = Counter()

    def apply(self, record: OutputRecord) -> None:
        self.counts[record.topic] += 1
        if record.topic in self.latest:
            table, key = self.latest[record.topic], identity(record)
            table.pop(key, None)  # re-inserted last: tables show the most recently changed first
            if record.value is not None:  # a tombstone deletes the key
                table[key] = record
                while len(table) > self.keep * 20:
                    table.popitem(last=False)
        elif record.topic == "ad_decisions":
            self.decisions.append(record)
            if record.latency_ms is not None:
                self.latencies.append(record.latency_ms)
        elif record.topic == "dead_letter":
            self.dead_letters.append(record)
            self.dead_by_source[dead_letter_source(record.value)] += 1

    def latency(self) -> tuple[int, int, int] | None:
        """(p50, p95, n) of ad decision latencies in ms, or None before the first decision."""
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return percentile(ordered, 50), percentile(ordered, 95), len(ordered)

    def recent(self, topic: str) -> list[OutputRecord]:
        """The `keep` most recently changed keys of an upsert topic, newest first."""
        return list(reversed(self.latest[topic].values()))[: self.keep]
