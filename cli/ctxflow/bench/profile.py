"""Step 4 (during the drain): where the time goes. The TaskManager's CPU per job, vertex and JVM duty
(threadcpu.py, on the local stack), the busiest vertex of the project's jobs and the top frames of its
on-CPU flame graph by self time. Busiest: the vertex whose task thread used the most CPU over the span
(the kernel's counters); on a remote cluster, whose threads are not ours to read, the one with the most
busy ms/s not itself back-pressured (Flink counts a thread blocked in a Kafka producer as busy too)."""

from __future__ import annotations

from flinkclient.http import FlinkClientError
from flinkclient.jobnames import short_name

from .jobmetrics import is_project_job
from .session import Session
from .stats import VertexLoad, busiest_vertex, hungriest_vertex, operator_kind, top_frames
from .threadcpu import Sampler, local_taskmanager

MIN_SAMPLES = 20  # fewer on-CPU samples than this say little about where the time goes
CPU_SPAN_S = 30  # the span over which the CPU per thread is counted


def profile(s: Session, jobs: dict[str, str]) -> dict:
    local = local_taskmanager(s.settings)
    sampler = Sampler(*local) if local else None
    loads = _vertex_loads(s, jobs)
    # None on a remote cluster: its threads are not ours to read
    cpu = sampler.finish({v.vertex: v.job for v in loads}, CPU_SPAN_S) if sampler else None
    top, chosen_by = hungriest_vertex(loads, cpu), "cpu"
    if top is None:
        top, chosen_by = busiest_vertex(loads), "busy"
    out = _busiest(s, loads, top)
    if out["busiest"]:
        out["busiest"]["chosen_by"] = chosen_by
    out["cpu"] = cpu
    return out


def vertex_jobs(s: Session) -> dict[str, str]:
    """Vertex name -> its job's short name, for every active job of the project (names task threads)."""
    out = {}
    for jid, name in s.rest.active_jobs(is_project_job).items():
        for v in s.rest.job_detail(jid)["vertices"]:
            out[v["name"]] = short_name(name)
    return out


def _vertex_loads(s: Session, jobs: dict[str, str]) -> list[VertexLoad]:
    loads = []
    for jid, name in jobs.items():
        try:
            loads += s.metrics.vertex_load(jid, short_name(name))
        except FlinkClientError:
            pass
    return loads


def _busiest(s: Session, loads: list[VertexLoad], top: VertexLoad | None) -> dict:
    out: dict = {
        "vertices": [
            {
                "job": v.job,
                "vertex": v.vertex[:160],
                "busy_ms_per_s": round(v.busy_ms),
                "backpressured_ms_per_s": round(v.backpressured_ms),
            }
            for v in sorted(loads, key=lambda v: v.busy_ms, reverse=True)[:6]
        ],
        "busiest": None,
        "flamegraph": None,
    }
    if top is None:
        out["note"] = "no vertex was busy when sampled"
        return out
    out["busiest"] = {"job": top.job, "vertex": top.vertex[:160], "kind": operator_kind(top.vertex)}
    try:
        graph = s.rest.flamegraph(top.jid, top.vid)
        kind = "on_cpu"
        if graph is not None and _samples(graph) < MIN_SAMPLES:
            # the task thread was seldom on the CPU when sampled (a starved machine): all its states say more
            graph, kind = s.rest.flamegraph(top.jid, top.vid, "full"), "full"
    except (TimeoutError, FlinkClientError) as err:
        out["note"] = f"flame graph unavailable: {err}"
        return out
    if graph is None:
        out["note"] = "flame graphs are disabled on this cluster: set `rest.flamegraph.enabled: true` in the stack"
    else:
        out["flamegraph"] = {"type": kind, "top_frames": top_frames(graph, 12), "samples": _samples(graph)}
    return out


def _samples(graph: dict) -> int:
    return (graph.get("data") or {}).get("value") or 0
