"""The model configs this adapter reads, declared for dbt, and validation of their values.

Declaring them in an ``AdapterConfig`` documents them to dbt (``AdapterSpecificConfigs``); no
field has a merge behaviour, so dbt keeps merging them exactly as it merges undeclared keys
(the most specific level replaces the value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dbt.adapters.protocol import AdapterConfig
from dbt_common.exceptions import DbtRuntimeError

UPGRADE_MODES = ("stateless", "savepoint")
PERIOD_S = {"minute": 60, "hour": 3600, "day": 86400}
JOB_STATES = ("running", "suspended")


@dataclass
class FlinkConfig(AdapterConfig):
    connector_properties: dict[str, Any] | None = None
    default_connector_properties: dict[str, Any] | None = None
    execution_config: dict[str, Any] | None = None
    default_execution_config: dict[str, Any] | None = None
    primary_key: Any = None  # a column name, a comma list or a list
    watermark: dict[str, str] | None = None
    type: str | None = None  # 'streaming' turns a table into a streaming_table
    upgrade_mode: str | None = None
    job_state: str | None = None
    job_grace_period_s: float | None = None
    job_group: str | None = None


def _choice(config: dict[str, Any], key: str, valid: tuple[str, ...], who: str) -> str:
    raw = config.get(key)
    value = str(raw if raw is not None else valid[0]).strip().lower()
    if value not in valid:
        raise DbtRuntimeError(f"{who}: {key} '{raw}' is not valid; use one of: {', '.join(valid)}")
    return value


def upgrade_mode(config: dict[str, Any], who: str) -> str:
    return _choice(config, "upgrade_mode", UPGRADE_MODES, who)


def job_state(config: dict[str, Any], who: str) -> str:
    return _choice(config, "job_state", JOB_STATES, who)


def job_group(config: dict[str, Any], who: str) -> str | None:
    """The group name, or None; a group name becomes part of a job name, so keep it plain."""
    raw = config.get("job_group")
    if raw is None or raw == "":
        return None
    name = str(raw).strip()
    if not name or any(ch in name for ch in "#\n\r\t ") or not name.isprintable():
        raise DbtRuntimeError(f"{who}: job_group '{raw}' must be a non-empty name without spaces or '#'")
    return name


def build_after_s(config: dict[str, Any], who: str) -> float | None:
    """dbt's ``freshness: {build_after: {count, period}}`` in seconds, or None when not set (or 0).

    dbt declares the config (its state-aware orchestration builds a model no more often than that);
    this adapter honours it for batch tables: one built from the same SQL within that time is left as is.
    """
    after = (config.get("freshness") or {}).get("build_after") or {}
    if not after or after.get("count") is None:
        return None
    period = str(after.get("period") or "").lower()
    try:
        count = float(after["count"])
    except (TypeError, ValueError):
        count = -1.0
    if period not in PERIOD_S or count < 0:
        raise DbtRuntimeError(
            f"{who}: freshness.build_after needs a count of 0 or more and a period of {', '.join(PERIOD_S)}, "
            f"not {after!r}"
        )
    # a count of 0: built on every run, as without the config (`updates_on` is not read: any run may build)
    return count * PERIOD_S[period] if count > 0 else None


def as_dict(obj: Any) -> dict[str, Any]:
    """A node or config as a plain dict (dbt hands the adapter both objects and dicts)."""
    if obj is None:
        return {}
    if hasattr(obj, "to_dict"):
        return obj.to_dict(omit_none=True)
    return dict(obj)


def execution_config(config: dict[str, Any]) -> dict[str, str]:
    """``default_execution_config`` overlaid by ``execution_config`` (dbt-flink-adapter keys)."""
    merged = {**(config.get("default_execution_config") or {}), **(config.get("execution_config") or {})}
    return {k: str(v) for k, v in merged.items()}


def is_streaming(config: dict[str, Any]) -> bool:
    """A streaming_table, or a table that dbt-flink-adapter projects mark as streaming."""
    materialized = config.get("materialized")
    if materialized == "streaming_table":
        return True
    return materialized == "table" and (
        str(config.get("type") or "").lower() == "streaming"
        or execution_config(config).get("execution.runtime-mode") == "streaming"
    )
