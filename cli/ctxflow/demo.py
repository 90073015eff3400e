"""`make demo`, first cut: proves the stack end to end with one small streaming job.

The full demo (dbt seed, history, dbt run, the four scenarios under `ctxflow watch`) replaces this
once the models and the simulator exist (issues 4 and 5). The stack is left running afterwards.
"""

from __future__ import annotations

import json
import random
import time
import uuid

import click
import httpx
from confluent_kafka import Consumer, Producer

from .gateway import Gateway
from .stack.settings import Settings
from .waiting import wait_for

AUDIENCES = ["adult", "general", "family", "kids"]


def run(settings: Settings, events: int = 500, seed: int = 7) -> dict[str, int]:
    """Counts plays per audience with a continuous Flink SQL job; returns the counts read back."""
    run_id = uuid.uuid4().hex[:6]
    src, dst = f"demo.plays.{run_id}", f"demo.plays_per_audience.{run_id}"
    kafka = f"'properties.bootstrap.servers' = '{settings.kafka_bootstrap}'"
    rng = random.Random(seed)
    plays = [rng.choice(AUDIENCES) for _ in range(events)]
    expected = {a: plays.count(a) for a in AUDIENCES if plays.count(a)}

    with Gateway(settings.gateway_url) as gw:
        gw.rows(
            f"CREATE TABLE plays (user_id STRING, audience STRING) WITH ('connector' = 'kafka', {kafka}, "
            f"'topic' = '{src}', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset')"
        )
        gw.rows(
            "CREATE TABLE plays_per_audience (audience STRING, plays BIGINT, PRIMARY KEY (audience) NOT ENFORCED) "
            f"WITH ('connector' = 'upsert-kafka', {kafka}, 'topic' = '{dst}', 'key.format' = 'json', "
            "'value.format' = 'json')"
        )
        gw.rows("SET 'pipeline.name' = 'ctxflow-demo-plays-per-audience'")
        job_id = gw.rows("INSERT INTO plays_per_audience SELECT audience, COUNT(*) FROM plays GROUP BY audience")[0][0]
    click.echo(f"job {job_id} submitted: see it at {settings.flink_rest_url}/#/job/running")
    try:
        producer = Producer({"bootstrap.servers": settings.kafka_bootstrap})
        for i, audience in enumerate(plays):
            producer.produce(src, key=f"u{i % 50}", value=json.dumps({"user_id": f"u{i % 50}", "audience": audience}))
        producer.flush(30)
        click.echo(f"produced {events} plays to {src}; reading the per-audience counts from {dst} ...")
        counts = _read_latest(settings, dst, expected)
    finally:
        httpx.patch(f"{settings.flink_rest_url}/jobs/{job_id}?mode=cancel", timeout=10)
    for audience, n in sorted(counts.items()):
        click.echo(f"  {audience:8} {n:5}")
    return counts


def _read_latest(settings: Settings, topic: str, expected: dict[str, int]) -> dict[str, int]:
    consumer = Consumer(
        {"bootstrap.servers": settings.kafka_bootstrap, "group.id": f"demo-{topic}", "auto.offset.reset": "earliest"}
    )
    consumer.subscribe([topic])
    latest: dict[str, int] = {}

    def caught_up() -> bool:
        msg = consumer.poll(0.5)
        if msg is not None and msg.error() is None and msg.value() is not None:
            row = json.loads(msg.value())
            latest[row["audience"]] = row["plays"]
        return latest == expected

    try:
        wait_for(caught_up, "the demo job's counts", timeout_s=90, every_s=0)
    finally:
        consumer.close()
    return latest


def main() -> None:
    started = time.monotonic()
    run(Settings.from_env())
    click.echo(
        f"demo finished in {time.monotonic() - started:.0f}s. The stack is still running: explore the Flink UI, "
        "then `make down` to stop it."
    )


if __name__ == "__main__":
    main()
