"""Rules are data: a rule added to the seed and loaded with `dbt seed --select ad_rules` alone changes
the eligibility of a user already in that context, and reaches ad decisions, without redeploying any
model (every streaming model keeps its Flink job)."""

from __future__ import annotations

import random
import time

from dbt_project import REPO, Project, poll_until

from ctxflow.core.tally import Tally
from ctxflow.simulate.ids import Ids
from ctxflow.simulate.population import make_user
from ctxflow.simulate.sessions import SessionContext, ad_request, play

pytest_plugins = ["conftest_models"]

RULES_CSV = REPO / "seeds" / "ad_rules.csv"
CATEGORY = "travel"  # not blocked in a family context by the shipped rules


def latest_eligibility(project: Project, user_id: str) -> dict | None:
    latest = None
    for r in project.read("ad_eligibility"):
        if r.key == {"user_id": user_id}:
            latest = r.value
    return latest


def test_a_rule_added_by_seed_blocks_its_category_at_once_without_redeploy(project: Project):
    seed = random.randrange(1_000_000)
    rule_id = f"R9{seed:06d}"
    rng = random.Random(f"rules-test:{seed}")
    ctx = SessionContext(rng, Ids(seed, "rules-test"))
    user = make_user(f"rule-{seed}", rng)
    jobs = project.running_jobs()

    # the user is in a family context, and travel is not blocked for them
    now = int(time.time() * 1000)
    with project.sink() as sink:
        for i in range(4):
            sink.send(play(ctx, user, now + i, "kids_songs", "kids"), Tally())
    before = poll_until(
        lambda: (v := latest_eligibility(project, user.user_id)) and "family_context" in v["context_signals"] and v,
        f"a family context for {user.user_id}",
    )
    assert CATEGORY not in before["blocked_categories"], before

    original = RULES_CSV.read_text()
    assert rule_id not in original
    row = f"{rule_id},block,family_context,{CATEGORY},100,e2e test: a rule added at run time,2020-01-01 00:00:00,\n"
    try:
        RULES_CSV.write_text(original + ("" if original.endswith("\n") else "\n") + row)
        project.dbt("seed", "--select", "ad_rules")
    finally:
        RULES_CSV.write_text(original)
    seeded = time.monotonic()

    # no new play: the rule change alone republishes the user's eligibility
    after = poll_until(
        lambda: (v := latest_eligibility(project, user.user_id)) and CATEGORY in v["blocked_categories"] and v,
        f"{CATEGORY} blocked for {user.user_id}",
        timeout_s=30,
    )
    print(f"\nrules: {CATEGORY} blocked {time.monotonic() - seeded:.2f} s after `dbt seed --select ad_rules`")
    assert rule_id in after["rule_ids"] and "family_context" in after["context_signals"], after

    # an ad request made now is decided with the new block
    now = int(time.time() * 1000)
    request = ad_request(ctx, user, now, "audio_break")
    with project.sink() as sink:
        sink.send(request, Tally())
        # the user listens on: a request is decided once the plays have passed its time (ad_decisions)
        sink.send(play(ctx, user, now + 1, "kids_songs", "kids"), Tally())
    decision = project.wait_for_decision(request.value["request_id"], "the decision of the ad request")
    assert CATEGORY in decision["blocked_categories"] and decision["served_category"] != CATEGORY, decision

    assert project.running_jobs() == jobs, "a streaming model was redeployed"
