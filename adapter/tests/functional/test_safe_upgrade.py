"""A changed model whose new job fails: `dbt run` fails with the root cause and the previous version is
running again, resumed from its state (lifecycle.rollback). With the default upgrade_mode (stateless)
the previous job was cancelled, so its state is its newest retained checkpoint."""

import json
import time

import httpx

from tests.functional.harness import (
    ACTIVE,
    REST,
    create_topic,
    kafka_options,
    produce,
    project_jobs,
    source_yaml,
    topic_records,
    upsert_options,
)

COLUMNS = [{"name": "id", "data_type": "INT"}, {"name": "amount", "data_type": "DOUBLE"}]


def _project(flink_project, query: str) -> None:
    tables = [
        {"name": "orders", "config": {"connector_properties": kafka_options(flink_project.topic("orders"))}},
        # never created: a job reading it fails after submission (UnknownTopicOrPartition), not at planning
        {
            "name": "ghost",
            "config": {"connector_properties": kafka_options(flink_project.topic("never_created"))},
        },
    ]
    flink_project.write_yaml(
        "models/sources.yml", source_yaml([{**t, "columns": COLUMNS} for t in tables], {"type": "streaming"})
    )
    sink = upsert_options(flink_project.topic("big"))
    flink_project.write(
        "models/big_orders.sql",
        f"""
        {{{{ config(materialized='streaming_table', connector_properties={sink!r}, primary_key='id') }}}}
        {query}
    """,
    )


def _checkpoints(job_id: str) -> dict:
    return httpx.get(f"{REST}/jobs/{job_id}/checkpoints", timeout=10).json()


def test_failed_upgrade_brings_the_previous_version_back_from_its_checkpoint(flink_project):
    create_topic(flink_project.topic("orders"))
    _project(flink_project, "select id, amount from {{ source('raw', 'orders') }} where amount > 10")
    assert flink_project.dbt("run").ok
    (old,) = project_jobs(flink_project, {"RUNNING"})
    produce(flink_project.topic("orders"), [{"id": 1, "amount": 50.0}])
    assert topic_records(flink_project.topic("big"), at_least=1), "the first version wrote nothing"
    deadline = time.monotonic() + 120  # checkpoints every 10 s (the stack's config)
    while _checkpoints(old["jid"])["counts"]["completed"] == 0:
        assert time.monotonic() < deadline, "the first version completed no checkpoint in 120 s"
        time.sleep(1)

    broken = (
        "select id, amount from {{ source('raw', 'orders') }} where amount > 10 "
        "union all select id, amount from {{ source('raw', 'ghost') }}"
    )
    _project(flink_project, broken)
    upgrade = flink_project.dbt("run")
    assert not upgrade.ok, upgrade.out
    assert "after submission" in upgrade.out and "UnknownTopicOrPartition" in upgrade.out, upgrade.out
    assert "The previous version is running again" in upgrade.out, upgrade.out

    (back,) = project_jobs(flink_project, ACTIVE)
    assert back["name"] == old["name"] and back["jid"] != old["jid"]
    restored = _checkpoints(back["jid"])["latest"]["restored"]
    # restored from the previous program's own retained checkpoint, the one the error names
    path = (
        restored["external_path"].removeprefix("file:").lstrip("/")
    )  # Flink writes file:/..., we file:///...
    assert "/chk-" in path and path in upgrade.out, restored

    # and it works: a new order goes through the previous version's filter. The sink is upsert by id: the
    # restored job may write order 1 again (read after the checkpoint it restored), the same value
    produce(flink_project.topic("orders"), [{"id": 2, "amount": 70.0}])
    latest: dict = {}
    deadline, wanted = time.monotonic() + 60, 2
    while 2 not in latest:
        assert time.monotonic() < deadline, f"order 2 did not come through the restored job in 60 s: {latest}"
        left_s = deadline - time.monotonic()
        records = topic_records(flink_project.topic("big"), deadline_s=left_s, at_least=wanted)
        latest = {v["id"]: v for v in (json.loads(m.value()) for m in records)}  # the latest value per key
        wanted = len(records) + 1
    assert latest == {1: {"id": 1, "amount": 50.0}, 2: {"id": 2, "amount": 70.0}}
