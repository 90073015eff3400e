"""Gift (the e-commerce story): a gadget shopper suddenly browses what his mother would like.

`gift-<seed>` has a month of electronics/gaming for men 25-34, then a session of jewelry, garden,
cookware and women's fashion for women 55+: persona `gift`. `self-<seed>` has the same history and a
session in line with it: persona `self`.
"""

from __future__ import annotations

from ..population import Taste
from ..sessions import page_view
from .model import Expectation, Scenario
from .scripting import Timeline, history, live_context, scripted_user

TASTE = Taste(
    genres=("rock",),
    audiences=("general",),
    categories=("electronics", "gaming"),
    target_gender="male",
    target_age_band="25-34",
    session_mix=(("shop", 1.0),),
    explore=0.0,
)
GIFT_BROWSING = (
    ("search", "jewelry"),
    ("view", "jewelry"),
    ("view", "garden"),
    ("search", "cookware"),
    ("view", "cookware"),
    ("view", "fashion_women"),
)
SELF_BROWSING = (
    ("search", "electronics"),
    ("view", "electronics"),
    ("view", "gaming"),
    ("view", "electronics"),
    ("search", "gaming"),
    ("view", "gaming"),
)
# deviation_score is the share of the session's views outside the user's usual segment (0..1): the gift
# session is entirely outside it, the self session entirely inside; the bounds leave the model room
# (seeds/context_thresholds.csv makes 0.6 the gift threshold)
GIFT_MIN_DEVIATION = 0.6
SELF_MAX_DEVIATION = 0.2


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    gifter = scripted_user(f"gift-{seed}", seed, TASTE)
    buyer = scripted_user(f"self-{seed}", seed, TASTE)
    ctx = live_context(seed, "gift")
    t = Timeline(now_ms, time_scale)
    sessions = {gifter.user_id: f"gift-{seed}-live", buyer.user_id: f"self-{seed}-live"}
    for i, ((g_action, g_cat), (s_action, s_cat)) in enumerate(zip(GIFT_BROWSING, SELF_BROWSING, strict=True)):
        sid = sessions[gifter.user_id]
        t.add(page_view(ctx, gifter, sid, t.at(i * 15), g_action, g_cat, "female", "55+"))
        sid = sessions[buyer.user_id]
        t.add(page_view(ctx, buyer, sid, t.at(i * 15 + 7), s_action, s_cat, "male", "25-34"))
    last = {e.event.key: e.event.value["event_id"] for e in t.timed}

    def key(user) -> dict:
        return {"user_id": user.user_id, "session_id": sessions[user.user_id]}

    expectations = [
        Expectation(
            "personas",
            key(gifter),
            "shopping for someone else: a woman of 55+",
            after_event_id=last[gifter.user_id],
            equals={"persona": "gift", "recipient_gender": "female", "recipient_age_band": "55+"},
            at_least={"deviation_score": GIFT_MIN_DEVIATION},
        ),
        Expectation(
            "personas",
            key(buyer),
            "shopping for himself, as usual",
            after_event_id=last[buyer.user_id],
            equals={"persona": "self"},
            at_most={"deviation_score": SELF_MAX_DEVIATION},
        ),
    ]
    return Scenario(
        "gift",
        f"{gifter.user_id} and {buyer.user_id}: 30 days of electronics/gaming for men 25-34; then {gifter.user_id} "
        f"browses jewelry, garden, cookware, women's fashion for women 55+, {buyer.user_id} more electronics",
        history([gifter, buyer], seed, now_ms),
        t.timed,
        expectations,
    )
