"""What every step of the bench shares: the stack's settings and REST client, the run's topic prefix,
its log lines, timings, notes and result, and `dbt` run against the project with the bench's prefix."""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime

from flinkclient.rest import FlinkRestClient

from ..core import dbtrun
from ..core.dbtrun import ROOT
from ..stack.settings import Settings
from .config import Config
from .jobmetrics import JobMetrics

TARGET = ROOT / "target" / "bench"
STACK_HINT = "Is the stack up (`make up`)?"


def keep(name: str, record: object, indent: int | None = None) -> None:
    """Writes one of the bench's records to target/bench/<name> as JSON (values JSON lacks as text)."""
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / name).write_text(json.dumps(record, indent=indent, default=str))


class Session:
    def __init__(self, cfg: Config | None = None) -> None:
        self.settings = Settings.from_env()
        self.cfg = cfg or Config()
        self.started = time.monotonic()
        self.run_id = datetime.now(UTC).strftime("%m%d%H%M%S")
        self.prefix = f"bench.{self.run_id}."
        self.rest = FlinkRestClient(self.settings.flink_rest_url, hint=STACK_HINT)
        self.metrics = JobMetrics(self.rest)
        self.timings: dict[str, float] = {}
        self.notes: list[str] = []
        self.result: dict = {"topic_prefix": self.prefix}

    def say(self, text: str) -> None:
        print(f"[bench {time.monotonic() - self.started:6.1f}s] {text}", file=sys.stderr, flush=True)

    def timed(self, name: str, started: float) -> float:
        self.timings[name] = round(time.monotonic() - started, 1)
        return self.timings[name]

    def cancel_jobs(self) -> None:
        """Every job of an earlier step or run on the stack: the project's and the KPI layer's (dbt:...)
        and the ceilings' (bench:...)."""
        jobs = self.rest.active_jobs(lambda name: name.startswith(("bench:", "dbt:")))
        if jobs:
            self.say(f"cancelling {len(jobs)} running jobs")
            self.rest.cancel_all(list(jobs))

    def dbt(self, *args: str, extra_vars: dict | None = None) -> float:
        """Runs dbt on the project with the bench's topic prefix and its own target/log/state paths (so
        the project's own deployment state is untouched); returns its seconds; exits on failure."""
        variables = {"topic_prefix": self.prefix, **(extra_vars or {})}
        env = {**os.environ, "DBT_FLINK_STATE_DIR": str(TARGET / "flink_state")}
        started = time.monotonic()
        try:
            dbtrun.run(
                *args,
                variables=variables,
                env=env,
                output=TARGET / "dbt-output.log",
                profiles_dir=os.environ.get("CTXFLOW_BENCH_PROFILES_DIR"),
                target_path=TARGET / "dbt",
                log_path=TARGET / "logs",
            )
        except dbtrun.DbtFailed as err:
            raise SystemExit(str(err)) from None
        return round(time.monotonic() - started, 1)
