"""Talking to Kafka: a fast reachability check, topic creation, a counting producer, reading a topic back."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from ..waiting import wait_for

# librdkafka logs every failed connection attempt; the one-line error we print says it better
QUIET_LOGGER = logging.getLogger("ctxflow.kafka")
QUIET_LOGGER.addHandler(logging.NullHandler())
QUIET_LOGGER.propagate = False


class KafkaUnreachable(Exception):
    """Kafka did not answer a metadata request in time; the message says what to do."""


def _quiet(bootstrap: str, timeout_s: float) -> dict:
    return {
        "bootstrap.servers": bootstrap,
        "socket.connection.setup.timeout.ms": int(timeout_s * 1000),
        "logger": QUIET_LOGGER,
    }


def reader_config(bootstrap: str, purpose: str, extra: dict | None = None, timeout_s: float = 5) -> dict:
    """Settings of every consumer of ours: a private group that never commits, reading only committed
    records. Flink's exactly-once sinks write in Kafka transactions; a read_uncommitted reader would see
    the rows of a transaction a restart aborted, and count them twice (README, "Delivery guarantees")."""
    return {
        **_quiet(bootstrap, timeout_s),
        "group.id": f"ctxflow-{purpose}-{os.getpid()}-{time.time_ns()}",
        "enable.auto.commit": False,
        "isolation.level": "read_committed",
        **(extra or {}),
    }


def admin_client(bootstrap: str, timeout_s: float = 3.0) -> AdminClient:
    """An AdminClient whose broker answered a metadata request within `timeout_s`, or KafkaUnreachable."""
    admin = AdminClient(_quiet(bootstrap, timeout_s))
    try:
        admin.list_topics(timeout=timeout_s)
    except KafkaException:
        raise KafkaUnreachable(
            f"Kafka at {bootstrap} is unreachable: start the stack with `make up` or pass --bootstrap"
        ) from None
    return admin


def ensure_topics(
    admin: AdminClient, names: list[str] | dict[str, dict[str, str]], partitions: int, timeout_s: float = 30
) -> list[str]:
    """Creates the topics that do not exist yet (replication 1: one local broker); returns those created.
    `names` may map each topic to its topic config (cleanup.policy, retention.ms, ...)."""
    configs = names if isinstance(names, dict) else dict.fromkeys(names, {})
    existing = admin.list_topics(timeout=timeout_s).topics
    missing = [n for n in configs if n not in existing]
    if not missing:
        return []
    futures = admin.create_topics(
        [NewTopic(n, partitions, 1, config=configs[n]) for n in missing], operation_timeout=timeout_s
    )
    for future in futures.values():
        try:
            future.result(timeout=timeout_s)
        except KafkaException as err:  # another simulator created it in between: fine
            if err.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise
    return missing


class CountingProducer:
    """A Producer that counts what the broker acknowledged per topic, and every delivery failure."""

    def __init__(self, bootstrap: str, transactional_id: str | None = None) -> None:
        # lz4 and a short linger batch thousands of small JSON events per request at a few ms of latency;
        # idempotence keeps order and drops retry duplicates when a loaded broker times a request out
        # (same seed, same topic content)
        config = {
            **_quiet(bootstrap, 5),
            "linger.ms": 5,
            "compression.type": "lz4",
            "queue.buffering.max.messages": 500_000,
            "enable.idempotence": True,
        }
        # with a transactional id: one transaction, begun here; what it sends shows to read_committed
        # readers at commit(), all at once
        if transactional_id is not None:
            config["transactional.id"] = transactional_id
        self._producer = Producer(config)
        if transactional_id is not None:
            self._producer.init_transactions(30)
            self._producer.begin_transaction()
        self.acked: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.last_error: str | None = None

    def _delivered(self, err, msg) -> None:
        if err is None:
            self.acked[msg.topic()] += 1
        else:
            self.failed[msg.topic()] += 1
            self.last_error = str(err)

    def send(self, topic: str, key: str, value: bytes, timestamp_ms: int | None = None) -> None:
        """Queues one message; without `timestamp_ms`, Kafka's timestamp is when it was handed over (now)."""
        while True:
            try:
                self._producer.produce(
                    topic, value=value, key=key.encode(), timestamp=timestamp_ms or 0, on_delivery=self._delivered
                )
                break
            except BufferError:  # local queue full: let deliveries drain it, then retry
                self._producer.poll(0.05)
        self._producer.poll(0)

    def flush(self, timeout_s: float = 60) -> int:
        """Waits for every acknowledgement; returns how many messages are still undelivered."""
        return self._producer.flush(timeout_s)

    def commit(self, timeout_s: float = 60) -> None:
        """Makes everything sent so far visible at once (a transactional producer only)."""
        self._producer.commit_transaction(timeout_s)


@dataclass(frozen=True)
class Record:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int  # Kafka's timestamp: when the producer created the message


def message_counts(bootstrap: str, topics: list[str]) -> dict[str, int]:
    """Each topic's end offsets summed over its partitions: how many messages it has ever had."""
    consumer = Consumer(reader_config(bootstrap, "count"))
    try:
        counts = {}
        for topic in topics:
            meta = consumer.list_topics(topic, timeout=10).topics[topic]
            ends = [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1] for p in meta.partitions]
            counts[topic] = sum(ends)
        return counts
    finally:
        consumer.close()


def read_topic(bootstrap: str, topic: str, timeout_s: float = 60) -> list[Record]:
    """Everything committed in `topic` now, every partition, up to the end offsets seen at the start (tests,
    checks). A transactional topic ends with a commit marker that no message carries, or with a transaction
    still open: a partition is also done when the reader reaches the end of what is committed."""
    consumer = Consumer(reader_config(bootstrap, "read", {"enable.partition.eof": True}))
    try:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        if meta.error is not None:
            raise KafkaException(meta.error)
        ends = {}
        for p in meta.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            if high > low:
                ends[p] = high
        consumer.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in ends])
        out: list[Record] = []
        done = {p: False for p in ends}

        def everything_read() -> bool:
            for msg in consumer.consume(1000, 0.5):
                if msg.error() is None:
                    out.append(Record(topic, msg.partition(), msg.offset(), msg.key(), msg.value(), msg.timestamp()[1]))
                    done[msg.partition()] = msg.offset() + 1 >= ends[msg.partition()]
                elif msg.error().code() == KafkaError._PARTITION_EOF:
                    done[msg.partition()] = True
            return all(done.values())

        wait_for(everything_read, f"the end of {topic}", timeout_s=timeout_s, every_s=0)
        return out
    finally:
        consumer.close()
