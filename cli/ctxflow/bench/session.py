"""What every step of the bench shares: the stack's settings and REST client, the run's topic prefix,
its log lines, timings, notes and result, and `dbt` run against the project with the bench's prefix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from flinkclient.rest import FlinkRestClient

from ..stack.settings import Settings
from .config import Config
from .jobmetrics import JobMetrics

ROOT = Path(__file__).resolve().parents[3]  # the dbt project (repo root)
TARGET = ROOT / "target" / "bench"
STACK_HINT = "Is the stack up (`make up`)?"


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

    def dbt(self, *args: str, extra_vars: dict | None = None) -> float:
        """Runs dbt on the project with the bench's topic prefix and its own target/log/state paths (so
        the project's own deployment state is untouched); returns its seconds; exits on failure."""
        exe = Path(sys.executable).with_name("dbt")
        variables = {"topic_prefix": self.prefix, **(extra_vars or {})}
        profiles = os.environ.get("CTXFLOW_BENCH_PROFILES_DIR", str(ROOT / "profiles"))
        cmd = [str(exe), *args, "--project-dir", str(ROOT), "--profiles-dir", profiles]
        cmd += ["--target-path", str(TARGET / "dbt"), "--log-path", str(TARGET / "logs")]
        cmd += ["--vars", json.dumps(variables)]
        env = {**os.environ, "DBT_FLINK_STATE_DIR": str(TARGET / "flink_state")}
        log = TARGET / "dbt-output.log"
        started = time.monotonic()
        with log.open("a") as out:
            out.write(f"\n$ {' '.join(cmd)}\n")
            out.flush()
            rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
        if rc != 0:
            tail = "\n".join(log.read_text().splitlines()[-25:])
            raise SystemExit(f"`dbt {' '.join(args)}` failed (rc {rc}); log {log}:\n{tail}")
        return round(time.monotonic() - started, 1)
