"""The bench's knobs, from the environment (for a quicker or a longer run); defaults fit ~15 min on 2 cores."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


def _num(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a number") from None


def _nums(name: str, default: str) -> tuple[float, ...]:
    raw = os.environ.get(name) or default
    try:
        return tuple(float(x) for x in raw.split(",") if x.strip())
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a comma-separated list of numbers") from None


@dataclass
class Config:
    # the pre-produced backlog of the realistic mix that every drain (pipeline and ceilings) reads
    backlog: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_BACKLOG", 2_000_000)))
    # events of the same mix drained by the whole project before anything is measured (warmup.py says
    # why); 0 measures a TaskManager as it comes
    warmup_events: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_WARMUP_EVENTS", 400_000)))
    # the distinct realistic events re-sent as templates (fresh ids and timestamps per copy)
    pool: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_POOL", 30_000)))
    drain_timeout_s: float = field(default_factory=lambda: _num("CTXFLOW_BENCH_DRAIN_TIMEOUT_S", 900))
    # live latency: each rate is sent for warmup_s seconds, then measured for window_s seconds. The warm-up
    # (the first seconds at 5,000/s after 200/s) is reported apart. A minute holds six checkpoints of every job,
    # so one unlucky checkpoint no longer decides the p99 (25 s windows gave 301 and 392 ms on one commit).
    latency_rates: tuple[float, ...] = field(default_factory=lambda: _nums("CTXFLOW_BENCH_LATENCY_RATES", "200,5000"))
    warmup_s: float = field(default_factory=lambda: _num("CTXFLOW_BENCH_WARMUP_S", 20))
    window_s: float = field(default_factory=lambda: _num("CTXFLOW_BENCH_WINDOW_S", 60))
    # the widened KPI layer: aggregations over models in job groups, over a typed plays backlog
    kpi_width: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_KPI_WIDTH", 1500)))
    kpi_models: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_KPI_MODELS", 50)))
    kpi_groups: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_KPI_GROUPS", 5)))
    kpi_plays: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_KPI_PLAYS", 500_000)))
    # the next-best actions (nba.py): PyFlink UDF rows per bounded job, and declines abroad sent at a rate
    nba_udf_rows: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_NBA_UDF_ROWS", 200_000)))
    nba_rate: float = field(default_factory=lambda: _num("CTXFLOW_BENCH_NBA_RATE", 5))
    nba_declines: int = field(default_factory=lambda: int(_num("CTXFLOW_BENCH_NBA_DECLINES", 150)))
    # the soak (soak.py): seconds under load, seconds between samples, events/s (0: 80 % of the last drain)
    soak_s: float = field(default_factory=lambda: _num("CTXFLOW_SOAK_S", 600))
    soak_sample_s: float = field(default_factory=lambda: _num("CTXFLOW_SOAK_SAMPLE_S", 30))
    soak_rate: float = field(default_factory=lambda: _num("CTXFLOW_SOAK_RATE", 0))
    # the soak's fixed population (soak.py says why fixed): users, each with their sessions
    soak_users: int = field(default_factory=lambda: int(_num("CTXFLOW_SOAK_USERS", 100_000)))
    # above this 1-minute load average at start the run warns loudly (or refuses with STRICT_LOAD=1)
    max_load: float = field(default_factory=lambda: _num("CTXFLOW_BENCH_MAX_LOAD", 1.0))
    strict_load: bool = field(default_factory=lambda: os.environ.get("CTXFLOW_BENCH_STRICT_LOAD") == "1")
    # steps left out (CTXFLOW_BENCH_SKIP, a comma list): latency, nba, ceilings, kpi, from_nothing
    skip: frozenset[str] = field(
        default_factory=lambda: frozenset(s for s in os.environ.get("CTXFLOW_BENCH_SKIP", "").split(",") if s)
    )

    def __post_init__(self) -> None:
        if self.backlog <= 0 or self.pool <= 0 or self.soak_users <= 0:
            raise SystemExit("CTXFLOW_BENCH_BACKLOG, CTXFLOW_BENCH_POOL and CTXFLOW_SOAK_USERS must be positive")
        if not 1 <= self.kpi_groups <= self.kpi_models <= 99:
            raise SystemExit("need 1 <= CTXFLOW_BENCH_KPI_GROUPS <= CTXFLOW_BENCH_KPI_MODELS <= 99")
