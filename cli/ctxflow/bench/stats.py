"""The benchmark's pure logic: rate stepping, lag verdicts, percentiles, bottleneck naming.

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


def next_rate(history: Sequence[tuple[float, bool]], start: float, factor: float, max_rate: float, refine: int = 1):
    """The next input rate to try, or None when the search is over.

    Doubles (x factor) from `start` while every step keeps up; after the first step that does not, tries
    `refine` geometric midpoints between the best passing and the lowest failing rate. Never exceeds
    `max_rate` (what the load generator can send); the last step before it is max_rate itself.
    """
    if not history:
        return min(start, max_rate)
    passed = [r for r, ok in history if ok]
    failed = [r for r, ok in history if not ok]
    if not failed:
        best = max(passed)
        if best >= max_rate:
            return None
        return min(best * factor, max_rate)
    if not passed:
        return None  # even the first step fell behind: the sustained rate is below `start`
    # the steps taken after the first failure are the refinements
    first_fail = next(i for i, (_, ok) in enumerate(history) if not ok)
    refinements = len(history) - 1 - first_fail
    if refinements >= refine:
        return None
    lo, hi = max(passed), min(failed)
    if hi <= lo * 1.1:
        return None  # close enough: a 10 % bracket is within the noise of this machine
    return round(math.sqrt(lo * hi), -1)


def sustained_rate(history: Sequence[tuple[float, bool]]) -> float | None:
    """The highest rate that kept up (None if none did)."""
    passed = [r for r, ok in history if ok]
    return max(passed) if passed else None


@dataclass(frozen=True)
class LagVerdict:
    keeps_up: bool
    first_lag: int
    last_lag: int
    growth: int
    samples: int


def lag_verdict(samples: Sequence[tuple[float, int]], rate: float) -> LagVerdict:
    """Does a job keep up? `samples` are (time, lag in records) observations of one job during a steady
    window, taken when its consumed-records metric changed (Flink's REST metrics are refreshed only
    every few seconds, so repeated identical values carry no news).

    Kept up when the lag neither grew by more than 1.5 s of input over the window nor ends above
    3 s of input (each at least a few hundred records, the in-flight batches of a healthy job). Fewer
    than two observations prove nothing, so they do not count as keeping up (make the window longer).
    """
    if len(samples) < 2:  # one fresh observation says nothing about growth: not proven to keep up
        lag = samples[0][1] if samples else 0
        return LagVerdict(False, lag, lag, 0, len(samples))
    first, last = samples[0][1], samples[-1][1]
    growth = last - first
    ok = growth <= max(500, 1.5 * rate) and last <= max(1000, 3 * rate)
    return LagVerdict(ok, first, last, growth, len(samples))


def change_points(samples: Sequence[tuple[float, int, int]]) -> list[tuple[float, int]]:
    """(time, consumed, lag) samples -> (time, lag) at the first sample of each new consumed value."""
    out: list[tuple[float, int]] = []
    previous = None
    for t, consumed, lag in samples:
        if consumed != previous:
            out.append((t, lag))
            previous = consumed
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


def bottleneck(cpu_cores: dict[str, float], machine_busy: float, cores: int, vertices: Sequence[VertexLoad]) -> dict:
    """Names the bottleneck at the first rate that fell behind, with the figures behind the verdict.

    cpu_cores: cores used per process (kafka, taskmanager, ...); machine_busy: share of all cores busy.
    The broker is the bottleneck when it uses more CPU than the TaskManager and most of a core; else the
    busiest vertex that is not itself back-pressured names it (its own work, not a slow consumer
    downstream, is what limits it).
    """
    broker, tm = cpu_cores.get("kafka", 0.0), cpu_cores.get("taskmanager", 0.0)
    busiest = None
    for v in sorted(vertices, key=lambda v: v.busy_ms, reverse=True):
        if v.backpressured_ms < 500:
            busiest = v
            break
    if broker >= 0.8 and broker > tm:
        kind = "CPU of the broker"
    elif busiest is not None:
        kind = operator_kind(busiest.vertex)
    else:
        kind = "unknown"
    return {
        "kind": kind,
        "machine_cpu_busy": round(machine_busy, 3),
        "cores": cores,
        "cpu_cores": {k: round(v, 2) for k, v in cpu_cores.items()},
        "busiest_vertex": None
        if busiest is None
        else {
            "job": busiest.job,
            "vertex": busiest.vertex,
            "busy_ms_per_s": round(busiest.busy_ms),
            "backpressured_ms_per_s": round(busiest.backpressured_ms),
        },
        "cpu_saturated": machine_busy >= 0.9,
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return round(numerator / denominator, 4)
