"""Fault tests against the real processes (`make chaos`, part of `make test`): a process of the stack is
killed with `kill -9` in the middle of a live stream and started again; afterwards no output a reader sees
may have lost or doubled anything, compared with a fault-free run of the same input (faultrun.py)."""

from __future__ import annotations

from ctxflow.stack.settings import Settings

from .faultrun import JOBS, FaultStack, restored_from, run_with_fault
from .outputs import clean


def test_taskmanager_killed_mid_stream_loses_and_doubles_nothing(main_stack: Settings, fault_stack: FaultStack):
    # `make up` (ctxflow stack up) starts the dead TaskManager; the jobs restart from their last checkpoints
    outcome = run_with_fault(main_stack, fault_stack, "taskmanager", lambda _: fault_stack.cli("stack", "up"))
    assert clean(outcome.rows), outcome.table()


def test_broker_killed_mid_stream_loses_and_doubles_nothing(main_stack: Settings, fault_stack: FaultStack):
    outcome = run_with_fault(main_stack, fault_stack, "kafka", lambda _: fault_stack.cli("stack", "restart", "kafka"))
    assert clean(outcome.rows), outcome.table()


def test_jobmanager_restarted_then_dbt_run_resumes_every_job_from_its_checkpoint(
    main_stack: Settings, fault_stack: FaultStack
):
    # No HA locally: a new JobManager knows no jobs. `dbt run` finds each program's retained checkpoint.
    said: list[str] = []

    def recover(faulted) -> None:
        fault_stack.cli("stack", "up")
        said.append(faulted.dbt("run").stdout)

    outcome = run_with_fault(main_stack, fault_stack, "jobmanager", recover)
    restored = restored_from(fault_stack.settings)
    assert len(restored) == JOBS and all(restored.values()), f"{restored}\n{said[0][-4000:]}"
    assert "resuming: retained checkpoint" in said[0]  # and dbt said so
    assert clean(outcome.rows), outcome.table()
