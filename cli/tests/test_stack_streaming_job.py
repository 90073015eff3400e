"""The stack end to end: a Kafka-to-Kafka streaming job submitted through the SQL Gateway REST API.

1,000 JSON events in, exactly 1,000 transformed events out, the job RUNNING in Flink's /jobs,
then stopped with a savepoint that exists on disk.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from confluent_kafka import Consumer, Producer
from flinkclient.gateway import GatewayClient, Session

from ctxflow.waiting import wait_for

EVENTS = 1000


def test_kafka_to_kafka_job_transforms_every_event_and_stops_with_a_savepoint(main_stack, topic_pair):
    s = main_stack
    src, dst = topic_pair

    client = GatewayClient(s.gateway_url, hint="Is the stack up?")
    gw = Session(client)
    job_id = None
    try:
        kafka = f"'connector' = 'kafka', 'properties.bootstrap.servers' = '{s.kafka_bootstrap}', 'format' = 'json'"
        gw.rows(
            f"CREATE TABLE clicks (user_id STRING, amount_cents BIGINT) WITH ({kafka}, 'topic' = '{src}', "
            f"'scan.startup.mode' = 'earliest-offset', 'properties.group.id' = 'group-{src}')"
        )
        gw.rows(
            f"CREATE TABLE clicks_eur (user_id STRING, amount_eur DECIMAL(10, 2)) WITH ({kafka}, 'topic' = '{dst}')"
        )
        inserted = gw.rows(
            "INSERT INTO clicks_eur SELECT UPPER(user_id), CAST(amount_cents AS DECIMAL(10, 2)) / 100 FROM clicks"
        )
        job_id = inserted[0][0]

        flink = httpx.Client(base_url=s.flink_rest_url, timeout=10)
        wait_for(
            lambda: any(j["id"] == job_id and j["status"] == "RUNNING" for j in flink.get("/jobs").json()["jobs"]),
            f"job {job_id} RUNNING in /jobs",
        )

        producer = Producer({"bootstrap.servers": s.kafka_bootstrap})
        for i in range(EVENTS):
            producer.produce(src, key=f"u{i % 10}", value=json.dumps({"user_id": f"u{i % 10}", "amount_cents": i}))
        assert producer.flush(30) == 0

        consumer = Consumer(
            {"bootstrap.servers": s.kafka_bootstrap, "group.id": f"check-{dst}", "auto.offset.reset": "earliest"}
        )
        consumer.subscribe([dst])
        received = []
        deadline = time.monotonic() + 90
        while len(received) < EVENTS and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(json.loads(msg.value()))
        # Exactly: nothing beyond the 1,000 in the topic either.
        low, high = consumer.get_watermark_offsets(consumer.assignment()[0], timeout=10)
        consumer.close()
        assert len(received) == EVENTS and high - low == EVENTS
        assert sorted(float(r["amount_eur"]) for r in received) == [i / 100 for i in range(EVENTS)]
        assert {r["user_id"] for r in received} == {f"U{i}" for i in range(10)}

        savepoint = gw.rows(f"STOP JOB '{job_id}' WITH SAVEPOINT", timeout_s=120)[0][0]
        job_id = None
        path = Path(savepoint.removeprefix("file:"))
        assert path.is_relative_to(s.savepoints_dir), f"{path} is not under {s.savepoints_dir}"
        assert (path / "_metadata").is_file()
        status = wait_for(
            lambda: next(
                (
                    j["status"]
                    for j in flink.get("/jobs").json()["jobs"]
                    if j["id"] == inserted[0][0] and j["status"] != "RUNNING"
                ),
                None,
            ),
            "the job to leave RUNNING",
        )
        assert status == "FINISHED"
    finally:
        if job_id:  # the test failed before the savepoint: do not leave the job running
            httpx.patch(f"{s.flink_rest_url}/jobs/{job_id}?mode=cancel")
        gw.close()
        client.close()
