"""Running dbt on this project: where the project is (the repo root), and one way to call dbt on it.

Every caller (the demo, the bench, the end-to-end tests) goes through `run`, so the project directory,
the profiles directory, the dbt executable of this venv and the error on failure are decided once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the dbt project: the repo root (cli/ctxflow/core/ -> ../../..)
PROFILES_DIR = ROOT / "profiles"
TAIL_LINES = 40  # of dbt's output, in the error when it fails


class DbtFailed(Exception):
    """dbt exited non-zero; the message names the command and ends with the tail of dbt's output."""


def executable() -> Path:
    """The dbt of the venv this Python runs in (not whatever `dbt` is first on PATH)."""
    exe = Path(sys.executable).with_name("dbt")
    if not exe.exists():
        raise DbtFailed(f"no dbt next to {sys.executable}: run `make venv` and use .venv/bin/ctxflow")
    return exe


def command(
    *args: str,
    variables: dict | None = None,
    profiles_dir: str | Path | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
) -> list[str]:
    """The argv of `dbt ARGS` on this project; `variables` become `--vars` (JSON)."""
    cmd = [str(executable()), *args, "--project-dir", str(ROOT), "--profiles-dir", str(profiles_dir or PROFILES_DIR)]
    if target_path is not None:
        cmd += ["--target-path", str(target_path)]
    if log_path is not None:
        cmd += ["--log-path", str(log_path)]
    if variables:
        cmd += ["--vars", json.dumps(variables)]
    return cmd


def run(
    *args: str,
    variables: dict | None = None,
    env: dict[str, str] | None = None,
    output: Path | None | bool = None,
    timeout_s: float | None = None,
    profiles_dir: str | Path | None = None,
    target_path: Path | None = None,
    log_path: Path | None = None,
) -> subprocess.CompletedProcess:
    """Runs `dbt ARGS` on the project (cwd = the repo root) in `env` (default: this process's environment).

    `output`: None streams dbt's output to this terminal; True captures it (in the returned
    stdout/stderr); a Path appends it to that log file. The paths are dbt's own options (default
    profiles: the project's `profiles/`). Raises DbtFailed when dbt exits non-zero or runs past `timeout_s`."""
    cmd = command(*args, variables=variables, profiles_dir=profiles_dir, target_path=target_path, log_path=log_path)
    shown = f"dbt {' '.join(args)}"
    try:
        if isinstance(output, Path):
            with output.open("a") as log:
                log.write(f"\n$ {' '.join(cmd)}\n")
                log.flush()
                done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout_s)
        else:
            done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=bool(output), text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise DbtFailed(f"`{shown}` did not finish within {timeout_s:.0f} s") from None
    if done.returncode != 0:
        raise DbtFailed(f"`{shown}` failed (exit code {done.returncode}){_tail(done, output)}")
    return done


def _tail(done: subprocess.CompletedProcess, output: Path | None | bool) -> str:
    if isinstance(output, Path):
        text = output.read_text()
        where = f"; log {output}"
    elif output:
        text = f"{done.stdout or ''}{done.stderr or ''}"
        where = ""
    else:
        return " (its output is above)"
    return f"{where}:\n" + "\n".join(text.splitlines()[-TAIL_LINES:])
