"""ctx_parse_event (stack/udf) on the running stack: raw events, malformed ones among them, go through a
streaming Kafka-to-Kafka job that calls the function with LATERAL TABLE, registered in the session as
the dbt profile does. Exactly one output row per input, with the expected contract error and fields,
each in a column of its contract type (the planner infers the columns from the spec).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import httpx
from confluent_kafka import Consumer, Producer
from flinkclient.gateway import GatewayClient, Session

from ctxflow.waiting import wait_for

REGISTER = "CREATE TEMPORARY SYSTEM FUNCTION IF NOT EXISTS ctx_parse_event AS 'io.ctxflow.udf.ParseEvent' LANGUAGE JAVA"
SPEC = json.dumps(
    {
        "fields": [
            {"name": "event_id", "type": "STRING", "required": True},
            {"name": "ts", "type": "BIGINT", "required": True},
            {"name": "audience", "type": "STRING", "required": True, "allowed": ["adult", "general", "family", "kids"]},
            {"name": "price", "type": "DECIMAL(12, 2)", "required": True},
            {"name": "body_type", "type": "STRING", "required": False, "allowed": ["small", "compact"]},
        ]
    }
)
VALID = {"event_id": "e", "ts": 1700000000000, "audience": "kids", "price": 9.99}
VALID_FIELDS = {"event_id": "e", "ts": 1700000000000, "audience": "kids", "price": Decimal("9.99")}
COLUMNS = [f["name"] for f in json.loads(SPEC)["fields"]]  # the parser's field columns, in spec order


def _with(**changes) -> bytes:
    return json.dumps({**VALID, **changes}).encode()


def _without(name: str) -> dict:
    """VALID_FIELDS less one: an absent or wrong-typed field's column is NULL."""
    return {k: v for k, v in VALID_FIELDS.items() if k != name}


# (raw value, expected contract_error, expected fields)
CASES: list[tuple[bytes | None, str | None, dict]] = [
    (None, "empty message value", {}),  # a tombstone
    (b"   ", "empty message value", {}),
    (b"{not json", "invalid JSON", {}),
    (b'{"ts": NaN}', "invalid JSON", {}),
    (b"[" * 5000 + b"]" * 5000, "invalid JSON", {}),
    (bytes(range(1, 256)), "invalid JSON", {}),
    (json.dumps({"ts": 1}).encode(), "missing field: event_id", {"ts": 1}),
    (_with(audience=None), "missing field: audience", _without("audience")),
    (_with(ts=1.5), "wrong type: ts is not BIGINT", _without("ts")),
    (_with(price="cheap"), "wrong type: price is not DECIMAL(12, 2)", _without("price")),
    (_with(audience="teens"), "invalid value: audience = teens", {**VALID_FIELDS, "audience": "teens"}),
    (_with(body_type="truck"), "invalid value: body_type = truck", {**VALID_FIELDS, "body_type": "truck"}),
    (
        _with(ts="123", price="1.005", extra={"deep": [1, 2]}),
        None,
        {**VALID_FIELDS, "ts": 123, "price": Decimal("1.01")},
    ),
    (_with(event_id="événement 🎵"), None, {**VALID_FIELDS, "event_id": "événement 🎵"}),
] + [(_with(event_id=f"e{i}"), None, {**VALID_FIELDS, "event_id": f"e{i}"}) for i in range(200)]


def test_every_raw_event_gets_one_row_with_its_contract_error(main_stack, topic_pair):
    s = main_stack
    src, dst = topic_pair
    producer = Producer({"bootstrap.servers": s.kafka_bootstrap})
    for raw, _, _ in CASES:
        producer.produce(src, value=raw)
    assert producer.flush(30) == 0

    client = GatewayClient(s.gateway_url, hint="Is the stack up?")
    gw = Session(client)
    job_id = None
    try:
        kafka = f"'connector' = 'kafka', 'properties.bootstrap.servers' = '{s.kafka_bootstrap}'"
        gw.rows(REGISTER)
        gw.rows(
            f"CREATE TABLE raw_events (raw_value STRING, kafka_offset BIGINT METADATA FROM 'offset' VIRTUAL) "
            f"WITH ({kafka}, 'topic' = '{src}', 'format' = 'raw', 'scan.startup.mode' = 'earliest-offset')"
        )
        gw.rows(
            "CREATE TABLE parsed (source_offset BIGINT, parse_error STRING, event_id STRING, ts BIGINT, "
            "audience STRING, price DECIMAL(12, 2), body_type STRING) "
            f"WITH ({kafka}, 'topic' = '{dst}', 'format' = 'json')"
        )
        spec = SPEC.replace("'", "''")
        inserted = gw.rows(
            "INSERT INTO parsed SELECT kafka_offset, p.* FROM raw_events, "
            f"LATERAL TABLE(ctx_parse_event(raw_value, '{spec}')) AS p"
        )
        job_id = inserted[0][0]

        consumer = Consumer(
            {"bootstrap.servers": s.kafka_bootstrap, "group.id": f"check-{dst}", "auto.offset.reset": "earliest"}
        )
        consumer.subscribe([dst])
        received = []
        deadline = time.monotonic() + 120
        while len(received) < len(CASES) and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and msg.error() is None:
                received.append(json.loads(msg.value(), parse_float=Decimal))
        low, high = consumer.get_watermark_offsets(consumer.assignment()[0], timeout=10)
        consumer.close()

        assert len(received) == len(CASES) and high - low == len(CASES), (len(received), high - low)
        by_offset = {r["source_offset"]: r for r in received}
        for offset, (raw, error, fields) in enumerate(CASES):
            row = by_offset[offset]
            present = {c: row[c] for c in COLUMNS if row.get(c) is not None}
            assert (row["parse_error"], present) == (error, fields), (raw and raw[:80], row)
    finally:
        if job_id:
            httpx.patch(f"{s.flink_rest_url}/jobs/{job_id}?mode=cancel")
            wait_for(
                lambda: any(
                    j["id"] == job_id and j["status"] == "CANCELED"
                    for j in httpx.get(f"{s.flink_rest_url}/jobs").json()["jobs"]
                ),
                f"job {job_id} CANCELED",
            )
        gw.close()
        client.close()
