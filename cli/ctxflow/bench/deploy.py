"""Step 2: `dbt seed` and `dbt run` of the whole project onto the backlog (jobs start reading at once)."""

from __future__ import annotations

import time

from .flinkrest import is_project_job, short_job_name
from .session import Session


def seed(s: Session) -> None:
    s.timings["dbt_seed_s"] = s.dbt("seed")
    s.say(f"dbt seed: {s.timings['dbt_seed_s']} s")


def deploy(s: Session) -> dict[str, str]:
    """`dbt run` of the project (the bench's KPI models stay disabled); returns its running jobs."""
    t = time.monotonic()
    seconds = s.dbt("run")
    jobs = s.rest.active_jobs(is_project_job)
    total, free = s.rest.slots()
    s.result["deploy"] = {
        "dbt_run_s": seconds,
        "dbt_seed_s": s.timings.get("dbt_seed_s"),
        "flink_jobs": len(jobs),
        "jobs": sorted(short_job_name(n) for n in jobs.values()),
        "slots_used": total - free,
        "slots_total": total,
    }
    s.timed("deploy_s", t)
    s.say(f"dbt run: {seconds} s, {len(jobs)} Flink jobs: {', '.join(s.result['deploy']['jobs'])}")
    return jobs
