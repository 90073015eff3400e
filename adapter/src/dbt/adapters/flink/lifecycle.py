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

Every job checkpoints into a directory of its own program, ``<cluster checkpoint dir>/<unique_id>/
<fingerprint>``. When the program is not running at all (the JobManager restarted without HA and
forgot its jobs, or the job was cancelled outside dbt), ``dbt run`` resumes it from the newest
checkpoint retained there instead of starting from scratch, and says so.

Safe upgrades: every job carries the script that deployed it (its DDL and INSERT, secrets masked) as a
global job parameter. When the job of a changed model fails at submission or within its grace period,
the previous version is submitted again from that script, resumed from the savepoint taken for the
upgrade (or its newest retained checkpoint), and ``dbt run`` fails with the new job's root cause.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from dbt.adapters.events.logging import AdapterLogger
from flinkclient.errors import root_cause
from flinkclient.redact import redact_sql
from flinkclient.rest import FlinkRestClient, Job

# The global job parameter holding the deploying script (see pack_script).
SCRIPT_PARAMETER = "ctxflow.script"

# How a streaming job comes back after a fault (a TaskManager or the broker away for minutes): retries
# 1 s, 2 s, 4 s ... apart, at most 15 s, without limit. Set per job, so that the cluster's default can
# stay fail-fast for bounded queries (dbt test, dbt show); a model's execution_config may override it.
# A job broken from the start is not retried forever: deploy cancels a job that is not RUNNING within
# its grace period and reports the cause.
STREAMING_RESTARTS = {
    "restart-strategy.type": "exponential-delay",
    "restart-strategy.exponential-delay.initial-backoff": "1 s",
    "restart-strategy.exponential-delay.max-backoff": "15 s",
    "restart-strategy.exponential-delay.backoff-multiplier": "2.0",
    "restart-strategy.exponential-delay.reset-backoff-threshold": "5 min",
    "restart-strategy.exponential-delay.jitter-factor": "0.1",
    "restart-strategy.exponential-delay.attempts-before-reset-backoff": "2147483647",
}


def restart_defaults(model_config: dict[str, str]) -> dict[str, str]:
    """STREAMING_RESTARTS unless the model's execution_config chooses its own restart strategy."""
    if any(k.startswith("restart-strategy") for k in model_config):
        return {}
    return dict(STREAMING_RESTARTS)


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


def checkpoint_dir(rest: FlinkRestClient, name: str) -> str | None:
    """The checkpoint directory of the program ``name`` (``dbt:<unique_id>#<fingerprint>``) under the
    cluster's checkpoint directory, or None when the cluster has none configured."""
    config = rest.jobmanager_config()
    base = config.get("execution.checkpointing.dir") or config.get("state.checkpoints.dir")
    if not base:
        return None
    unit, fp = name.removeprefix("dbt:").split("#", 1)
    return f"{base.rstrip('/')}/{unit}/{fp}"


def latest_retained_checkpoint(directory: str) -> str | None:
    """The newest complete checkpoint Flink retained under ``directory`` (``<job id>/chk-<n>/_metadata``),
    if the directory is on a file system this process can list (the local stack's ``file://``)."""
    url = urlparse(directory)
    if url.scheme not in ("", "file"):
        logger.info(f"Cannot look for retained checkpoints in {directory} from here (only file:// is listed)")
        return None
    found = list(Path(unquote(url.path)).glob("*/chk-*/_metadata"))
    if not found:
        return None
    return max(found, key=lambda m: m.stat().st_mtime).parent.as_uri()


def model_jobs(rest: FlinkRestClient, unique_id: str) -> list[Job]:
    prefix = job_prefix(unique_id)
    jobs = [j for j in rest.jobs() if j.name.split("#", 1)[0] == prefix]
    return sorted(jobs, key=lambda j: j.start_time, reverse=True)


def recent_build(
    rest: FlinkRestClient, unique_id: str, name: str, max_age_s: float, now_ms: int
) -> Job | None:
    """The model's newest job, if it is a FINISHED job named ``name`` that started less than ``max_age_s``
    ago: the batch table it loaded was built from the same SQL, DDL and config (the name carries their
    fingerprint) recently enough to be left as is. Only the newest job of the model counts: after a
    change and its revert, the table holds what the changed query wrote. Age runs from the start, so a
    build that took minutes does not stay fresh for those minutes longer. None otherwise, and when the
    JobManager no longer lists the build (it forgets finished jobs after ``jobstore.expiration-time``,
    and all of them when it restarts): then the table is built again, which is always correct."""
    jobs = model_jobs(rest, unique_id)
    newest = jobs[0] if jobs else None
    if newest is None or newest.name != name or newest.state != "FINISHED":
        return None
    return newest if now_ms - newest.start_time < max_age_s * 1000 else None


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
    # What deploys the job: DDL statements, then the INSERT or statement set, and its job config.
    script: tuple[str, ...] = ()
    script_config: dict[str, str] | None = None


def pack_script(statements: tuple[str, ...], config: dict[str, str]) -> str:
    """``pipeline.global-job-parameters`` carrying the deploying script: JSON of the redacted statements
    and config, compressed, base64 (no ',' or ':', which the parameter's map syntax would split on)."""
    payload = json.dumps({"statements": [redact_sql(s) for s in statements], "config": config})
    return f"{SCRIPT_PARAMETER}:{base64.b64encode(zlib.compress(payload.encode())).decode()}"


def unpack_script(user_config: dict[str, Any]) -> tuple[list[str], dict[str, str]] | None:
    packed = user_config.get(SCRIPT_PARAMETER)
    if not packed:
        return None
    payload = json.loads(zlib.decompress(base64.b64decode(packed)))
    return payload["statements"], payload["config"]


Resubmit = Callable[[list[str], dict[str, str]], str]


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
    resubmit: Resubmit | None = None,
) -> str:
    """Reconcile Flink with the desired state of one streaming model; returns a status line.

    ``submit(extra_config)`` runs the INSERT through the SQL Gateway and returns the job id.
    ``check()``, if given, runs before a running job is replaced: when it raises, the old job keeps
    running. With no job running it is skipped: planning twice costs a first deploy seconds per job and
    protects nothing.
    ``resubmit(statements, config)`` runs a stored script in a session of its own: the previous version
    of the job, when the new one fails (see rollback).
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

    if check is not None and active:
        check()  # only a running job is at stake; a first deploy's submit reports the same error
    healthy = [j for j in active if j.state not in UNHEALTHY]
    previous = healthy[0] if healthy and resubmit is not None else None
    previous_script = rest.job_user_config(previous.job_id) if previous else {}
    savepoint: str | None = None
    for job in active:
        location = stop_job(rest, job, savepoint_mode and job.state not in UNHEALTHY, plan.savepoint_dir)
        savepoint = savepoint or location
    upgrade_savepoint = savepoint
    try:
        return _start(rest, plan, submit, grace_period_s, jobs, active, savepoint, savepoint_mode)
    except Exception as exc:
        if previous is None or resubmit is None:
            raise
        # dbt's exceptions put a title line ("Runtime Error") before their message: keep the message
        message = exc.args[0] if isinstance(exc, JobFailed) else str(getattr(exc, "msg", None) or exc)
        cause = exc.cause if isinstance(exc, JobFailed) else message
        back = rollback(rest, previous, previous_script, upgrade_savepoint, resubmit, grace_period_s)
        raise JobFailed(f"{message.strip()}\n{back}", cause) from None


def _start(
    rest: FlinkRestClient,
    plan: DeployPlan,
    submit: Callable[[dict[str, str]], str],
    grace_period_s: float,
    jobs: list[Job],
    active: list[Job],
    savepoint: str | None,
    savepoint_mode: bool,
) -> str:
    """Submit the job of ``plan``: from ``savepoint``, a savepoint of an earlier job, the program's own
    retained checkpoint, or empty (see deploy)."""
    if savepoint_mode and savepoint is None:
        # Resuming after `job_state: suspended` (or a stop outside dbt): newest savepoint of a
        # previous job of this model, if Flink still remembers that job.
        for job in jobs:
            if not job.active:
                savepoint = rest.latest_savepoint(job.job_id)
                if savepoint:
                    break

    config = {**restart_defaults(plan.script_config or {}), "pipeline.name": plan.name}
    if plan.script:
        config["pipeline.global-job-parameters"] = pack_script(plan.script, plan.script_config or {})
    directory = checkpoint_dir(rest, plan.name)
    if directory:
        config["execution.checkpointing.dir"] = directory
    kind, fallback = "savepoint", plan.stateless_fallback
    if not savepoint and not active and not plan.full_refresh and directory:
        savepoint = latest_retained_checkpoint(directory)
        if savepoint:
            # Same program, so its state maps; if it cannot be read after all, start as before.
            kind, fallback = "retained checkpoint", True
            logger.info(f"{plan.name} is not running (JobManager restarted?), resuming: {kind} {savepoint}")
    if not savepoint:
        job_id = submit(config)
        watch_new_job(rest, job_id, grace_period_s)
        return f"started job {job_id} (stateless)"

    config["execution.savepoint.path"] = savepoint
    # The new query may drop operators; their state must not block the upgrade.
    config["execution.savepoint.ignore-unclaimed-state"] = plan.ignore_unclaimed_state
    logger.info(f"Starting {plan.name} from {kind} {savepoint}")
    try:
        job_id = submit(config)
        watch_new_job(rest, job_id, grace_period_s)
        return f"started job {job_id} (from {kind} {savepoint})"
    except Exception as exc:
        # dbt's exceptions put a title line ("Runtime Error") before their message.
        cause = exc.cause if isinstance(exc, JobFailed) else str(getattr(exc, "msg", None) or exc)
        if not (fallback and is_restore_failure(cause)):
            raise
    logger.warning(
        f"{plan.name}: {kind} {savepoint} cannot be restored into the new job, starting stateless "
        f"instead (Flink: {cause})"
    )
    config = {k: v for k, v in config.items() if not k.startswith("execution.savepoint.")}
    job_id = submit(config)
    watch_new_job(rest, job_id, grace_period_s)
    return f"started job {job_id} (stateless: {kind} {savepoint} could not be restored)"


def rollback(
    rest: FlinkRestClient,
    previous: Job,
    user_config: dict[str, Any],
    savepoint: str | None,
    resubmit: Resubmit,
    grace_period_s: float,
) -> str:
    """Submit ``previous`` again from the script it carries, resumed from ``savepoint`` (taken for the
    upgrade) or else its program's newest retained checkpoint; returns what happened, for the error."""
    script = unpack_script(user_config)
    if script is None:
        return f"The previous version ({previous.name}) carries no deploy script: it was not restarted."
    statements, config = script
    state = savepoint
    directory = checkpoint_dir(rest, previous.name)
    if state is None and directory:
        state = latest_retained_checkpoint(directory)
    config = {**restart_defaults(config), **config, "pipeline.name": previous.name}
    config["pipeline.global-job-parameters"] = f"{SCRIPT_PARAMETER}:{user_config[SCRIPT_PARAMETER]}"
    if directory:
        config["execution.checkpointing.dir"] = directory
    if state:
        config["execution.savepoint.path"] = state
    origin = state or "nothing (no state found)"
    logger.warning(f"Restarting the previous version {previous.name} from {origin}")
    try:
        job_id = resubmit(statements, config)
        watch_new_job(rest, job_id, grace_period_s)
    except Exception as exc:  # the upgrade's own failure is what dbt reports; this one is added to it
        first = (str(getattr(exc, "msg", None) or exc).strip().splitlines() or [""])[0]
        return f"The previous version ({previous.name}) could not be restarted either: {first}"
    return f"The previous version is running again: job {job_id} ({previous.name}), from {origin}."


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
