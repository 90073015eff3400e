"""Where the TaskManager's CPU goes during the drain, thread by thread (local stack only); and, for the
live steps, the cores each process of the stack and the whole machine used.

Flink's busy ms/s counts a task thread's wall-clock time: on a saturated machine every vertex looks
busy, and garbage collection, the JIT compiler and checkpointing do not show at all. The kernel counts
CPU time per thread (/proc/<pid>/task/<tid>/stat), and `jcmd <pid> Thread.print` names the threads: a
task thread carries its vertex's name (as Flink's REST API gives it) and the subtask, so the CPU adds
up per job, per vertex and per JVM duty.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from ..stack import manager
from ..stack.services import java_binary
from ..stack.settings import Settings

# JVM and client threads, by name: what each does for the jobs
DUTIES = [
    (re.compile(r"^(GC Thread|G1 |ParGC|Parallel GC)"), "JVM: garbage collection"),
    (re.compile(r"^C[12] CompilerThread"), "JVM: JIT compiler"),
    (re.compile(r"^AsyncOperations-thread"), "Flink: checkpoints (state snapshots)"),
    (re.compile(r"^kafka-producer-network-thread"), "Kafka producers (network threads)"),
    (re.compile(r"^Source Data Fetcher"), "Kafka sources (fetcher threads)"),
]
_SUBTASK = re.compile(r"\s*\(\d+/\d+\)(#\d+)?$")
_THREAD = re.compile(r'^"(?P<name>.*?)".*\bnid=(?P<nid>0x[0-9a-fA-F]+|\d+)')


def thread_names(thread_dump: str) -> dict[int, str]:
    """Native thread id -> Java thread name, from `jcmd <pid> Thread.print`."""
    out = {}
    for line in thread_dump.splitlines():
        m = _THREAD.match(line)
        if m:
            nid = m["nid"]
            out[int(nid, 16) if nid.startswith("0x") else int(nid)] = m["name"]
    return out


def duty_of(thread: str, vertex_job: dict[str, str]) -> tuple[str, str | None]:
    """(what the thread works for, its vertex if a task thread): a job, a JVM duty or 'other'."""
    vertex = _SUBTASK.sub("", thread)
    if vertex in vertex_job:
        return f"job: {vertex_job[vertex]}", vertex
    for pattern, duty in DUTIES:
        if pattern.match(thread):
            return duty, None
    return "other (JVM, Flink runtime, metrics)", None


def cpu_by_duty(
    before: dict[int, float], after: dict[int, float], names: dict[int, str], vertex_job: dict[str, str], seconds: float
) -> tuple[list[tuple[str, float]], list[tuple[str, str, float]]]:
    """Cores used per duty (most first), and per task vertex as (job, vertex, cores), between two
    snapshots of CPU seconds per thread id taken `seconds` apart. A thread born in between counts from 0."""
    duties: dict[str, float] = defaultdict(float)
    vertices: dict[str, float] = defaultdict(float)
    for tid, cpu in after.items():
        used = (cpu - before.get(tid, 0.0)) / seconds
        what, vertex = duty_of(names.get(tid, ""), vertex_job)
        duties[what] += used
        if vertex is not None:
            vertices[vertex] += used
    by_duty = sorted(duties.items(), key=lambda kv: -kv[1])
    by_vertex = [(vertex_job[k], k, v) for k, v in sorted(vertices.items(), key=lambda kv: -kv[1])]
    return by_duty, by_vertex


def _stat_cpu_seconds(stat_file: str) -> float | None:
    """User + system CPU seconds from a /proc stat file; None once its process or thread is gone."""
    try:
        stat = Path(stat_file).read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the thread's name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) per thread of a process, from the kernel's counters."""
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        used = _stat_cpu_seconds(f"/proc/{pid}/task/{tid}/stat")
        if used is not None:  # else the thread ended meanwhile
            out[int(tid)] = used
    return out


def machine_busy_seconds() -> float:
    """CPU seconds all cores of the machine have spent not idle (nor waiting for I/O) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")  # user .. steal (guest time is in user)


def process_cpu_seconds(pid: int) -> float | None:
    """CPU seconds (user + system) of a whole process; None once it is gone."""
    return _stat_cpu_seconds(f"/proc/{pid}/stat")


def cores_between(before: dict[str, float | None], after: dict[str, float | None], seconds: float) -> dict:
    """Cores used per name between two snapshots of CPU seconds `seconds` apart (names missing from
    either snapshot are left out)."""
    return {
        name: round((after[name] - before[name]) / seconds, 2)
        for name in before
        if before[name] is not None and after.get(name) is not None and seconds > 0
    }


def thread_dump(jcmd: str, pid: int) -> str:
    return subprocess.run(
        [jcmd, str(pid), "Thread.print"], capture_output=True, text=True, timeout=60, check=True
    ).stdout


def local_taskmanager(settings: Settings) -> tuple[int, str] | None:
    """The local TaskManager's pid and the jcmd beside the stack's java; None on a remote cluster."""
    pid = manager.pid_of(settings, "taskmanager")
    if pid is None:
        return None
    jcmd = Path(java_binary()).parent / "jcmd"
    return (pid, str(jcmd)) if jcmd.exists() else None


class Sampler:
    """CPU per thread of the local TaskManager from now until finish()."""

    def __init__(self, pid: int, jcmd: str) -> None:
        self.pid, self.jcmd = pid, jcmd
        self.started = time.monotonic()
        self.before = cpu_seconds(pid)

    def finish(self, vertex_job: dict[str, str], span_s: float) -> dict:
        """Waits until `span_s` have passed since the start, then: cores per duty and the busiest vertices."""
        time.sleep(max(0.0, span_s - (time.monotonic() - self.started)))
        after, seconds = cpu_seconds(self.pid), time.monotonic() - self.started
        by_duty, by_vertex = cpu_by_duty(
            self.before, after, thread_names(thread_dump(self.jcmd, self.pid)), vertex_job, seconds
        )
        return {
            "seconds": round(seconds, 1),
            "cores": round(sum(cores for _, cores in by_duty), 2),
            "by_duty": [{"what": what, "cores": round(cores, 3)} for what, cores in by_duty],
            "vertices": [{"job": j, "vertex": v[:160], "cores": round(c, 3)} for j, v, c in by_vertex[:8]],
        }
