"""Streaming-job lifecycle: one named Flink job per streaming model, or per job group.

A job group (groups.py) goes through the same reconciliation with ``group.<package>.<name>`` in
place of the unique_id.

Change detection: the job's ``pipeline.name`` is ``dbt:<unique_id>#<fingerprint>`` where the
fingerprint is a short hash of the deployed INSERT statement, the DDL of the sink and of every
table/view the query reads (a source's new topic must restart the job too), and the model's
execution_config.  On ``dbt run`` we read ``/jobs/overview`` from the JobManager: a healthy
active job with the same name means nothing changed (left alone); a different fingerprint
means the model changed and its job is replaced.  Nothing is stored outside Flink itself, so
this works from any machine and survives lost local state.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dbt.adapters.events.logging import AdapterLogger
from flinkclient.errors import root_cause
from flinkclient.redact import redact_sql
from flinkclient.rest import FlinkRestClient, Job

logger = AdapterLogger("Flink")

UNHEALTHY = {"RESTARTING", "FAILING", "FAILED"}


class JobFailed(Exception):
    def __init__(self, message: str, cause: str = ""):
        super().__init__(message)
        self.cause = cause  # Flink's one-line root cause


# Root causes of a savepoint that cannot be restored into the new program: an operator whose
# state has no place in it, or state whose type changed incompatibly.
_RESTORE_FAILURE = re.compile(r"savepoint|StateMigrationException|state serializer|Cannot map", re.IGNORECASE)


def is_restore_failure(cause: str) -> bool:
    return bool(_RESTORE_FAILURE.search(cause))


def job_prefix(unique_id: str) -> str:
    return f"dbt:{unique_id}"


def fingerprint(insert_sql: str, ddl: list[str], execution_config: dict[str, Any]) -> str:
    payload = json.dumps(
        [
            " ".join(insert_sql.split()),
            sorted(" ".join(d.split()) for d in ddl),
            sorted(execution_config.items()),
        ],
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def job_name(unique_id: str, fp: str) -> str:
    return f"{job_prefix(unique_id)}#{fp}"


def model_jobs(rest: FlinkRestClient, unique_id: str) -> list[Job]:
    prefix = job_prefix(unique_id)
    jobs = [j for j in rest.jobs() if j.name.split("#", 1)[0] == prefix]
    return sorted(jobs, key=lambda j: j.start_time, reverse=True)


@dataclass
class DeployPlan:
    unique_id: str
    name: str
    upgrade_mode: str  # 'stateless' | 'savepoint'
    job_state: str  # 'running' | 'suspended'
    full_refresh: bool
    savepoint_dir: str | None
    # Value of execution.savepoint.ignore-unclaimed-state when resuming from a savepoint.
    ignore_unclaimed_state: str = "true"
    # A savepoint that cannot be restored: start stateless instead of failing (job groups).
    stateless_fallback: bool = False


def stop_job(rest: FlinkRestClient, job: Job, with_savepoint: bool, savepoint_dir: str | None) -> str | None:
    if with_savepoint and job.state == "RUNNING":
        location = rest.stop_with_savepoint(job.job_id, savepoint_dir)
        logger.info(f"Stopped job {job.job_id} ({job.name}) with savepoint {location}")
        return location
    rest.cancel(job.job_id)
    rest.wait_terminal(job.job_id)
    logger.info(f"Cancelled job {job.job_id} ({job.name})")
    return None


def deploy(
    rest: FlinkRestClient,
    plan: DeployPlan,
    submit: Callable[[dict[str, str]], str],
    grace_period_s: float,
    check: Callable[[], None] | None = None,
) -> str:
    """Reconcile Flink with the desired state of one streaming model; returns a status line.

    ``submit(extra_config)`` runs the INSERT through the SQL Gateway and returns the job id.
    ``check()``, if given, runs before a job is replaced: when it raises, the old job keeps running.
    """
    jobs = model_jobs(rest, plan.unique_id)
    active = [j for j in jobs if j.active]
    savepoint_mode = plan.upgrade_mode == "savepoint" and not plan.full_refresh

    if plan.job_state == "suspended":
        for job in active:
            stop_job(rest, job, savepoint_mode, plan.savepoint_dir)
        return f"suspended ({len(active)} job(s) stopped)"

    same = [j for j in active if j.name == plan.name and j.state not in UNHEALTHY]
    if same and not plan.full_refresh:
        for extra in (j for j in active if j is not same[0]):
            stop_job(rest, extra, False, None)  # duplicates from an interrupted earlier run
        return f"unchanged, job {same[0].job_id} left running"

    if check is not None:
        check()
    savepoint: str | None = None
    for job in active:
        location = stop_job(rest, job, savepoint_mode and job.state not in UNHEALTHY, plan.savepoint_dir)
        savepoint = savepoint or location
    if savepoint_mode and savepoint is None:
        # Resuming after `job_state: suspended` (or a stop outside dbt): newest savepoint of a
        # previous job of this model, if Flink still remembers that job.
        for job in jobs:
            if not job.active:
                savepoint = rest.latest_savepoint(job.job_id)
                if savepoint:
                    break

    config = {"pipeline.name": plan.name}
    if not savepoint:
        job_id = submit(config)
        watch_new_job(rest, job_id, grace_period_s)
        return f"started job {job_id} (stateless)"

    config["execution.savepoint.path"] = savepoint
    # The new query may drop operators; their state must not block the upgrade.
    config["execution.savepoint.ignore-unclaimed-state"] = plan.ignore_unclaimed_state
    logger.info(f"Starting {plan.name} from savepoint {savepoint}")
    try:
        job_id = submit(config)
        watch_new_job(rest, job_id, grace_period_s)
        return f"started job {job_id} (from savepoint {savepoint})"
    except Exception as exc:
        # dbt's exceptions put a title line ("Runtime Error") before their message.
        cause = exc.cause if isinstance(exc, JobFailed) else str(getattr(exc, "msg", None) or exc)
        if not (plan.stateless_fallback and is_restore_failure(cause)):
            raise
    logger.warning(
        f"{plan.name}: savepoint {savepoint} cannot be restored into the new job, starting stateless "
        f"instead (Flink: {cause})"
    )
    job_id = submit({"pipeline.name": plan.name})
    watch_new_job(rest, job_id, grace_period_s)
    return f"started job {job_id} (stateless: savepoint {savepoint} could not be restored)"


def stop_jobs_of(
    rest: FlinkRestClient, unique_id: str, with_savepoint: bool, savepoint_dir: str | None
) -> list[str]:
    """Stop every active job of ``unique_id``; returns a description of each stopped job."""
    stopped = []
    for job in (j for j in model_jobs(rest, unique_id) if j.active):
        location = stop_job(rest, job, with_savepoint and job.state not in UNHEALTHY, savepoint_dir)
        stopped.append(f"{job.job_id}" + (f" (savepoint {location})" if location else ""))
    return stopped


def watch_new_job(rest: FlinkRestClient, job_id: str, grace_period_s: float) -> None:
    """Fail fast when a job dies right after submission (unknown topic, bad format, ...)."""
    deadline = time.monotonic() + grace_period_s
    while True:
        job = rest.job(job_id)
        if job.state in UNHEALTHY or job.state == "CANCELED":
            cause = redact_sql(root_cause(rest.root_exception(job_id) or job.state))
            if job.state in ("RESTARTING", "FAILING"):
                rest.cancel(job_id)  # a RESTARTING job would otherwise loop forever
            raise JobFailed(f"Flink job {job_id} ({job.name}) {job.state} after submission: {cause}", cause)
        if time.monotonic() >= deadline:
            return
        time.sleep(0.5)
