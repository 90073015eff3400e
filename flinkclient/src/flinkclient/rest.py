"""Client of the Flink JobManager REST API (default port 8081): jobs, savepoints, failures, metrics.

SQL can submit jobs, but finding "the running job of model X", stopping it with a savepoint and
waiting for the savepoint path, reading a failed job's root exception, or a job's metrics are
simpler and more reliable through the JobManager's REST API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from flinkclient.http import Endpoint, FlinkClientError, poll

ACTIVE_STATES = frozenset({"INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING"})
JOBMANAGER = "the Flink REST API (JobManager)"


class FlinkRestError(FlinkClientError):
    """The JobManager answered with an error, or a wait on it ran out of time."""


@dataclass
class Job:
    job_id: str
    name: str
    state: str
    start_time: int

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @classmethod
    def from_json(cls, j: dict[str, Any]) -> Job:
        return cls(j["jid"], j["name"], j["state"], j.get("start-time", 0))


class FlinkRestClient(Endpoint):
    def __init__(
        self,
        base_url: str,
        hint: str,
        headers: dict[str, str] | None = None,
        verify: bool = True,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ):
        super().__init__(base_url, JOBMANAGER, hint, headers, timeout_s, verify, transport=transport)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        resp = self.send(method, path, **kwargs)
        if resp.status_code >= 400:
            raise FlinkRestError(f"Flink REST {method} {path} -> HTTP {resp.status_code}: {resp.text[:500]}")
        return resp.json() if resp.content else {}

    def get(self, path: str, **params: Any) -> Any:
        """Any GET of the API (metrics, plans ...), as JSON."""
        return self._call("GET", path, params=params or None)

    # -- cluster ----------------------------------------------------------------------------
    def overview(self) -> dict[str, Any]:
        return self.get("/overview")

    def slots(self) -> tuple[int, int]:
        """(total, available) TaskManager slots."""
        overview = self.overview()
        return overview["slots-total"], overview["slots-available"]

    # -- jobs -------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        return [Job.from_json(j) for j in self.get("/jobs/overview").get("jobs", [])]

    def active_jobs(self, keep=lambda name: True) -> dict[str, str]:
        """job id -> name of the active jobs whose name passes ``keep``."""
        return {j.job_id: j.name for j in self.jobs() if j.active and keep(j.name)}

    def job(self, job_id: str) -> Job:
        return Job.from_json(self.job_detail(job_id))

    def job_detail(self, job_id: str) -> dict[str, Any]:
        """The job's full description (vertices with their ids, names, start and end times)."""
        return self.get(f"/jobs/{job_id}")

    def job_user_config(self, job_id: str) -> dict[str, Any]:
        """The job's global job parameters (``pipeline.global-job-parameters``)."""
        data = self._call("GET", f"/jobs/{job_id}/config")
        return (data.get("execution-config") or {}).get("user-config") or {}

    def jobmanager_config(self) -> dict[str, str]:
        """The cluster's configuration as the JobManager has it (key -> value)."""
        return {e["key"]: e["value"] for e in self._call("GET", "/jobmanager/config")}

    def root_exception(self, job_id: str) -> str:
        data = self.get(f"/jobs/{job_id}/exceptions")
        entries = (data.get("exceptionHistory") or {}).get("entries") or []
        return data.get("root-exception") or (entries[0].get("stacktrace") if entries else "") or ""

    def cancel(self, job_id: str) -> None:
        self._call("PATCH", f"/jobs/{job_id}", params={"mode": "cancel"})

    def cancel_all(self, job_ids: list[str], timeout_s: float = 60.0) -> None:
        """Cancel the jobs and wait until none of them is active."""
        for job_id in job_ids:
            try:
                self.cancel(job_id)
            except FlinkRestError:
                pass  # it ended meanwhile (Flink refuses to cancel a finished job); the wait below checks

        def gone() -> bool | None:
            states = {j.job_id: j.state for j in self.jobs()}
            return True if all(states.get(j) not in ACTIVE_STATES for j in job_ids) else None

        if job_ids:
            poll(gone, f"cancelling {len(job_ids)} job(s)", timeout_s, 0.5, FlinkRestError)

    def wait_terminal(self, job_id: str, timeout_s: float = 60.0) -> str:
        def terminal() -> str | None:
            state = self.job(job_id).state
            return None if state in ACTIVE_STATES else state

        return poll(terminal, f"job {job_id} reaching a terminal state", timeout_s, 0.3, FlinkRestError)

    def wait_finished(self, job_ids: list[str], timeout_s: float) -> dict[str, dict[str, Any]]:
        """Wait until every job is FINISHED (FAILED or CANCELED: an error); returns each job's detail."""

        def finished() -> dict[str, dict[str, Any]] | None:
            details = {j: self.job_detail(j) for j in job_ids}
            bad = [d for d in details.values() if d["state"] in ("FAILED", "CANCELED")]
            if bad:
                raise FlinkRestError(f"job {bad[0]['name']} {bad[0]['state']}")
            return details if all(d["state"] == "FINISHED" for d in details.values()) else None

        return poll(finished, f"{len(job_ids)} bounded job(s) finishing", timeout_s, 0.5, FlinkRestError)

    # -- savepoints and checkpoints ---------------------------------------------------------
    def stop_with_savepoint(self, job_id: str, target_dir: str | None, timeout_s: float = 120.0) -> str:
        """Stop the job gracefully with a savepoint and return the savepoint location."""
        body: dict[str, Any] = {"drain": False, "formatType": "CANONICAL"}
        if target_dir:
            body["targetDirectory"] = target_dir
        trigger = self._call("POST", f"/jobs/{job_id}/stop", json=body)["request-id"]

        def completed() -> dict[str, Any] | None:
            info = self.get(f"/jobs/{job_id}/savepoints/{trigger}")
            return (info.get("operation") or {}) if info.get("status", {}).get("id") == "COMPLETED" else None

        operation = poll(completed, f"savepoint of job {job_id}", timeout_s, 0.5, FlinkRestError)
        if "location" not in operation:
            raise FlinkRestError(f"stop-with-savepoint of job {job_id} failed: {operation.get('failure-cause')}")
        self.wait_terminal(job_id, timeout_s)
        return operation["location"]

    def latest_savepoint(self, job_id: str) -> str | None:
        try:
            data = self.get(f"/jobs/{job_id}/checkpoints")
        except FlinkRestError:
            return None  # the JobManager no longer remembers the job
        return ((data.get("latest") or {}).get("savepoint") or {}).get("external_path")

    def latest_checkpoint(self, job_id: str) -> dict[str, Any] | None:
        completed = (self.get(f"/jobs/{job_id}/checkpoints").get("latest") or {}).get("completed")
        if not completed:
            return None
        return {
            "id": completed["id"],
            "at_ms": completed.get("latest_ack_timestamp"),
            "state_size_bytes": completed.get("state_size"),
            "checkpointed_size_bytes": completed.get("checkpointed_size"),
            "duration_ms": completed.get("end_to_end_duration"),
        }

    # -- profiling --------------------------------------------------------------------------
    def flamegraph(self, job_id: str, vertex_id: str, kind: str = "on_cpu", timeout_s: float = 45) -> dict | None:
        """The vertex's flame graph (on_cpu, off_cpu or full), or None when the cluster has them disabled.

        The first request starts the sampling (endTimestamp -3: waiting); -2 means
        rest.flamegraph.enabled is off; -1 that the vertex has finished.
        """

        def ready() -> dict | None:
            graph = self.get(f"/jobs/{job_id}/vertices/{vertex_id}/flamegraph", type=kind)
            return graph if graph.get("endTimestamp", -3) != -3 else None

        graph = poll(ready, "the flame graph's samples", timeout_s, 1.0, FlinkRestError)
        return None if graph.get("endTimestamp") == -2 else graph
