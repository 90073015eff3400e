"""The machine: CPU used per process of the stack (from /proc), cores, memory, versions."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path

from ..stack.settings import Settings

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def stack_pids(settings: Settings) -> dict[str, int]:
    """Service name -> PID of the running stack (the PID files `ctxflow stack up` wrote)."""
    pids = {}
    for f in sorted(settings.run_dir.glob("*.pid")):
        try:
            pids[f.stem] = int(f.read_text().strip())
        except ValueError:
            continue
    return pids


def _proc_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def _machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except OSError:
        return 0.0, 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


class CpuSampler:
    """CPU seconds per stack process, this process and the machine; `since` turns two snapshots into cores."""

    def __init__(self, settings: Settings) -> None:
        self.pids = {**stack_pids(settings), "bench": os.getpid()}

    def snapshot(self) -> dict[str, float]:
        snap = {name: _proc_seconds(pid) for name, pid in self.pids.items()}
        snap["_busy"], snap["_total"] = _machine_seconds()
        return snap

    @staticmethod
    def since(before: dict[str, float], after: dict[str, float], wall_s: float) -> tuple[dict[str, float], float]:
        """(cores used per process over wall_s, share of the machine busy)."""
        cores = {k: (after[k] - before[k]) / wall_s for k in before if not k.startswith("_") and wall_s > 0}
        total = after["_total"] - before["_total"]
        busy = (after["_busy"] - before["_busy"]) / total if total > 0 else 0.0
        ours = sum(cores.values())
        cores["other processes"] = max(0.0, busy * (os.cpu_count() or 1) - ours)
        return cores, busy


def machine(settings: Settings, flink_version: str | None) -> dict:
    mem_gib = None
    try:
        match = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem_gib = round(int(match.group(1)) / 1024 / 1024, 1) if match else None
    except OSError:
        pass
    kafka_jar = next(iter(sorted(settings.jars_dir.glob("kafka/kafka-server-*.jar"))), None)
    return {
        "cores": os.cpu_count(),
        "memory_gib": mem_gib,
        "cpu_model": _cpu_model(),
        "os": f"{platform.system()} {platform.release()}",
        "load_avg_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "java": _java_version(),
        "flink": flink_version,
        "kafka": kafka_jar.stem.removeprefix("kafka-server-") if kafka_jar else None,
        "dbt_core": _version("dbt-core"),
        "confluent_kafka": _version("confluent-kafka"),
        "taskmanager_slots": settings.taskmanager_slots,
        "taskmanager_memory": settings.taskmanager_memory,
    }


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _java_version() -> str | None:
    java = Path(os.environ["JAVA_HOME"]) / "bin" / "java" if "JAVA_HOME" in os.environ else "java"
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    first = (out.stderr or out.stdout).splitlines()
    return first[0].strip() if first else None


def _version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None
