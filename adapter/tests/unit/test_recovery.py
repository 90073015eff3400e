"""Where a job's checkpoints go, and which retained checkpoint `dbt run` resumes a lost job from."""

from __future__ import annotations

import os

import pytest
from dbt_common.exceptions import DbtRuntimeError
from flinkclient.rest import Job

from dbt.adapters.flink.config import build_after_s
from dbt.adapters.flink.lifecycle import checkpoint_dir, latest_retained_checkpoint, recent_build


class ConfigOnly:
    def __init__(self, config: dict[str, str]) -> None:
        self.config = config

    def jobmanager_config(self) -> dict[str, str]:
        return self.config


def test_each_program_checkpoints_into_a_directory_of_its_own():
    rest = ConfigOnly({"execution.checkpointing.dir": "s3://bucket/ckpt/"})
    assert (
        checkpoint_dir(rest, "dbt:group.ctxflow.ads#0123abcd")
        == "s3://bucket/ckpt/group.ctxflow.ads/0123abcd"
    )
    legacy = ConfigOnly({"state.checkpoints.dir": "file:///tmp/c"})
    assert checkpoint_dir(legacy, "dbt:model.p.m#ff") == "file:///tmp/c/model.p.m/ff"
    assert checkpoint_dir(ConfigOnly({}), "dbt:model.p.m#ff") is None


def test_the_newest_complete_checkpoint_of_any_earlier_job_of_the_program_is_chosen(tmp_path):
    def checkpoint(job: str, n: int, mtime: int, complete: bool = True):
        chk = tmp_path / job / f"chk-{n}"
        chk.mkdir(parents=True)
        if complete:
            (chk / "_metadata").write_bytes(b"x")
            os.utime(chk / "_metadata", (mtime, mtime))
        return chk

    assert latest_retained_checkpoint(tmp_path.as_uri()) is None
    checkpoint("job-a", 7, 1_000)
    newest = checkpoint("job-b", 3, 2_000)
    checkpoint("job-b", 4, 3_000, complete=False)  # being written when the JobManager died
    assert latest_retained_checkpoint(tmp_path.as_uri()) == newest.as_uri()


def test_a_remote_checkpoint_store_is_not_listed_from_the_client():
    assert latest_retained_checkpoint("s3://bucket/ckpt/model.p.m/ff") is None


def test_a_jobs_deploy_script_travels_redacted_and_comes_back_with_the_profiles_secrets():
    from flinkclient.redact import unredact_sql

    from dbt.adapters.flink.lifecycle import SCRIPT_PARAMETER, pack_script, unpack_script

    secret = "'properties.sasl.jaas.config' = 'user=u pw=''s3'''"
    ddl = f"CREATE TABLE t (a INT) WITH ('connector' = 'kafka', {secret})"
    packed = pack_script((ddl, "INSERT INTO t SELECT 1"), {"table.exec.state.ttl": "1 d"})
    key, value = packed.split(":", 1)
    assert (
        key == SCRIPT_PARAMETER and "," not in value and ":" not in value
    )  # Flink's map syntax splits on them
    statements, config = unpack_script({SCRIPT_PARAMETER: value})
    assert "s3" not in statements[0] and config == {"table.exec.state.ttl": "1 d"}
    profile = {"kafka": {"properties.sasl.jaas.config": "user=u pw='s3'"}}
    assert unredact_sql(statements[0], profile) == ddl
    assert statements[1] == "INSERT INTO t SELECT 1"


def test_the_deploy_script_declares_tables_then_views_then_runs_the_job():
    from dbt.adapters.flink.groups import Member, deploy_script

    def member(uid: str, sink: str, *upstream: str) -> Member:
        return Member(
            uid, f"INSERT INTO {sink} ...", (f"CREATE TABLE {sink}", *upstream), {}, "stateless", "running"
        )

    a = member("model.p.a", "a", "CREATE TEMPORARY TABLE src", "CREATE TEMPORARY VIEW v AS SELECT * FROM src")
    b = member("model.p.b", "b", "CREATE TEMPORARY TABLE src", "CREATE TABLE a")
    assert deploy_script([b, a], "EXECUTE STATEMENT SET ...") == (
        "CREATE TEMPORARY TABLE src",
        "CREATE TABLE a",
        "CREATE TABLE b",
        "CREATE TEMPORARY VIEW v AS SELECT * FROM src",
        "EXECUTE STATEMENT SET ...",
    )


def test_streaming_jobs_restart_without_limit_unless_the_model_chooses_its_own_strategy():
    from dbt.adapters.flink.lifecycle import STREAMING_RESTARTS, restart_defaults

    assert restart_defaults({"table.exec.state.ttl": "1 d"}) == STREAMING_RESTARTS
    assert STREAMING_RESTARTS["restart-strategy.type"] == "exponential-delay"
    assert restart_defaults({"restart-strategy.type": "fixed-delay"}) == {}


class JobsOnly:
    def __init__(self, jobs: list[Job]) -> None:
        self._jobs = jobs

    def jobs(self) -> list[Job]:
        return self._jobs


HOUR_MS = 3_600_000
NOW = 100 * HOUR_MS
BUILD = "dbt:model.p.profiles#abc"


def test_a_table_is_fresh_only_if_the_models_newest_job_is_a_finished_build_of_the_same_fingerprint():
    def fresh(*jobs: Job, max_age_s: float = 24 * 3600) -> str | None:
        built = recent_build(JobsOnly(list(jobs)), "model.p.profiles", BUILD, max_age_s, NOW)
        return built.job_id if built else None

    old = Job("old", BUILD, "FINISHED", NOW - 30 * HOUR_MS)
    recent = Job("recent", BUILD, "FINISHED", NOW - 3 * HOUR_MS)
    assert fresh(old, recent) == "recent"
    assert fresh(old, recent, max_age_s=2 * 3600) is None  # it started 3 h ago: the age runs from the start
    assert fresh(old) is None
    failed = Job("failed", BUILD, "FAILED", NOW - HOUR_MS)
    assert fresh(recent, failed) is None  # the last build failed: the topic may hold half of it
    changed = Job("changed", "dbt:model.p.profiles#def", "FINISHED", NOW - 2 * HOUR_MS)
    assert (
        fresh(recent, changed) is None
    )  # changed and reverted since: the topic holds the changed query's rows
    other = Job("other", "dbt:model.p.other#abc", "FINISHED", NOW - HOUR_MS)
    assert fresh(recent, other) == "recent"  # another model's jobs do not count


def test_build_after_reads_dbts_freshness_config_in_seconds():
    def after(count, period):
        return build_after_s(
            {"freshness": {"build_after": {"count": count, "period": period, "updates_on": "any"}}}, "m"
        )

    assert build_after_s({}, "m") is None
    assert after(20, "hour") == 72_000
    assert after(2, "day") == 172_800
    assert after(0, "hour") is None  # built on every run, as without the config
    for bad in ((3, "week"), (-1, "hour"), ("soon", "hour")):
        with pytest.raises(DbtRuntimeError, match="freshness.build_after needs a count of 0 or more"):
            after(*bad)
