"""The drain's notion of a partition's end, against the real broker: in a topic written exactly-once
(Kafka transactions, as Flink's exactly-once sinks write), commit markers take offsets no reader is
given, so the end the drain waits for is the offset after the last record, not the high watermark. A partition
still growing is not at its end whatever its markers, so its tail is read only once it is quiet."""

from __future__ import annotations

from confluent_kafka import Consumer, Producer, TopicPartition

from ctxflow.bench.drain import EndOffsets
from ctxflow.bench.jobmetrics import metric_topic
from ctxflow.core.kafka_io import reader_config
from ctxflow.waiting import wait_for


def _write_in_transactions(bootstrap: str, topic: str, batches: int, per_batch: int) -> None:
    producer = Producer({"bootstrap.servers": bootstrap, "transactional.id": f"bench-end-{topic}"})
    producer.init_transactions(30)
    for b in range(batches):
        producer.begin_transaction()
        for i in range(per_batch):
            producer.produce(topic, value=f"{b}-{i}".encode())
        producer.commit_transaction(30)


def _stable_end(probe: Consumer, topic: str, expected: int) -> int:
    """The partition's end as a read_committed reader sees it, once it reaches `expected`:
    commit_transaction returns once the coordinator has logged the commit, and the markers reach the
    partition a moment later (until then the end stays at the last stable offset before them)."""

    def end() -> int:
        return probe.get_watermark_offsets(TopicPartition(topic, 0), timeout=10)[1]

    return wait_for(lambda: (high := end()) >= expected and high, f"the end of {topic} at {expected}", 30, 0.1)


def test_the_end_of_a_transactional_topic_is_after_its_last_record_not_its_markers(main_stack, topic_pair):
    topic, empty = topic_pair
    _write_in_transactions(main_stack.kafka_bootstrap, topic, batches=3, per_batch=4)
    offsets = EndOffsets(main_stack.kafka_bootstrap, prefix="test-")
    probe = Consumer(reader_config(main_stack.kafka_bootstrap, "bench-end-probe"))
    try:
        high = _stable_end(probe, topic, 15)
        # first seen (as if still growing): its high watermark, for now
        assert offsets.last_record_end(topic, 0) == high == 15
        # the same at the next look: 12 records and 3 commit markers, the last record sits before the
        # last marker
        assert offsets.last_record_end(topic, 0) == 14
        assert offsets.last_record_end(empty, 0) == offsets.last_record_end(empty, 0) == 0
        # nothing written since: the same end; more written: its high watermark again until it is quiet
        assert offsets.last_record_end(topic, 0) == 14
        _write_in_transactions(main_stack.kafka_bootstrap, topic, batches=1, per_batch=4)
        assert _stable_end(probe, topic, 20) == 20
        assert offsets.last_record_end(topic, 0) == 20
        assert offsets.last_record_end(topic, 0) == 19
        # the drain's settling watches every topic of the run by its high watermark (markers included)
        every = offsets.every_topic()
        assert every[topic] == 20 and every[empty] == 0
        # the soak's lag is read against the high watermark, markers included (a live stream's tail
        # never settles), by the topic's name as it appears in Flink's metrics
        named = (metric_topic(topic), 0)
        assert offsets.high_watermarks({named, ("no-such-topic", 0)}) == {named: 20}
    finally:
        probe.close()
        offsets.close()
