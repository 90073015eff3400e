"""Reading the output topics: every partition, from the end (or the beginning), new topics as they appear.

Partitions are assigned explicitly at their current end offsets rather than subscribed with
auto.offset.reset=latest: "latest" would be resolved later, at the first fetch, and records written in
between would be lost; and --once needs those offsets anyway, to know when it has read everything.
"""

from __future__ import annotations

import time

from confluent_kafka import Consumer, KafkaError, TopicPartition

from ..core.kafka_io import admin_client, reader_config
from ..core.topics import STREAMING_OUTPUTS, full_topic
from .records import OutputRecord, decode_record


class Tail:
    def __init__(self, bootstrap: str, prefix: str, from_beginning: bool) -> None:
        self._admin = admin_client(bootstrap)  # fails fast when Kafka is not there
        self._short = {full_topic(t, prefix): t for t in STREAMING_OUTPUTS}
        # EOF events tell --once it reached the end even when the last offsets are transaction markers
        # (Flink's exactly-once sinks write them), which no message ever carries
        self._consumer = Consumer(reader_config(bootstrap, "watch", {"enable.partition.eof": True}))
        self._from_beginning = from_beginning
        self.assigned: set[str] = set()
        self._end: dict[tuple[str, int], int] = {}  # end offsets when first assigned: what --once must read
        self._next: dict[tuple[str, int], int] = {}
        self._started = False
        self.refresh()

    def refresh(self) -> list[str]:
        """Assigns output topics not assigned yet; a topic that appears later is read from its beginning."""
        existing = self._admin.list_topics(timeout=10).topics
        later, self._started = self._started, True  # the first call decides from-end vs from-beginning
        new = [t for t in self._short if t in existing and t not in self.assigned]
        parts = []
        for topic in new:
            for p in existing[topic].partitions:
                low, high = self._consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
                start = low if self._from_beginning or later else high
                self._end[(topic, p)], self._next[(topic, p)] = high, start
                parts.append(TopicPartition(topic, p, start))
            self.assigned.add(topic)
        if parts:
            self._consumer.incremental_assign(parts)
        return new

    def poll(self, timeout_s: float, max_records: int = 500) -> list[OutputRecord]:
        messages = self._consumer.consume(max_records, timeout_s)
        received = int(time.time() * 1000)
        out = []
        for msg in messages:
            tp = (msg.topic(), msg.partition())
            if msg.error() is not None:
                if msg.error().code() == KafkaError._PARTITION_EOF:
                    self._next[tp] = max(self._next.get(tp, 0), msg.offset())
                continue
            self._next[tp] = msg.offset() + 1
            out.append(decode_record(self._short[msg.topic()], msg.topic(), msg.key(), msg.value(), received))
        return out

    def caught_up(self) -> bool:
        """Whether everything that was in the topics when they were assigned has been read."""
        return all(self._next.get(tp, 0) >= end for tp, end in self._end.items())

    def close(self) -> None:
        self._consumer.close()
