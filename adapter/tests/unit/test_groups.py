"""Job groups and adapter configs: pure logic, no network."""

import threading

import pytest
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.flink import config as cfg
from dbt.adapters.flink.ddl import ColumnSpec
from dbt.adapters.flink.groups import (
    GroupTracker,
    Member,
    agreed,
    explain_statement_set,
    group_fingerprint,
    group_id,
    merged_execution_config,
    statement_set,
)
from dbt.adapters.flink.lifecycle import is_restore_failure, job_name


def member(name, where="x > 1", config=None, **kw):
    return Member(
        unique_id=f"model.pkg.{name}",
        insert=f"INSERT INTO `{name}`\nSELECT a FROM (\nselect a from src where {where}\n) AS `dbt_src`",
        ddl=(f"CREATE TABLE `{name}` (a INT)", "CREATE TABLE `src` (a INT)"),
        execution_config=config or {},
        upgrade_mode=kw.get("upgrade_mode", "stateless"),
        job_state=kw.get("job_state", "running"),
    )


def test_statement_set_is_one_statement_ordered_by_unique_id():
    sql = statement_set([member("b"), member("a")])
    assert sql.startswith("EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO `a`")
    assert sql.index("INSERT INTO `a`") < sql.index("INSERT INTO `b`")
    assert sql.endswith("AS `dbt_src`;\nEND")
    assert sql.count(";") == 2
    assert explain_statement_set([member("a")]).startswith("EXPLAIN STATEMENT SET\nBEGIN\nINSERT INTO `a`")


def test_group_job_name_keeps_the_dbt_prefix():
    assert (
        job_name(group_id("ctxflow", "contract"), "ab12cd34ef56") == "dbt:group.ctxflow.contract#ab12cd34ef56"
    )


def test_fingerprint_covers_every_member_but_not_their_order():
    a, b = member("a"), member("b")
    base = group_fingerprint([a, b], {})
    assert group_fingerprint([b, a], {}) == base
    assert group_fingerprint([a, member("b", where="x > 2")], {}) != base  # a member changed
    assert group_fingerprint([a], {}) != base  # a member left
    assert group_fingerprint([a, b, member("c")], {}) != base  # a member joined
    assert group_fingerprint([a, b], {"parallelism.default": "2"}) != base
    changed_ddl = Member(**{**b.__dict__, "ddl": ("CREATE TABLE `b` (a BIGINT)",)})
    assert group_fingerprint([a, changed_ddl], {}) != base


def test_execution_config_merges_and_names_both_members_on_conflict():
    a = member("a", config={"parallelism.default": "2", "table.exec.state.ttl": "1 h"})
    b = member("b", config={"parallelism.default": "2", "pipeline.object-reuse": "true"})
    assert merged_execution_config("g", [a, b]) == {
        "parallelism.default": "2",
        "table.exec.state.ttl": "1 h",
        "pipeline.object-reuse": "true",
    }
    c = member("c", config={"table.exec.state.ttl": "2 h"})
    with pytest.raises(DbtRuntimeError) as err:
        merged_execution_config("g", [a, c])
    assert "model.pkg.a" in str(err.value) and "model.pkg.c" in str(err.value)
    assert "'table.exec.state.ttl'" in str(err.value)


def test_members_must_agree_on_lifecycle_settings():
    assert agreed("g", [member("a"), member("b")], "upgrade_mode") == "stateless"
    with pytest.raises(DbtRuntimeError, match=r"model\.pkg\.a .*model\.pkg\.b .*upgrade_mode"):
        agreed("g", [member("a"), member("b", upgrade_mode="savepoint")], "upgrade_mode")


def test_config_values_are_validated_with_the_valid_ones_listed():
    assert cfg.upgrade_mode({}, "m") == "stateless"
    assert cfg.upgrade_mode({"upgrade_mode": "SavePoint"}, "m") == "savepoint"
    assert cfg.job_state({}, "m") == "running"
    with pytest.raises(
        DbtRuntimeError, match="upgrade_mode 'snapshot' is not valid; use one of: stateless, savepoint"
    ):
        cfg.upgrade_mode({"upgrade_mode": "snapshot"}, "model.pkg.a")
    with pytest.raises(
        DbtRuntimeError, match="job_state 'paused' is not valid; use one of: running, suspended"
    ):
        cfg.job_state({"job_state": "paused"}, "model.pkg.a")
    assert cfg.job_group({}, "m") is None
    assert cfg.job_group({"job_group": "contract"}, "m") == "contract"
    with pytest.raises(DbtRuntimeError, match="job_group"):
        cfg.job_group({"job_group": "a#b"}, "m")


def test_adapter_config_declares_what_the_adapter_reads():
    fields = set(cfg.FlinkConfig.__dataclass_fields__)
    assert {"job_group", "upgrade_mode", "job_state", "connector_properties", "execution_config"} <= fields


def test_tracker_completes_a_group_exactly_once_at_the_last_selected_member():
    tracker = GroupTracker()
    selected = {f"model.pkg.m{i}" for i in range(8)}
    completed = []

    def arrive(uid):
        run = tracker.arrive("g", selected, uid, member(uid.rsplit(".", 1)[1]))
        if run is not None:
            completed.append(run)

    threads = [threading.Thread(target=arrive, args=(uid,)) for uid in sorted(selected)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(completed) == 1 and set(completed[0].arrived) == selected
    assert tracker.incomplete() == {}


def test_tracker_reports_a_failed_or_missing_member():
    tracker = GroupTracker()
    sel = {"model.pkg.a", "model.pkg.b", "model.pkg.c"}
    assert tracker.arrive("g", sel, "model.pkg.a", member("a")) is None
    assert tracker.waiting_on("g") == ["model.pkg.b", "model.pkg.c"]
    assert tracker.arrive("g", sel, "model.pkg.b", None, "boom") is None
    assert tracker.incomplete() == {"g": ["model.pkg.c"]}  # c never ran (skipped)
    run = tracker.arrive("g", sel, "model.pkg.c", member("c"))
    assert run is not None and run.failed == {"model.pkg.b": "boom"}


def test_restore_failures_are_recognised():
    assert is_restore_failure(
        "IllegalStateException: Failed to rollback to checkpoint/savepoint file:/x. Cannot map "
        "checkpoint/savepoint state for operator 93 to the new program"
    )
    assert is_restore_failure("StateMigrationException: The new state serializer must not be incompatible")
    assert not is_restore_failure("UnknownTopicOrPartitionException: This server does not host this topic")


def test_contract_metadata_column_renders_kafka_timestamp():
    col = {
        "name": "event_time",
        "data_type": "TIMESTAMP_LTZ(3)",
        "column_type": "metadata",
        "expression": "timestamp",
    }
    assert ColumnSpec.from_yaml(col).render() == "`event_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'"
    # dbt keeps unknown column keys in _extra (model YAML) or meta: both are read.
    extra = {"name": "event_time", "data_type": "TIMESTAMP_LTZ(3)", "_extra": {"column_type": "metadata"}}
    assert ColumnSpec.from_yaml(extra).render() == "`event_time` TIMESTAMP_LTZ(3) METADATA"
