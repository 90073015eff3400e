"""Fixtures shared by the CLI's tests.

`main_stack` is the stack `make test` started on the default (or CTXFLOW_*) ports; tests that start
and stop stacks of their own use `spare_stack_env`, a second set of ports and a private state dir,
so they never disturb the main stack.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from second_stack import stack_env

from ctxflow.core.kafka_io import admin_client, ensure_topics
from ctxflow.stack.settings import Settings


@pytest.fixture(scope="session")
def main_stack() -> Settings:
    settings = Settings.from_env()
    out = _run_cli("stack", "status")
    assert out.returncode == 0, f"the main stack is not healthy (make test starts it):\n{out.stdout}{out.stderr}"
    return settings


@pytest.fixture
def spare_stack_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a second stack: ports offset by 20000, state under tmp_path, jars shared."""
    state = tmp_path / "stack"
    state.mkdir()
    # small: it only has to come up and go down
    return stack_env(state, 20000, CTXFLOW_TM_MEMORY="1536m", CTXFLOW_TM_SLOTS="2", CTXFLOW_KAFKA_HEAP="512m")


def _run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ctxflow.cli", *args], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.fixture
def cli():
    """Runs `ctxflow ARGS...` in a subprocess, as a user would."""
    return _run_cli


@pytest.fixture
def topic_pair(main_stack: Settings) -> Iterator[tuple[str, str]]:
    """An input and an output topic of one partition, new for this test and deleted after it."""
    suffix = uuid.uuid4().hex[:8]
    src, dst = f"test-in-{suffix}", f"test-out-{suffix}"
    admin = admin_client(main_stack.kafka_bootstrap)
    assert sorted(ensure_topics(admin, [src, dst], partitions=1)) == sorted([src, dst])
    yield src, dst
    admin.delete_topics([src, dst])
