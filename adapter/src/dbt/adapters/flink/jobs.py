"""Flink REST (JobManager) client: the job lifecycle that SQL alone cannot express well.

SQL Gateway can submit jobs, but finding "the running job of model X", stopping it with a
savepoint and waiting for the savepoint path, and reading a failed job's root exception are
simpler and more reliable through the JobManager's REST API (default port 8081).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

ACTIVE_STATES = {"INITIALIZING", "CREATED", "RUNNING", "RESTARTING", "FAILING", "CANCELLING", "RECONCILING"}


class FlinkRestError(Exception):
    pass


@dataclass
class Job:
    job_id: str
    name: str
    state: str
    start_time: int

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES


class FlinkRestClient:
    def __init__(self, base_url: str, headers: dict[str, str] | None = None, verify: bool = True):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, headers=headers or {}, timeout=30.0, verify=verify)

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            resp = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise FlinkRestError(
                f"Cannot reach the Flink REST API at {self.base_url} ({exc}). Set flink_rest_host / "
                "flink_rest_port in profiles.yml to the JobManager REST endpoint (default port 8081)."
            ) from exc
        if resp.status_code >= 400:
            raise FlinkRestError(f"Flink REST {method} {path} -> HTTP {resp.status_code}: {resp.text[:500]}")
        return resp.json() if resp.content else {}

    def close(self) -> None:
        self._http.close()

    def overview(self) -> dict[str, Any]:
        return self._call("GET", "/overview")

    def jobs(self) -> list[Job]:
        data = self._call("GET", "/jobs/overview")
        return [Job(j["jid"], j["name"], j["state"], j.get("start-time", 0)) for j in data.get("jobs", [])]

    def job(self, job_id: str) -> Job:
        j = self._call("GET", f"/jobs/{job_id}")
        return Job(j["jid"], j["name"], j["state"], j.get("start-time", 0))

    def root_exception(self, job_id: str) -> str:
        data = self._call("GET", f"/jobs/{job_id}/exceptions")
        entries = (data.get("exceptionHistory") or {}).get("entries") or []
        trace = data.get("root-exception") or (entries[0].get("stacktrace") if entries else "") or ""
        return trace

    def cancel(self, job_id: str) -> None:
        self._call("PATCH", f"/jobs/{job_id}", params={"mode": "cancel"})

    def wait_terminal(self, job_id: str, timeout_s: float = 60.0) -> str:
        deadline = time.monotonic() + timeout_s
        while True:
            state = self.job(job_id).state
            if state not in ACTIVE_STATES:
                return state
            if time.monotonic() > deadline:
                raise FlinkRestError(f"job {job_id} still {state} after {timeout_s:.0f}s")
            time.sleep(0.3)

    def stop_with_savepoint(self, job_id: str, target_dir: str | None, timeout_s: float = 120.0) -> str:
        """Stop the job gracefully with a savepoint and return the savepoint location."""
        body: dict[str, Any] = {"drain": False, "formatType": "CANONICAL"}
        if target_dir:
            body["targetDirectory"] = target_dir
        trigger = self._call("POST", f"/jobs/{job_id}/stop", json=body)["request-id"]
        deadline = time.monotonic() + timeout_s
        while True:
            info = self._call("GET", f"/jobs/{job_id}/savepoints/{trigger}")
            if info.get("status", {}).get("id") == "COMPLETED":
                op = info.get("operation") or {}
                if "location" in op:
                    self.wait_terminal(job_id, timeout_s)
                    return op["location"]
                raise FlinkRestError(f"stop-with-savepoint of job {job_id} failed: {op.get('failure-cause')}")
            if time.monotonic() > deadline:
                raise FlinkRestError(f"savepoint of job {job_id} not completed after {timeout_s:.0f}s")
            time.sleep(0.5)

    def latest_savepoint(self, job_id: str) -> str | None:
        try:
            data = self._call("GET", f"/jobs/{job_id}/checkpoints")
        except FlinkRestError:
            return None
        latest = (data.get("latest") or {}).get("savepoint") or {}
        return latest.get("external_path")
