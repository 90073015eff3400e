"""Pure unit tests: no network, no dbt project."""

from types import SimpleNamespace

from flinkclient.sqltext import strip_comments

from dbt.adapters.flink import ddl
from dbt.adapters.flink.column import FlinkColumn
from dbt.adapters.flink.declarations import Declaration, referenced
from dbt.adapters.flink.hints import parse_hints
from dbt.adapters.flink.lifecycle import fingerprint, job_name, job_prefix
from dbt.adapters.flink.registry import RelationRegistry


def test_hints():
    hints = parse_hints(
        "select /** mode('batch') fetch_timeout_ms(5000) fetch_max(3) "
        "execution_config('parallelism.default=2;a.b=c') */ 1"
    )
    assert hints.mode == "batch" and hints.fetch_timeout_ms == 5000 and hints.fetch_max == 3
    assert hints.statement_config() == {
        "parallelism.default": "2",
        "a.b": "c",
        "execution.runtime-mode": "batch",
    }
    assert parse_hints("/*+ OPTIONS('a'='b') */ select 1").statement_config() == {}


def test_source_ddl_with_watermark_computed_metadata_and_key():
    config = {
        "default_connector_properties": {"connector": "kafka", "format": "json"},
        "connector_properties": {"topic": "{schema}.{identifier}"},
        "watermark": {"column": "ts", "strategy": "ts - INTERVAL '5' SECOND"},
        "primary_key": "id",
    }
    columns = [
        {"name": "id", "data_type": "INT"},
        {"name": "ts", "data_type": "TIMESTAMP(3)"},
        {"name": "proc", "column_type": "computed", "expression": "PROCTIME()"},
        {
            "name": "kts",
            "data_type": "TIMESTAMP_LTZ(3)",
            "column_type": "metadata",
            "expression": "timestamp",
        },
    ]
    rel = SimpleNamespace(database="c", schema="db", identifier="orders")
    options = ddl.merged_options(config, rel)
    assert options == {"connector": "kafka", "format": "json", "topic": "db.orders"}
    sql = ddl.create_table("`c`.`db`.`orders`", ddl.source_table_body(config, columns), options)
    assert "`proc` AS PROCTIME()" in sql
    assert "`kts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'" in sql
    assert "WATERMARK FOR `ts` AS ts - INTERVAL '5' SECOND" in sql
    assert "PRIMARY KEY (`id`) NOT ENFORCED" in sql
    assert "'topic' = 'db.orders'" in sql


def test_column_from_describe_strips_time_attribute_markers():
    assert FlinkColumn.from_describe("ts", "TIMESTAMP(3) *ROWTIME*").dtype == "TIMESTAMP(3)"
    assert FlinkColumn.from_describe("id", "INT NOT NULL").dtype == "INT"


def test_fingerprint_ignores_whitespace_and_tracks_config():
    a = fingerprint("INSERT INTO t SELECT 1", ["CREATE TABLE t", "CREATE TABLE s"], {"x": "1"})
    assert a == fingerprint("INSERT  INTO t\nSELECT 1", ["CREATE TABLE s", "CREATE  TABLE t"], {"x": "1"})
    assert a != fingerprint("INSERT INTO t SELECT 2", ["CREATE TABLE t", "CREATE TABLE s"], {"x": "1"})
    assert a != fingerprint("INSERT INTO t SELECT 1", ["CREATE TABLE t", "CREATE TABLE s"], {"x": "2"})
    assert a != fingerprint("INSERT INTO t SELECT 1", ["CREATE TABLE t", "CREATE TABLE s2"], {"x": "1"})
    assert job_name("model.p.m", a).startswith(job_prefix("model.p.m") + "#")


def test_registry_roundtrip_keeps_replay_order(tmp_path):
    reg = RelationRegistry(tmp_path / "r.json")
    reg.put("a", {"n": 1})
    reg.put("b", {"n": 2})
    reg.put("a", {"n": 3})
    assert list(reg.load()) == ["b", "a"] and reg.load()["a"] == {"n": 3}
    reg.drop("b")
    assert list(reg.load()) == ["a"]
    assert "password" not in (tmp_path / "r.json").read_text()


def test_referenced_follows_views_and_matches_loosely():
    from dbt.adapters.flink.declarations import Declaration, referenced

    src = Declaration("`c`.`d`.`orders`", "table", "CREATE TABLE `c`.`d`.`orders` ...", "c", "d", "orders")
    other = Declaration("`c`.`d`.`users`", "table", "CREATE TABLE `c`.`d`.`users` ...", "c", "d", "users")
    view_sql = "CREATE VIEW `c`.`d`.`v` AS SELECT * FROM `c`.`d`.`orders`"
    view = Declaration("`c`.`d`.`v`", "view", view_sql, "c", "d", "v")
    db = Declaration("`c`.`d`", "database", "CREATE DATABASE IF NOT EXISTS `c`.`d`", "c", "d")
    decls = [db, src, other, view]
    # exact: only fully qualified names, transitively through the view
    assert referenced("select * from `c`.`d`.`v`", decls, exact=True) == [src, view]
    # loose: an unqualified name is enough; a word inside another word is not
    assert referenced("select * from V where x = 1", decls) == [src, view]
    assert referenced("select users_count from t", decls) == []


def test_ddl_target_is_not_declared_first():
    from dbt.adapters.flink.declarations import Declaration, ddl_target, referenced

    assert ddl_target("/* {} */ CREATE VIEW `c`.`d`.`v` AS SELECT 1") == "v"
    assert ddl_target("DROP TABLE IF EXISTS `c`.`d`.`t`") == "t"
    assert ddl_target("CREATE TEMPORARY TABLE `c`.`d`.`t` WITH () LIKE `c`.`d`.`t`") is None
    assert ddl_target("SELECT 1") is None
    t = Declaration("`c`.`d`.`t`", "table", "CREATE TABLE `c`.`d`.`t` ...", "c", "d", "t")
    assert referenced("CREATE TABLE `c`.`d`.`t` (a INT)", [t]) == []
    assert referenced("INSERT INTO `c`.`d`.`t` SELECT 1", [t]) == [t]


def test_a_relation_named_only_in_a_comment_is_not_an_upstream_of_a_job():
    decls = [Declaration("`c`.`d`.`valid_plays`", "table", "CREATE TABLE ...", "c", "d", "valid_plays")]
    sql = "-- depends_on: `c`.`d`.`valid_plays`\nselect 1 /* `c`.`d`.`valid_plays` */ from t"
    assert referenced(sql, decls, exact=True) == []
    assert referenced(sql.replace("from t", "from `c`.`d`.`valid_plays`"), decls, exact=True) == decls
    assert strip_comments("select 'a -- b' -- c\nfrom `x--y`") == "select 'a -- b'  \nfrom `x--y`"


def test_sink_columns_follow_the_query_or_the_enforced_contract():
    import pytest

    inferred = [("id", "INT"), ("ts", "TIMESTAMP(3)")]
    assert ddl.sink_columns({"config": {}}, inferred) == (["`id` INT", "`ts` TIMESTAMP(3)"], [], ["id", "ts"])
    contract = {
        "unique_id": "model.p.m",
        "config": {"contract": {"enforced": True}, "primary_key": "id"},
        "columns": {
            "id": {"name": "id", "data_type": "BIGINT"},
            "ts": {
                "name": "ts",
                "data_type": "TIMESTAMP_LTZ(3)",
                "column_type": "metadata",
                "expression": "timestamp",
            },
        },
    }
    defs, pk, names = ddl.sink_columns(contract, inferred)
    assert defs == ["`id` BIGINT NOT NULL", "`ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp'"]
    assert (pk, names) == (["id"], ["id", "ts"])
    with pytest.raises(ValueError, match="contract columns"):
        ddl.sink_columns(contract, [("id", "INT")])


def test_seed_insert_casts_plain_literals_and_leaves_all_null_columns_out_of_values():
    import datetime

    from dbt.adapters.flink import dml

    sql = dml.seed_insert(
        "`c`.`d`.`s`",
        ["a", "b", "c"],
        ["BIGINT", "STRING", "DATE"],
        [
            (1, None, datetime.date(2026, 1, 2)),
            (2, None, None),
        ],
    )
    assert "(VALUES\n('1', '2026-01-02'),\n('2', NULL)\n) AS v(c0, c2)" in sql
    assert "SELECT CAST(c0 AS BIGINT), CAST(NULL AS STRING), CAST(c2 AS DATE)" in sql
    assert dml.insert_select("`t`", "select 1 as x;", ["x"], overwrite=True).startswith(
        "INSERT OVERWRITE `t`\nSELECT `x`"
    )


def test_job_names_written_by_the_lifecycle_are_read_back_by_the_shared_client():
    # lifecycle.py names the jobs; the CLI reads them through flinkclient.jobnames: one scheme.
    from flinkclient import jobnames

    for owner in ("model.p.personas", "group.p.contract"):
        name = job_name(owner, "ab12cd34ef56")
        assert name == jobnames.job_name(owner, "ab12cd34ef56")
        assert jobnames.owner_of(name) == owner
