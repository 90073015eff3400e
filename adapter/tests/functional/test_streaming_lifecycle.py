"""Streaming-job lifecycle against the real Flink cluster."""

from tests.functional.harness import (
    ACTIVE,
    create_topic,
    kafka_options,
    produce,
    project_jobs,
    source_yaml,
    upsert_options,
)

ORDERS_COLUMNS = [
    {"name": "id", "data_type": "INT"},
    {"name": "amount", "data_type": "DOUBLE"},
    {"name": "ts", "data_type": "TIMESTAMP(3)"},
]


def _setup(flink_project, where="amount > 10", extra_config="", orders="orders"):
    if not (flink_project.root / "models/sources.yml").exists() or orders != "orders":
        create_topic(flink_project.topic(orders))
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {
                    "name": "orders",
                    "config": {
                        "type": "streaming",
                        "watermark": {"column": "ts", "strategy": "ts - INTERVAL '1' SECOND"},
                    },
                    "columns": ORDERS_COLUMNS,
                },
            ],
            {"default_connector_properties": kafka_options(flink_project.topic(orders))},
        ),
    )
    sink = upsert_options(flink_project.topic("big"))
    flink_project.write(
        "models/big_orders.sql",
        f"""
        {{{{ config(materialized='streaming_table', connector_properties={sink!r},
                    primary_key='id'{extra_config}) }}}}
        select id, amount from {{{{ source('raw', 'orders') }}}} where {where}
    """,
    )


def _running(flink_project):
    return project_jobs(flink_project, {"RUNNING"})


def test_two_runs_leave_one_job(flink_project):
    _setup(flink_project)
    first = flink_project.dbt("run")
    assert first.ok, first.out
    assert "started job" in first.out
    (job,) = _running(flink_project)

    second = flink_project.dbt("run")
    assert second.ok, second.out
    assert "unchanged" in second.out
    (again,) = _running(flink_project)
    assert again["jid"] == job["jid"]  # left alone: no duplicate, no restart


def test_changed_model_replaces_job_via_savepoint(flink_project):
    _setup(flink_project, extra_config=", upgrade_mode='savepoint'")
    assert flink_project.dbt("run").ok
    (old,) = _running(flink_project)

    _setup(flink_project, where="amount > 12", extra_config=", upgrade_mode='savepoint'")
    changed = flink_project.dbt("run")
    assert changed.ok, changed.out
    assert "with savepoint file:" in changed.out and "from savepoint" in changed.out
    (new,) = _running(flink_project)
    assert new["jid"] != old["jid"] and new["name"] != old["name"]
    assert old["jid"] not in {j["jid"] for j in project_jobs(flink_project, ACTIVE)}


def test_full_refresh_and_suspend(flink_project):
    _setup(flink_project, extra_config=", upgrade_mode='savepoint'")
    assert flink_project.dbt("run").ok
    (old,) = _running(flink_project)

    refreshed = flink_project.dbt("run", "--full-refresh")
    assert refreshed.ok, refreshed.out
    assert "(stateless)" in refreshed.out  # --full-refresh never resumes from a savepoint
    (new,) = _running(flink_project)
    assert new["jid"] != old["jid"]

    _setup(flink_project, extra_config=", upgrade_mode='stateless', job_state='suspended'")
    suspended = flink_project.dbt("run")
    assert suspended.ok, suspended.out
    assert "suspended" in suspended.out
    assert _running(flink_project) == []


def test_results_visible_to_tests_in_a_new_process(flink_project):
    _setup(flink_project)
    flink_project.write_yaml(
        "models/schema.yml",
        {
            "version": 2,
            "models": [
                {"name": "big_orders", "columns": [{"name": "id", "data_tests": ["unique", "not_null"]}]}
            ],
        },
    )
    # Singular test: exactly the 3 orders above the threshold must have arrived.
    flink_project.write(
        "tests/three_big_orders.sql",
        """
        select c from (select count(*) as c from {{ ref('big_orders') }}) t where c <> 3
    """,
    )
    produce(
        flink_project.topic("orders"),
        [{"id": i, "amount": i * 5.0, "ts": f"2026-01-01 00:00:0{i}"} for i in range(1, 6)],
    )
    assert flink_project.dbt("run").ok
    # dbt test runs in a brand-new process (new gateway session): relations are re-declared.
    tested = flink_project.dbt_until_ok("test", deadline_s=90)
    assert tested.ok, tested.out
    assert "PASS=3" in tested.out
    assert "not found" not in tested.out


def test_failing_job_is_reported(flink_project):
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {
                    "name": "ghost",
                    "config": {"connector_properties": kafka_options(flink_project.topic("never_created"))},
                    "columns": [{"name": "id", "data_type": "INT"}],
                }
            ]
        ),
    )
    flink_project.write(
        "models/ghost_copy.sql",
        """
        {{ config(materialized='streaming_table', connector_properties={'connector': 'blackhole'}) }}
        select id from {{ source('raw', 'ghost') }}
    """,
    )
    result = flink_project.dbt("run")
    assert not result.ok
    assert "after submission" in result.out and "UnknownTopicOrPartition" in result.out
    assert project_jobs(flink_project, ACTIVE) == []  # a restart-looping job is cancelled, not left behind


def test_parallel_threads_see_each_others_relations(make_flink_project):
    # threads > 1 means one gateway session per thread: a view built in one thread must be
    # visible to a model that another thread builds next.
    flink_project = make_flink_project(threads=4)
    _setup(flink_project)
    flink_project.write(
        "models/v1.sql", "{{ config(materialized='view') }} select id from {{ ref('big_orders') }}"
    )
    for i in range(2, 6):
        flink_project.write(
            f"models/v{i}.sql",
            f"{{{{ config(materialized='view') }}}} select id from {{{{ ref('v{i - 1}') }}}}",
        )
    flink_project.write("models/side.sql", "{{ config(materialized='view') }} select id from {{ ref('v1') }}")
    result = flink_project.dbt("run")
    assert result.ok, result.out
    assert "PASS=7" in result.out


def test_suspend_then_resume_from_savepoint(flink_project):
    _setup(flink_project, extra_config=", upgrade_mode='savepoint'")
    assert flink_project.dbt("run").ok
    _setup(flink_project, extra_config=", upgrade_mode='savepoint', job_state='suspended'")
    suspended = flink_project.dbt("run")
    assert suspended.ok, suspended.out
    assert "with savepoint file:" in suspended.out and _running(flink_project) == []

    _setup(flink_project, extra_config=", upgrade_mode='savepoint', job_state='running'")
    resumed = flink_project.dbt("run")
    assert resumed.ok, resumed.out
    assert "from savepoint file:" in resumed.out
    assert len(_running(flink_project)) == 1


def test_changed_source_replaces_job(flink_project):
    _setup(flink_project)
    assert flink_project.dbt("run").ok
    (old,) = _running(flink_project)
    _setup(flink_project, orders="orders_v2")  # same model SQL, the source now reads another topic
    changed = flink_project.dbt("run")
    assert changed.ok, changed.out
    (new,) = _running(flink_project)
    assert new["jid"] != old["jid"]
