"""Where a live step's slow decisions come from. They come in spans: every ad request sent during a stall
of a few hundred milliseconds is decided late together. Each span is set beside what began just before
or during it: a checkpoint of one of the project's jobs (Flink's checkpoint history) or a stop of all the
TaskManager's threads (a safepoint, from its GC log, `-Xlog:gc,safepoint`). A span beside nothing is
the machine's own contention.

Pure logic (no clocks, no I/O): cli/tests/test_bench_stalls.py.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# The p99 goal of an ad request's decision: the slower decisions are the ones set beside what stalled them.
DECISION_GOAL_MS = 250.0
# How close together two slow requests must be sent to count as one span: at the bench's rates requests
# are milliseconds apart, so a gap this long means the stall ended.
SPAN_GAP_MS = 100.0
# How long before a span's first request something may begin and still be beside it: a stall holds the
# requests already in flight, sent up to a typical decision's time before it began.
LEAD_MS = 300.0
# Shorter safepoints are the JVM's routine (a young collection under load takes 30-150 ms here).
SAFEPOINT_OVER_MS = 50.0


@dataclass(frozen=True)
class Span:
    first_sent_ms: float
    last_sent_ms: float
    requests: int
    worst_ms: float


@dataclass(frozen=True)
class Happening:
    start_ms: float
    what: str


def slow_spans(marks: dict[str, dict[str, float]], slow_ms: float, gap_ms: float = SPAN_GAP_MS) -> list[Span]:
    """The requests whose decision (sent to written, the marks of stats.DECISION_STAGES) took longer than
    `slow_ms`, grouped by send time into spans: consecutive slow requests at most `gap_ms` apart."""
    slow = sorted(
        (m["sent"], m["created"] - m["sent"])
        for m in marks.values()
        if m.get("created") is not None and m["created"] - m["sent"] > slow_ms
    )
    spans: list[Span] = []
    for sent, took in slow:
        last = spans[-1] if spans else None
        if last is not None and sent - last.last_sent_ms <= gap_ms:
            spans[-1] = Span(last.first_sent_ms, sent, last.requests + 1, max(last.worst_ms, took))
        else:
            spans.append(Span(sent, sent, 1, took))
    return spans


def checkpoint_starts(history: dict[str, list[dict]]) -> list[Happening]:
    """job name -> Flink's checkpoint history of it (/jobs/:id/checkpoints) as the moments they began."""
    return [
        Happening(float(c["trigger_timestamp"]), f"a checkpoint of {job}")
        for job, checkpoints in history.items()
        for c in checkpoints
        if c.get("trigger_timestamp")
    ]


# [2026-12-07T03:35:35.176+0000][280.633s] Safepoint "G1CollectForAllocation", Time since last: 1 ns,
# Reaching safepoint: 120 ns, At safepoint: 54108 ns, Total: 54228 ns  (logged when it ends)
_SAFEPOINT = re.compile(r'^\[([^\]]+)\]\[[^\]]*\] Safepoint "([^"]+)".* Total: (\d+) ns')


def safepoints(gc_log: Iterable[str], over_ms: float = SAFEPOINT_OVER_MS) -> list[Happening]:
    """The safepoints longer than `over_ms` in the lines of a JVM log (`-Xlog:safepoint` with the `time`
    decoration), as the moments they began."""
    out = []
    for line in gc_log:
        m = _SAFEPOINT.match(line)
        if m is None:
            continue
        length_ms = int(m.group(3)) / 1e6
        if length_ms > over_ms:
            ended_ms = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp() * 1000
            out.append(Happening(ended_ms - length_ms, f"a safepoint over {over_ms:g} ms"))
    return out


def attribute(spans: list[Span], happenings: list[Happening], lead_ms: float = LEAD_MS) -> dict:
    """How many spans (and their requests) began beside each kind of happening, and beside none. A span
    beside two kinds counts for both; `beside_nothing` counts the spans beside none."""
    beside: Counter[str] = Counter()
    requests_beside: Counter[str] = Counter()
    alone = alone_requests = 0
    for span in spans:
        kinds = {h.what for h in happenings if span.first_sent_ms - lead_ms <= h.start_ms <= span.last_sent_ms}
        for kind in kinds:
            beside[kind] += 1
            requests_beside[kind] += span.requests
        if not kinds:
            alone += 1
            alone_requests += span.requests
    return {
        "spans": len(spans),
        "requests": sum(s.requests for s in spans),
        "longest_span_ms": round(max((s.last_sent_ms - s.first_sent_ms for s in spans), default=0.0), 1),
        "beside": [  # the most spans first, then by name: the same order in every run
            {"what": what, "spans": n, "requests": requests_beside[what]}
            for what, n in sorted(beside.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "beside_nothing": {"spans": alone, "requests": alone_requests},
    }
