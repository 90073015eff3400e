"""What a job group computes once, read from the plan Flink runs (its REST API's /jobs/<id>/plan).

play_contexts and ad_decisions (job group `ads`) read the contexts of one OVER window over the plays.
Flink reuses it for both only while their plans below the sinks are the same (play_contexts.sql says what
keeps them so); when they differ, the group silently computes and keeps the window twice."""

from __future__ import annotations

from dbt_project import DECISIONS_JOB, Project

pytest_plugins = ["conftest_models"]


def test_the_ads_group_computes_the_context_window_once(project: Project):
    job_id = project.running_jobs()[DECISIONS_JOB]
    with project.rest() as rest:
        nodes = rest.get(f"/jobs/{job_id}/plan")["plan"]["nodes"]
    descriptions = [node["description"] for node in nodes]
    windows = [d for d in descriptions if "OverAggregate" in d and "ctx_context_counts" in d]
    assert len(windows) == 1, f"{len(windows)} context windows in the ads group's plan:\n" + "\n".join(windows)
    for sink in ("play_contexts", "ad_decisions"):
        assert any(f"{sink}[" in d for d in descriptions), f"no {sink} sink in the ads group's plan"
