"""Fixtures of the fault tests (`make chaos`): a second stack whose processes the tests kill.

The project runs on both stacks from the same input at the same time: the main stack is the
fault-free reference, the second one gets the fault. A fault test then compares the outputs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from second_stack import stack_env

from ctxflow.stack.settings import Settings

from .faultrun import FaultStack


@pytest.fixture(scope="session")
def fault_stack(main_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    """A stack of its own (ports offset by 21000, state in a temporary directory, jars shared), started by
    the repo's own `ctxflow stack up` and stopped by `ctxflow stack down` whatever the tests do."""
    env = stack_env(
        tmp_path_factory.mktemp("fault-stack"),
        21000,
        CTXFLOW_TM_MEMORY="2048m",
        CTXFLOW_TM_SLOTS="12",
        CTXFLOW_JM_MEMORY="1200m",
        CTXFLOW_KAFKA_HEAP="512m",
    )
    stack = FaultStack(Settings.from_env(env), env)
    try:
        stack.cli("stack", "up")
        yield stack
    finally:
        subprocess.run([sys.executable, "-m", "ctxflow.cli", "stack", "down"], env=env, timeout=120)
