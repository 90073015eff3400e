"""Fault tests against the real processes (`make chaos`, part of `make test`): a process of the stack is
killed with `kill -9` in the middle of a live stream and started again; afterwards, compared with a
fault-free run of the same input (faultrun.py): no output lost anything, the exactly-once outputs hold
every row once, the upsert outputs equal the fault-free run key by key, and every copy of every ad
decision and play context is the fault-free run's (replayed identical copies are allowed and counted)."""

from __future__ import annotations

import subprocess
import time
import uuid

from dbt_project import REPO, STREAMING_JOBS, Project

from ctxflow.core import dbtrun
from ctxflow.core.kafka_io import admin_client
from ctxflow.core.topics import ensure_contract_topics
from ctxflow.stack.settings import Settings
from ctxflow.waiting import wait_for

from .faultrun import JOBS, FaultStack, kill, new_jobs, restored_from, run_with_fault
from .outputs import holds


def test_taskmanager_killed_mid_stream_loses_nothing_doubles_no_exactly_once_row_and_upserts_match(
    main_stack: Settings, fault_stack: FaultStack
):
    # `make up` (ctxflow stack up) starts the dead TaskManager; the jobs restart from their last checkpoints
    outcome = run_with_fault(main_stack, fault_stack, "taskmanager", lambda _: fault_stack.cli("stack", "up"))
    assert holds(outcome.rows), outcome.table()


def test_broker_killed_mid_stream_loses_nothing_doubles_no_exactly_once_row_and_upserts_match(
    main_stack: Settings, fault_stack: FaultStack
):
    outcome = run_with_fault(main_stack, fault_stack, "kafka", lambda _: fault_stack.cli("stack", "restart", "kafka"))
    assert holds(outcome.rows), outcome.table()


def test_jobmanager_restarted_then_dbt_run_resumes_every_job_from_its_checkpoint(
    main_stack: Settings, fault_stack: FaultStack
):
    # No HA locally: a new JobManager knows no jobs. `dbt run` finds each program's retained checkpoint.
    said: list[str] = []

    def recover(faulted) -> None:
        fault_stack.cli("stack", "up")
        # the streaming jobs only: a batch model run now (user_profiles) would compute profiles from this
        # run's history, which the reference never does, and change what personas compares against
        said.append(faulted.dbt("run", "--exclude", "config.materialized:table").stdout)

    outcome = run_with_fault(main_stack, fault_stack, "jobmanager", recover)
    restored = restored_from(fault_stack.settings)
    assert len(restored) == JOBS and all(restored.values()), f"{restored}\n{said[0][-4000:]}"
    assert "resuming: retained checkpoint" in said[0]  # and dbt said so
    assert holds(outcome.rows), outcome.table()


def test_gateway_killed_during_dbt_run_fails_clearly_and_the_next_run_finishes(fault_stack: FaultStack):
    # the first job of this run is up when the SQL Gateway dies: dbt says what is unreachable, no job is
    # left half-deployed or doubled, and after `make up` the next `dbt run` deploys the rest
    project = Project(fault_stack.settings, f"gw{uuid.uuid4().hex[:6]}.", fault_stack.env)
    ensure_contract_topics(admin_client(project.bootstrap), project.prefix)
    project.dbt("seed")
    started = time.time() * 1000
    run = subprocess.Popen(
        dbtrun.command("run", variables=project.vars),
        cwd=REPO,
        env=fault_stack.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(lambda: new_jobs(fault_stack.settings, started), "the run's first job", timeout_s=300)
        kill(fault_stack, "sql-gateway")
        out, _ = run.communicate(timeout=600)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode != 0, out[-4000:]
    gateway = fault_stack.settings.gateway_url
    assert f"Cannot reach the Flink SQL Gateway at {gateway}" in out, out[-4000:]
    fault_stack.cli("stack", "up")
    project.dbt("run")
    assert sorted(project.running_jobs()) == sorted(STREAMING_JOBS)  # running_jobs fails on a doubled job
