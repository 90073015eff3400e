"""The benchmark's pure logic: percentiles, vertex load, the busiest vertex, flame-graph frames.

No clocks and no I/O here, so all of it is unit-tested (cli/tests/test_bench.py) without timings.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation between closest ranks; None when empty."""
    if not values:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0..100, got {q}")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def latency_summary(values_ms: Sequence[float]) -> dict:
    """n, p50, p95, p99 and max of latencies in ms (rounded to 0.1 ms), or n=0 and Nones."""
    summary: dict = {"n": len(values_ms)}
    for name, q in (("p50", 50), ("p95", 95), ("p99", 99), ("max", 100)):
        value = percentile(values_ms, q)
        summary[name] = None if value is None else round(value, 1)
    return summary


# Where an ad request's decision time goes, stage by stage, between marks taken on this machine's clock:
# sent (the bench's producer); typed (the request read back from ctx.valid.ad_requests, i.e. when the
# decisions job could read it, but read by the bench's own reader, so late by as much as that reader lags,
# which the last stage shows: under load the first stage takes time from the second); decided (the
# decision's decided_at: when the temporal join emitted it, after the plays' watermark passed the
# request); created (the decision's Kafka timestamp: the sink wrote it); received (read back as an ad
# server reads it).
DECISION_STAGES = (
    ("contract group: parse, dedup, ctx.valid.ad_requests, read back", "sent", "typed"),
    ("decisions job: read, wait for the plays' watermark, join", "typed", "decided"),
    ("sink: decided to written", "decided", "created"),
    ("Kafka to the reader", "created", "received"),
)


def sent_within(sent_ms: dict[str, float], values: dict[str, float], start_ms: float, end_ms: float = math.inf) -> list:
    """The values (by input id) of the inputs sent from `start_ms` to before `end_ms`: a live step's
    warm-up and its measured window apart."""
    return [v for key, v in values.items() if key in sent_ms and start_ms <= sent_ms[key] < end_ms]


def stage_latencies(marks: dict[str, dict[str, float]], since_ms: float = -math.inf) -> list[dict]:
    """Per stage of DECISION_STAGES, the latency summary over the requests sent from `since_ms` on that
    have both its marks."""
    out = []
    kept = [m for m in marks.values() if m["sent"] >= since_ms]
    for stage, start, end in DECISION_STAGES:
        values = [m[end] - m[start] for m in kept if m.get(start) is not None and m.get(end) is not None]
        out.append({"stage": stage, **latency_summary(values)})
    return out


STATE_OPERATORS = ("Deduplicate", "Rank", "GroupAggregate", "Join", "OverAggregate", "ChangelogNormalize", "Window")


def operator_kind(vertex_name: str) -> str:
    """What a Flink vertex mostly does, by the operators chained in it: sink, state or deserialization."""
    if any(op in vertex_name for op in STATE_OPERATORS):
        return "state"
    if "Writer" in vertex_name or "Sink" in vertex_name:
        return "sink"
    return "deserialization"  # Source -> Calc: reading the topic and parsing JSON (JSON_VALUE per field)


@dataclass(frozen=True)
class VertexLoad:
    job: str
    vertex: str
    busy_ms: float  # busyTimeMsPerSecond (0..1000)
    backpressured_ms: float  # backPressuredTimeMsPerSecond
    jid: str = ""
    vid: str = ""


def busiest_vertex(vertices: Sequence[VertexLoad]) -> VertexLoad | None:
    """The busiest vertex that is not itself back-pressured (>= 500 ms/s): its own work, not a slow
    consumer downstream, is what limits it. None when nothing is busy."""
    for v in sorted(vertices, key=lambda v: v.busy_ms, reverse=True):
        if v.backpressured_ms < 500 and v.busy_ms > 0:
            return v
    return None


def hungriest_vertex(vertices: Sequence[VertexLoad], cpu: dict | None) -> VertexLoad | None:
    """The vertex whose task thread used the most CPU over a sampled span (``cpu["vertices"]``, most
    first, names cut at 160 characters, from threadcpu.Sampler); None without such a sample."""
    for entry in (cpu or {}).get("vertices") or []:
        for v in vertices:
            if v.job == entry["job"] and v.vertex[:160] == entry["vertex"]:
                return v
    return None


def method_of(frame: str) -> str:
    """A flame-graph frame without its line number (`Optional.of:113` -> `Optional.of`), so the self time
    of one method adds up over its lines."""
    head, sep, tail = frame.rpartition(":")
    return head if sep and tail.lstrip("-").isdigit() else frame


def top_frames(graph: dict, n: int = 12) -> list[dict]:
    """The frames with the most self time in a Flink flame graph (`{"data": {"name", "value",
    "children"}}`): a frame's self samples are its value minus its children's, summed per method
    over the whole tree. Each: frame, self samples, share of all samples."""
    root = graph.get("data") or graph
    total = root.get("value") or 0
    self_by_name: dict[str, int] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        children = node.get("children") or []
        own = node.get("value", 0) - sum(c.get("value", 0) for c in children)
        if own > 0 and node is not root:
            name = method_of(node["name"])
            self_by_name[name] = self_by_name.get(name, 0) + own
        stack.extend(children)
    ranked = sorted(self_by_name.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [{"frame": name, "self_samples": v, "share": round(v / total, 4) if total else None} for name, v in ranked]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 4)
