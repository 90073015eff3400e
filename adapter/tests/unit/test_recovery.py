"""Where a job's checkpoints go, and which retained checkpoint `dbt run` resumes a lost job from."""

from __future__ import annotations

import os

from dbt.adapters.flink.lifecycle import checkpoint_dir, latest_retained_checkpoint


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
