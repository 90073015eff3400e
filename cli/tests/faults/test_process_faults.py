"""Fault tests against the real processes (`make chaos`, part of `make test`): a process of the stack is
killed with `kill -9` in the middle of a live stream and started again; afterwards no output a reader sees
may have lost or doubled anything, compared with a fault-free run of the same input (faultrun.py)."""

from __future__ import annotations

from ctxflow.stack.settings import Settings

from .faultrun import FaultStack, run_with_fault
from .outputs import clean


def test_taskmanager_killed_mid_stream_loses_and_doubles_nothing(main_stack: Settings, fault_stack: FaultStack):
    # `make up` (ctxflow stack up) starts the dead TaskManager; the jobs restart from their last checkpoints
    outcome = run_with_fault(main_stack, fault_stack, "taskmanager", lambda: fault_stack.cli("stack", "up"))
    assert clean(outcome.rows), outcome.table()


def test_broker_killed_mid_stream_loses_and_doubles_nothing(main_stack: Settings, fault_stack: FaultStack):
    outcome = run_with_fault(main_stack, fault_stack, "kafka", lambda: fault_stack.cli("stack", "restart", "kafka"))
    assert clean(outcome.rows), outcome.table()
