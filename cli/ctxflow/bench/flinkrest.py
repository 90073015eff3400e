"""What the benchmark reads from Flink's REST API: jobs, source progress (lag), vertex load, durations.

Flink's JobManager refreshes the metrics it serves every few seconds (metrics.fetcher.update-interval),
so a sampled counter is recent, not current; stats.change_points keeps only the fresh observations.
"""

from __future__ import annotations

import re
import time

import httpx

from ..waiting import wait_for
from .stats import VertexLoad

ACTIVE = ("CREATED", "INITIALIZING", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING")
SOURCE_OP = re.compile(r"^Source: (\S+?)\[\d+\]")


class FlinkRest:
    def __init__(self, url: str, timeout_s: float = 10) -> None:
        self.http = httpx.Client(base_url=url, timeout=timeout_s)
        self._source_metrics: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def close(self) -> None:
        self.http.close()

    def get(self, path: str) -> dict | list:
        resp = self.http.get(path)
        resp.raise_for_status()
        return resp.json()

    def jobs(self) -> list[dict]:
        return self.get("/jobs/overview")["jobs"]

    def active_jobs(self, name_prefix: str = "") -> list[dict]:
        return [j for j in self.jobs() if j["state"] in ACTIVE and j["name"].startswith(name_prefix)]

    def job(self, jid: str) -> dict:
        return self.get(f"/jobs/{jid}")

    def cancel(self, jids: list[str], timeout_s: float = 60) -> None:
        """Cancels the jobs and waits until none of them is active."""
        for jid in jids:
            self.http.patch(f"/jobs/{jid}", params={"mode": "cancel"})

        def gone() -> bool:
            states = {j["jid"]: j["state"] for j in self.jobs()}
            return all(states.get(jid) not in ACTIVE for jid in jids)

        wait_for(gone, f"{len(jids)} jobs to cancel", timeout_s=timeout_s, every_s=0.5)

    def taskmanager_slots(self) -> tuple[int, int]:
        overview = self.get("/overview")
        return overview["slots-total"], overview["slots-available"]

    def source_progress(self, jid: str) -> list[tuple[str, int]]:
        """(source table, records it has read) for each source operator of a running job."""
        out = []
        for vid, metric, table in self._sources(jid):
            values = self.get(f"/jobs/{jid}/vertices/{vid}/subtasks/metrics?get={metric}")
            out.append((table, int(values[0]["sum"]) if values else 0))
        return out

    def _sources(self, jid: str) -> list[tuple[str, str, str]]:
        cached = self._source_metrics.get(jid)
        if cached is None:
            cached = []
            for v in self.job(jid)["vertices"]:
                match = SOURCE_OP.match(v["name"])
                if not match:
                    continue
                ids = [m["id"] for m in self.get(f"/jobs/{jid}/vertices/{v['id']}/metrics")]
                wanted = [
                    i.split(".", 1)[1] for i in ids if i.startswith("0.Source__") and i.endswith(".numRecordsOut")
                ]
                if wanted:
                    cached.append((v["id"], wanted[0], match.group(1)))
            if cached:  # metrics appear only once the tasks run: ask again next time until then
                self._source_metrics[jid] = cached
        return cached

    def vertex_load(self, jid: str, job_name: str) -> list[VertexLoad]:
        out = []
        for v in self.job(jid)["vertices"]:
            values = self.get(
                f"/jobs/{jid}/vertices/{v['id']}/subtasks/metrics?get=busyTimeMsPerSecond,backPressuredTimeMsPerSecond"
            )
            by_id = {m["id"]: m.get("avg", 0.0) for m in values}
            busy = by_id.get("busyTimeMsPerSecond", 0.0)
            out.append(
                VertexLoad(
                    job_name,
                    v["name"],
                    0.0 if busy != busy else busy,  # NaN while idle
                    by_id.get("backPressuredTimeMsPerSecond", 0.0),
                )
            )
        return out

    def wait_finished(self, jids: list[str], timeout_s: float) -> dict[str, dict]:
        """Waits until every job is FINISHED (or failed: raises); returns each job's detail."""

        def finished():
            details = {jid: self.job(jid) for jid in jids}
            bad = [d for d in details.values() if d["state"] in ("FAILED", "CANCELED")]
            if bad:
                raise RuntimeError(f"job {bad[0]['name']} {bad[0]['state']}")
            return details if all(d["state"] == "FINISHED" for d in details.values()) else None

        return wait_for(finished, f"{len(jids)} bounded jobs to finish", timeout_s=timeout_s, every_s=0.5)


def source_seconds(detail: dict) -> float:
    """How long the source vertices of a finished job ran, in s (from their start to their end)."""
    spans = [
        (v["end-time"] - v["start-time"]) / 1000
        for v in detail["vertices"]
        if v["name"].startswith("Source:") and v["end-time"] > 0
    ]
    return max(spans) if spans else (detail["end-time"] - detail["start-time"]) / 1000


def now_s() -> float:
    return time.monotonic()
