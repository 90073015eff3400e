"""Batch tables over Kafka, contracts, docs catalog, dbt unit tests."""

import json

from tests.functional.harness import (
    create_topic,
    kafka_options,
    produce,
    project_jobs,
    source_yaml,
    topic_end,
    upsert_options,
)

COLUMNS = [{"name": "id", "data_type": "INT"}, {"name": "amount", "data_type": "DOUBLE"}]


def _orders(flink_project, n=4):
    topic = flink_project.topic("orders")
    create_topic(topic)
    produce(topic, [{"id": i, "amount": float(i)} for i in range(1, n + 1)])
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [{"name": "orders", "config": {"connector_properties": kafka_options(topic)}, "columns": COLUMNS}]
        ),
    )


def test_table_snapshot_contract_catalog_and_unit_test(flink_project):
    _orders(flink_project)
    sink = upsert_options(flink_project.topic("totals"))
    flink_project.write(
        "models/totals.sql",
        f"""
        {{{{ config(materialized='table', connector_properties={sink!r}) }}}}
        select id, amount * 10 as amount10 from {{{{ source('raw', 'orders') }}}}
        """,
    )
    flink_project.write_yaml(
        "models/totals.yml",
        {
            "version": 2,
            "models": [
                {
                    "name": "totals",
                    "config": {"contract": {"enforced": True}},
                    "columns": [
                        {"name": "id", "data_type": "INT", "constraints": [{"type": "primary_key"}]},
                        {"name": "amount10", "data_type": "DOUBLE"},
                    ],
                }
            ],
            "unit_tests": [
                {
                    "name": "multiplies_by_ten",
                    "model": "totals",
                    "given": [{"input": "source('raw', 'orders')", "rows": [{"id": 7, "amount": 1.5}]}],
                    "expect": {"rows": [{"id": 7, "amount10": 15.0}]},
                }
            ],
        },
    )
    flink_project.write(
        "tests/totals_content.sql",
        "select * from (select count(*) as n, sum(amount10) as s from {{ ref('totals') }}) t"
        " where not (n = 4 and s = 100)",
    )
    run = flink_project.dbt("run")
    assert run.ok, run.out
    # Batch table: the INSERT finished, nothing keeps running.
    tested = flink_project.dbt("test")
    assert tested.ok, tested.out
    assert "PASS=2" in tested.out  # singular content test + unit test

    # A failing test really fails, with the failure count from the bounded read.
    flink_project.write("tests/must_fail.sql", "select * from {{ ref('totals') }} where id <= 2")
    failing = flink_project.dbt("test", "--select", "must_fail")
    assert not failing.ok and "Got 2 results" in failing.out, failing.out

    docs = flink_project.dbt("docs", "generate")
    assert docs.ok, docs.out
    catalog = json.loads((flink_project.root / "target" / "catalog.json").read_text())
    model = catalog["nodes"][f"model.{flink_project.name}.totals"]
    assert list(model["columns"]) == ["id", "amount10"]
    assert model["columns"]["id"]["type"].startswith("INT")
    source = catalog["sources"][f"source.{flink_project.name}.raw.orders"]
    assert list(source["columns"]) == ["id", "amount"]


def test_contract_mismatch_is_reported(flink_project):
    _orders(flink_project, n=1)
    flink_project.write(
        "models/wrong.sql",
        "{{ config(materialized='table', connector_properties={'connector': 'blackhole'}) }}"
        " select id from {{ source('raw', 'orders') }}",
    )
    flink_project.write_yaml(
        "models/wrong.yml",
        {
            "version": 2,
            "models": [
                {
                    "name": "wrong",
                    "config": {"contract": {"enforced": True}},
                    "columns": [{"name": "id", "data_type": "INT"}, {"name": "missing", "data_type": "INT"}],
                }
            ],
        },
    )
    result = flink_project.dbt("run")
    assert not result.ok
    assert "does not match its query" in result.out and "missing" in result.out


def test_time_boxed_streaming_test_hint_still_works(flink_project):
    _orders(flink_project, n=3)
    # Old-style test: watch the unbounded stream for 4 s instead of reading a bounded snapshot.
    flink_project.write(
        "tests/three_orders_streaming.sql",
        "/** mode('streaming') fetch_timeout_ms(4000) */\n"
        "select * from (select count(*) as c from {{ source('raw', 'orders') }}) t where c <> 3",
    )
    result = flink_project.dbt("test")
    assert result.ok, result.out
    assert "PASS=1" in result.out


def test_bounded_reads_in_streaming_mode(make_flink_project):
    flink_project = make_flink_project(bounded_read_mode="streaming")
    _orders(flink_project, n=3)
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {
                    "name": "orders",
                    "config": {"connector_properties": kafka_options(flink_project.topic("orders"))},
                    "columns": [{**COLUMNS[0], "data_tests": ["unique", "not_null"]}, COLUMNS[1]],
                }
            ]
        ),
    )
    flink_project.write(
        "tests/three.sql",
        "select * from (select count(*) as c from {{ source('raw', 'orders') }}) t where c <> 3",
    )
    result = flink_project.dbt("test")
    assert result.ok, result.out
    assert "PASS=3" in result.out


def test_bounded_reads_of_tables_without_startup_mode(flink_project):
    """A Kafka table with no scan.* option (Kafka's default start is group-offsets, which needs a
    group.id) and one that starts at latest-offset: tests, dbt show and a batch model still read each
    topic from its earliest offset to its current end."""
    topic = flink_project.topic("plain")
    late = flink_project.topic("late")
    for name in (topic, late):
        create_topic(name)
        produce(name, [{"id": i, "amount": float(i)} for i in range(1, 4)])
    plain = {k: v for k, v in kafka_options(topic).items() if not k.startswith("scan.")}
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {"name": "plain", "config": {"connector_properties": plain}, "columns": COLUMNS},
                {
                    "name": "late",
                    "config": {
                        "connector_properties": kafka_options(late, **{"scan.startup.mode": "latest-offset"})
                    },
                    "columns": COLUMNS,
                },
            ]
        ),
    )
    sink = {k: v for k, v in kafka_options(flink_project.topic("copy")).items() if not k.startswith("scan.")}
    flink_project.write(
        "models/copied.sql",
        f"""
        {{{{ config(materialized='table', connector_properties={sink!r}) }}}}
        select id, amount from {{{{ source('raw', 'plain') }}}}
        union all
        select id, amount from {{{{ source('raw', 'late') }}}}
        """,
    )
    flink_project.write_yaml(
        "models/copied.yml",
        {
            "version": 2,
            "models": [{"name": "copied", "columns": [{"name": "id", "data_tests": ["not_null"]}]}],
        },
    )
    flink_project.write(
        "tests/six_copied.sql", "select * from (select count(*) as c from {{ ref('copied') }}) t where c <> 6"
    )
    result = flink_project.dbt("run")
    assert result.ok, result.out
    result = flink_project.dbt("test")
    assert result.ok, result.out
    assert "PASS=2" in result.out
    shown = flink_project.dbt("show", "--select", "copied", "--limit", "10", "--output", "json")
    assert shown.ok, shown.out
    text = shown.out[shown.out.index("{\n") :]
    rows = json.loads(text[: text.rindex("}") + 1])["show"]
    assert sorted(r["id"] for r in rows) == [1, 1, 2, 2, 3, 3]


def test_a_table_built_within_its_build_after_is_left_as_is_until_its_sql_changes_or_a_full_refresh(
    flink_project,
):
    _orders(flink_project)
    sink_topic = flink_project.topic("daily_totals")
    model = """
        {{{{ config(materialized='table', connector_properties={sink!r}, primary_key='id',
                    freshness={{'build_after': {{'count': 1, 'period': 'hour'}}}}) }}}}
        select id, amount * {factor} as amount_x from {{{{ source('raw', 'orders') }}}}
        """
    flink_project.write("models/daily_totals.sql", model.format(sink=upsert_options(sink_topic), factor=10))

    def builds() -> list[dict]:
        return [j for j in project_jobs(flink_project, {"FINISHED"}) if "daily_totals" in j["name"]]

    first = flink_project.dbt("run")
    assert first.ok and "table loaded" in first.out, first.out
    assert len(builds()) == 1
    assert topic_end(sink_topic) == 4

    # new data, same SQL, an hour not passed: the table is not built again (dbt waits for the batch job)
    produce(flink_project.topic("orders"), [{"id": 5, "amount": 5.0}, {"id": 6, "amount": 6.0}])
    again = flink_project.dbt("run")
    assert again.ok and "fresh, left as is" in again.out and "freshness.build_after" in again.out, again.out
    assert len(builds()) == 1
    assert topic_end(sink_topic) == 4  # nothing written

    # --full-refresh builds it now, over all six orders
    refreshed = flink_project.dbt("run", "--full-refresh")
    assert refreshed.ok and "table loaded" in refreshed.out, refreshed.out
    assert len(builds()) == 2
    assert topic_end(sink_topic) == 4 + 6

    # a changed query is another table: built at once
    flink_project.write("models/daily_totals.sql", model.format(sink=upsert_options(sink_topic), factor=100))
    changed = flink_project.dbt("run")
    assert changed.ok and "table loaded" in changed.out, changed.out
    assert len(builds()) == 3
