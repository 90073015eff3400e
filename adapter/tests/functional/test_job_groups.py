"""Job groups (one statement set per group) against the real Flink cluster."""

from tests.functional.harness import (
    ACTIVE,
    create_topic,
    job_sinks,
    job_sources,
    kafka_options,
    produce,
    project_jobs,
    source_yaml,
    topic_records,
    upsert_options,
)

ORDERS = [{"id": i, "amount": i * 5.0, "ts": f"2026-01-01 00:00:0{i}"} for i in range(1, 6)]

# name -> SELECT; every member reads the same source, so the group's job reads it once.
MEMBERS = {
    "big": "select id, amount from {{ source('raw', 'orders') }} where amount > 10",
    "doubled": "select id, amount * 2 as amount2 from {{ source('raw', 'orders') }}",
    "per_id": "select id, count(*) as n from {{ source('raw', 'orders') }} group by id",
}


def _source(project):
    if not (project.root / "models/sources.yml").exists():
        create_topic(project.topic("orders"))
        produce(project.topic("orders"), ORDERS)
    project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {
                    "name": "orders",
                    "columns": [
                        {"name": "id", "data_type": "INT"},
                        {"name": "amount", "data_type": "DOUBLE"},
                        {"name": "ts", "data_type": "TIMESTAMP(3)"},
                    ],
                }
            ],
            {"default_connector_properties": kafka_options(project.topic("orders"))},
        ),
    )


def _member(project, name, sql=None, group="contract", extra=""):
    sink = upsert_options(project.topic(name))
    grouped = f", job_group='{group}'" if group else ""
    project.write(
        f"models/{name}.sql",
        f"""
        {{{{ config(materialized='streaming_table', connector_properties={sink!r},
                    primary_key='id'{grouped}{extra}) }}}}
        {sql or MEMBERS[name]}
    """,
    )


def _setup(project, names=tuple(MEMBERS), **kwargs):
    _source(project)
    for name in names:
        _member(project, name, **kwargs)


def _group_jobs(project, states=frozenset({"RUNNING"})):
    return project_jobs(project, set(states), kind="group")


def test_group_is_one_job_whose_sinks_all_receive_data(flink_project):
    # Standalone first: joining the group must stop the models' own jobs.
    _setup(flink_project, group=None)
    assert flink_project.dbt("run").ok
    assert len(project_jobs(flink_project, {"RUNNING"})) == 3

    _setup(flink_project)
    first = flink_project.dbt("run")
    assert first.ok, first.out
    assert "joined the group" in first.out
    assert project_jobs(flink_project, ACTIVE) == []  # no standalone job left
    (job,) = _group_jobs(flink_project)
    assert job["name"].startswith(f"dbt:group.{flink_project.name}.contract#")
    assert job_sinks(job["jid"]) == sorted(MEMBERS)
    assert len(job_sources(job["jid"])) == 1  # source reuse: the shared topic is read once
    for name in MEMBERS:
        assert topic_records(flink_project.topic(name)), f"sink of {name} received nothing"

    again = flink_project.dbt("run")
    assert again.ok, again.out
    assert "unchanged" in again.out
    assert [j["jid"] for j in _group_jobs(flink_project)] == [job["jid"]]


def test_changed_member_redeploys_group_from_savepoint_then_removed_member(flink_project):
    _setup(flink_project, extra=", upgrade_mode='savepoint'")
    assert flink_project.dbt("run").ok
    (old,) = _group_jobs(flink_project)

    _member(flink_project, "big", MEMBERS["big"].replace("> 10", "> 12"), extra=", upgrade_mode='savepoint'")
    changed = flink_project.dbt("run")
    assert changed.ok, changed.out
    assert "with savepoint file:" in changed.out and "from savepoint file:" in changed.out
    (new,) = _group_jobs(flink_project)
    assert new["jid"] != old["jid"] and new["name"] != old["name"]
    assert old["jid"] not in {j["jid"] for j in _group_jobs(flink_project, ACTIVE)}

    # Leaving the group (config removed) and deletion both drop the member from the next job.
    _member(flink_project, "doubled", group=None)
    (flink_project.root / "models/per_id.sql").unlink()
    removed = flink_project.dbt("run")
    assert removed.ok, removed.out
    (last,) = _group_jobs(flink_project)
    assert last["jid"] != new["jid"]
    assert job_sinks(last["jid"]) == ["big"]
    assert len(project_jobs(flink_project, {"RUNNING"})) == 1  # 'doubled' runs on its own now


def test_unmappable_savepoint_falls_back_to_stateless(flink_project):
    strict = (
        ", upgrade_mode='savepoint', execution_config={'execution.savepoint.ignore-unclaimed-state': 'false'}"
    )
    _setup(flink_project, extra=strict)
    assert flink_project.dbt("run").ok
    # The aggregation's state has no operator to go to once per_id leaves the group.
    (flink_project.root / "models/per_id.sql").unlink()
    result = flink_project.dbt("run")
    assert result.ok, result.out
    assert "cannot be restored into the new job, starting stateless instead (Flink:" in result.out
    (job,) = _group_jobs(flink_project)
    assert job_sinks(job["jid"]) == ["big", "doubled"]


def test_select_one_member_deploys_whole_group_then_suspend(make_flink_project):
    flink_project = make_flink_project(threads=3)  # members materialize concurrently
    _setup(flink_project)
    # Reads another member's sink, and sorts before it: its sink must be prepared after big's.
    _member(flink_project, "a_after_big", "select id, amount from {{ ref('big') }}")
    create_topic(flink_project.topic("big"))  # read and written by one job: it must exist at start
    selected = flink_project.dbt("run", "--select", "doubled")
    assert selected.ok, selected.out
    assert "deploying all 4 member(s) as one job" in selected.out
    name = flink_project.name
    line = next(ln for ln in selected.out.splitlines() if "compiled from the project:" in ln)
    order = line.split("compiled from the project: ")[1].split(", ")
    assert sorted(order) == sorted(f"model.{name}.{m}" for m in ("big", "per_id", "a_after_big"))
    assert order.index(f"model.{name}.big") < order.index(f"model.{name}.a_after_big")
    (job,) = _group_jobs(flink_project)
    assert job_sinks(job["jid"]) == sorted([*MEMBERS, "a_after_big"])

    _setup(flink_project, extra=", job_state='suspended'")
    _member(
        flink_project,
        "a_after_big",
        "select id, amount from {{ ref('big') }}",
        extra=", job_state='suspended'",
    )
    suspended = flink_project.dbt("run")
    assert suspended.ok, suspended.out
    assert "suspended (1 job(s) stopped)" in suspended.out
    assert _group_jobs(flink_project, ACTIVE) == []


def test_bad_member_is_named_and_running_group_left_alone(flink_project):
    _setup(flink_project)
    assert flink_project.dbt("run").ok
    (running,) = _group_jobs(flink_project)
    # Valid as a query, rejected as an INSERT: the contract says INT, the query yields a DOUBLE.
    flink_project.write_yaml(
        "models/schema.yml",
        {
            "version": 2,
            "models": [
                {
                    "name": "doubled",
                    "config": {"contract": {"enforced": True}},
                    "columns": [
                        {"name": "id", "data_type": "INT", "constraints": [{"type": "not_null"}]},
                        {"name": "amount2", "data_type": "BOOLEAN"},
                    ],
                }
            ],
        },
    )
    bad = flink_project.dbt("run")
    assert not bad.ok
    assert f"member model.{flink_project.name}.doubled failed:" in bad.out
    assert "Column types of query result and sink" in bad.out  # Flink's root cause, one line
    # Planned before anything is stopped: the group's current job keeps running.
    assert [j["jid"] for j in _group_jobs(flink_project, ACTIVE)] == [running["jid"]]

    # A member failing before it materializes: the group is not submitted, and the log says so.
    (flink_project.root / "models/schema.yml").unlink()
    _member(flink_project, "per_id", "select id, no_such_column from {{ source('raw', 'orders') }}")
    failed = flink_project.dbt("run")
    assert not failed.ok
    assert "will not be deployed in this run" in failed.out or "was not deployed" in failed.out
    assert [j["jid"] for j in _group_jobs(flink_project, ACTIVE)] == [running["jid"]]


def test_contract_metadata_column_writes_kafka_timestamp(flink_project):
    _source(flink_project)
    _member(
        flink_project,
        "stamped",
        "select id, cast(ts as timestamp_ltz(3)) as event_time from {{ source('raw', 'orders') }}",
        group=None,
    )
    columns = [
        {"name": "id", "data_type": "INT", "constraints": [{"type": "not_null"}]},
        {
            "name": "event_time",
            "data_type": "TIMESTAMP_LTZ(3)",
            "column_type": "metadata",
            "expression": "timestamp",
        },
    ]
    schema = {"version": 2, "models": [{"name": "stamped", "config": {"contract": {"enforced": True}}}]}
    schema["models"][0]["columns"] = columns + [{"name": "missing", "data_type": "INT"}]
    flink_project.write_yaml("models/schema.yml", schema)
    mismatch = flink_project.dbt("run")
    assert not mismatch.ok and "does not match its query" in mismatch.out

    schema["models"][0]["columns"] = columns
    flink_project.write_yaml("models/schema.yml", schema)
    result = flink_project.dbt("run")
    assert result.ok, result.out
    records = topic_records(flink_project.topic("stamped"), at_least=len(ORDERS))
    assert len(records) == len(ORDERS)
    # The record timestamp is the order's ts (the stack runs in UTC), not the time of writing.
    stamps = sorted(r.timestamp()[1] for r in records)
    assert stamps == [1767225600000 + i * 1000 for i in range(1, 6)]


def test_job_group_shows_in_ls_and_docs(flink_project):
    import json

    _setup(flink_project)
    listed = flink_project.dbt(
        "ls", "--resource-type", "model", "--output", "json", "--output-keys", "name", "config"
    )
    assert listed.ok, listed.out
    rows = [json.loads(line[line.index("{") :]) for line in listed.out.splitlines() if '"config"' in line]
    assert {r["name"]: r["config"]["job_group"] for r in rows} == {name: "contract" for name in MEMBERS}

    docs = flink_project.dbt("docs", "generate")
    assert docs.ok, docs.out
    manifest = json.loads((flink_project.root / "target/manifest.json").read_text())
    node = manifest["nodes"][f"model.{flink_project.name}.big"]
    assert node["config"]["job_group"] == "contract"
