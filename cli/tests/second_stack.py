"""A second stack beside the main one, for tests that start, stop or break stacks of their own."""

from __future__ import annotations

import os
from pathlib import Path

from ctxflow.stack.settings import Settings


def stack_env(state: Path, offset: int, **memory: str) -> dict[str, str]:
    """The environment of a second stack: the main stack's ports + `offset`, state in `state` (its jars
    shared with the main stack's), CTXFLOW_* memory settings from `memory` (e.g. CTXFLOW_TM_MEMORY)."""
    main = Settings.from_env()
    (state / "jars").symlink_to(main.jars_dir)
    return {
        **os.environ,
        "CTXFLOW_STACK_DIR": str(state),
        "CTXFLOW_KAFKA_PORT": str(main.kafka_port + offset),
        "CTXFLOW_KAFKA_CONTROLLER_PORT": str(main.kafka_controller_port + offset),
        "CTXFLOW_FLINK_REST_PORT": str(main.flink_rest_port + offset),
        "CTXFLOW_FLINK_RPC_PORT": str(main.flink_rpc_port + offset),
        "CTXFLOW_GATEWAY_PORT": str(main.gateway_port + offset),
        **memory,
    }
