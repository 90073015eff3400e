"""Christmas (the Spotify story): an adult romance listener plays Christmas songs with the family.

While the family context lasts, adult ads (contraceptives, dating, alcohol) must be blocked and
family-friendly ones allowed; once the user is back to their usual adult music, the block lifts.
"""

from __future__ import annotations

from ..population import Taste
from ..sessions import ad_request, play
from .model import Expectation, Scenario
from .scripting import Timeline, history, live_context, scripted_user

BLOCKED = ("contraceptives", "dating", "alcohol")
WHITELISTED = ("toys", "family_events")
TASTE = Taste(
    genres=("romance", "rnb"),
    audiences=("adult",),
    categories=("fashion_women", "beauty"),
    target_gender="female",
    target_age_band="25-34",
    session_mix=(("music", 1.0),),
    explore=0.0,
)


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    user = scripted_user(f"xmas-{seed}", seed, TASTE)
    ctx = live_context(seed, "christmas")
    t = Timeline(now_ms, time_scale)
    family_plays = [
        t.add(play(ctx, user, t.at(i * 12), "christmas", ("family", "kids")[i % 2])) for i in range(5)
    ]  # 5 Christmas plays within a minute
    family_requests = [t.add(ad_request(ctx, user, t.at(55 + i * 5), "audio_break")) for i in range(3)]
    normal_plays = [t.add(play(ctx, user, t.at(70 + i * 10), ("romance", "rnb")[i % 2], "adult")) for i in range(8)]
    normal_requests = [t.add(ad_request(ctx, user, t.at(155 + i * 5), "audio_break")) for i in range(2)]
    # the user listens on: a request is decided once the plays have passed its time (ad_decisions)
    t.add(play(ctx, user, t.at(170), "romance", "adult"))

    key = {"user_id": user.user_id}
    first_normal = normal_plays[0].value["event_id"]
    expectations = [
        Expectation(
            "ad_eligibility",
            key,
            "family context after the Christmas plays",
            after_event_id=family_plays[-1].value["event_id"],
            until_event_id=first_normal,
            contains={
                "context_signals": ("family_context",),
                "blocked_categories": BLOCKED,
                "whitelisted_categories": WHITELISTED,
            },
        ),
        *(
            Expectation(
                "ad_decisions",
                {"request_id": r.value["request_id"]},
                "no adult ad during the family context",
                excludes={"served_category": BLOCKED},
                contains={"blocked_categories": BLOCKED},
            )
            for r in family_requests
        ),
        Expectation(
            "ad_eligibility",
            key,
            "back to normal: the block lifts",
            after_event_id=normal_plays[-1].value["event_id"],
            excludes={"context_signals": ("family_context",), "blocked_categories": BLOCKED},
        ),
        *(
            Expectation(
                "ad_decisions",
                {"request_id": r.value["request_id"]},
                "adult categories no longer blocked",
                excludes={"blocked_categories": BLOCKED},
            )
            for r in normal_requests
        ),
    ]
    return Scenario(
        "christmas",
        f"{user.user_id}: 30 days of adult romance/rnb, then 5 Christmas plays with the family, 3 ad requests, "
        "8 romance/rnb plays, 2 more ad requests and another romance play",
        history([user], seed, now_ms),
        t.timed,
        expectations,
    )
