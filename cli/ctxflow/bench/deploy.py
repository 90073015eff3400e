"""Step 2: `dbt seed`, then the whole project deployed onto the backlog so that every job is running
before the first event is read: first everything downstream of the contract layer (it starts on its
empty typed topics), then the contract job group, whose start starts the drain's clock. Measured
like a ceiling: one moment when reading begins, one when every job has read to the end.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flinkclient.jobnames import short_name

from ..core.kafka_io import admin_client
from ..core.topics import ensure_contract_topics
from .jobmetrics import is_project_job
from .session import Session

CONTRACT = "path:models/contract"  # the job group that reads the raw topics (dbt_project.yml)
PROFILES = "path:models/profiles"  # the batch tables over the typed history


def seed(s: Session) -> None:
    s.timings["dbt_seed_s"] = s.dbt("seed")
    s.say(f"dbt seed: {s.timings['dbt_seed_s']} s")


def deploy(s: Session, extra_vars: dict | None = None) -> dict[str, str]:
    """The project from nothing in two `dbt run`s (downstream, then the contract group), with the
    project's vars overridden by `extra_vars`; its jobs."""
    t = time.monotonic()
    downstream = s.dbt("run", "--exclude", CONTRACT, extra_vars=extra_vars)
    contract = s.dbt("run", "--select", CONTRACT, extra_vars=extra_vars)
    jobs = s.rest.active_jobs(is_project_job)
    total, free = s.rest.slots()
    s.result["deploy"] = {
        "dbt_run_s": round(downstream + contract, 1),
        "dbt_run_downstream_s": downstream,
        "dbt_run_contract_s": contract,
        "dbt_seed_s": s.timings.get("dbt_seed_s"),
        "flink_jobs": len(jobs),
        "jobs": sorted(short_name(n) for n in jobs.values()),
        "slots_used": total - free,
        "slots_total": total,
    }
    s.timed("deploy_s", t)
    s.say(
        f"dbt run: {downstream} s (downstream) + {contract} s (contract group), {len(jobs)} Flink jobs: "
        + ", ".join(s.result["deploy"]["jobs"])
    )
    return jobs


def rerun(s: Session, jobs: dict[str, str]) -> None:
    """`dbt run` of the whole project again with nothing changed: every job must be left alone, and the
    profiles, built at deploy over typed topics still empty, are left as is too (freshness.build_after)."""
    seconds = s.dbt("run")
    after = s.rest.active_jobs(is_project_job)
    s.result["deploy"] |= {"dbt_rerun_s": seconds, "rerun_left_jobs_alone": sorted(after) == sorted(jobs)}
    s.say(f"dbt run again, no change: {seconds} s, jobs left alone: {sorted(after) == sorted(jobs)}")


def build_profiles(s: Session) -> None:
    """The profiles over the drained history (--full-refresh), as a nightly run builds them: what a batch
    rebuild of the history costs, and the next-best actions' step reads them. After the ad latency
    steps, which do not read them: the jobs that join the profiles take seconds of CPU to digest a
    rebuild, and the latency steps measure a pipeline at rest."""
    seconds = s.dbt("run", "--select", PROFILES, "--full-refresh")
    s.result["deploy"] |= {"dbt_run_profiles_s": seconds}
    s.say(f"profiles over the history (dbt run --select {PROFILES} --full-refresh): {seconds} s")


@dataclass(frozen=True)
class Deployed:
    seed_s: float
    run_s: float
    jobs: dict[str, str]  # job id -> name


@contextmanager
def whole_project_on(s: Session, prefix: str) -> Iterator[Deployed]:
    """The whole project seeded and deployed in one `dbt run` each, as a user deploys it, onto the topics
    of `prefix` (the caller creates them); every job is cancelled on leaving, whatever happened."""
    try:
        seed_s = s.dbt("seed", extra_vars={"topic_prefix": prefix})
        run_s = s.dbt("run", extra_vars={"topic_prefix": prefix})
        yield Deployed(seed_s, run_s, s.rest.active_jobs(is_project_job))
    finally:
        s.cancel_jobs()


def from_nothing(s: Session) -> None:
    """`dbt run` of the whole project in one invocation, as a user deploys it: no job of ours running, onto
    topics of a prefix of its own (empty but for the seeds, loaded first and timed apart). The drain's
    deploy above takes two invocations so that its clock starts with the contract group; this is the
    figure a user waits for. Its jobs are cancelled again."""
    t = time.monotonic()
    s.cancel_jobs()
    prefix = f"{s.prefix}fresh."
    ensure_contract_topics(admin_client(s.settings.kafka_bootstrap), prefix)
    try:
        with whole_project_on(s, prefix) as deployed:
            pass
    except SystemExit as failed:  # the figures of the steps before stay; this one says why it has none
        s.notes.append(f"dbt run from nothing failed: {failed}")
        return
    s.result["deploy"] |= {
        "dbt_run_from_nothing_s": deployed.run_s,
        "dbt_seed_from_nothing_s": deployed.seed_s,
        "from_nothing_flink_jobs": len(deployed.jobs),
    }
    s.timed("from_nothing_s", t)
    s.say(
        f"dbt run from nothing, one invocation: {deployed.run_s} s, {len(deployed.jobs)} Flink jobs"
        f" (dbt seed before it {deployed.seed_s} s)"
    )
