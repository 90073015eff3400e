"""Step 5: state and memory. TaskManager heap, its time in garbage collection, and every job's latest
completed checkpoint."""

from __future__ import annotations

from flinkclient.http import FlinkClientError
from flinkclient.jobnames import short_name

from .jobmetrics import now_ms
from .session import Session


def snapshot(s: Session, jobs: dict[str, str]) -> dict:
    heap = s.metrics.taskmanager_heap()
    checkpoints = {}
    for jid, name in jobs.items():
        try:
            checkpoints[short_name(name)] = s.rest.latest_checkpoint(jid)
        except FlinkClientError:
            checkpoints[short_name(name)] = None
    return {
        "heap_used_bytes": sum(h["heap_used"] or 0 for h in heap.values()),
        "heap_max_bytes": sum(h["heap_max"] or 0 for h in heap.values()),
        "gc_ms": s.metrics.taskmanager_gc_ms(),  # cumulative: the report shows the difference between snapshots
        "at_ms": now_ms(),
        "checkpoints": checkpoints,
        "state_size_bytes": sum((c or {}).get("state_size_bytes") or 0 for c in checkpoints.values()),
    }


def checkpoint_after(s: Session, jobs: dict[str, str], after_ms: int) -> bool:
    """True when every job has a checkpoint completed after `after_ms` (so its size is the drained state)."""
    for jid in jobs:
        latest = s.rest.latest_checkpoint(jid)
        if latest is None or (latest["at_ms"] or 0) < after_ms:
            return False
    return True
