"""Car (the car maker story): three visitors whose sessions score differently on size, urgency, budget.

(a) family + urgent + standard: family/suv/van bodies in standard trim, asks for finance, books a test drive
(b) small + exploring + premium: small/compact bodies in premium trim, configures, no finance or test drive
(c) family + exploring + premium: family/suv bodies in premium trim, configures, no finance or test drive
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalogue import CAR_CATEGORY
from ..population import Taste
from ..sessions import page_view
from .model import Expectation, Scenario
from .scripting import Timeline, live_context, scripted_user


@dataclass(frozen=True)
class Buyer:
    label: str
    steps: tuple[tuple[str, str, str], ...]  # (action, body_type, trim)
    size_class: str
    urgency: str
    budget: str


BUYERS = (
    Buyer(
        "a",
        (
            ("view", "family", "standard"),
            ("view", "suv", "standard"),
            ("view", "van", "standard"),
            ("view", "family", "standard"),
            ("finance", "family", "standard"),
            ("view", "suv", "standard"),
            ("test_drive", "family", "standard"),
        ),
        "family",
        "urgent",
        "standard",
    ),
    Buyer(
        "b",
        (
            ("view", "small", "premium"),
            ("view", "compact", "premium"),
            ("configure", "compact", "premium"),
            ("view", "small", "premium"),
            ("configure", "small", "premium"),
            ("view", "compact", "premium"),
            ("configure", "compact", "premium"),
        ),
        "small",
        "exploring",
        "premium",
    ),
    Buyer(
        "c",
        (
            ("view", "family", "premium"),
            ("view", "suv", "premium"),
            ("configure", "suv", "premium"),
            ("view", "family", "premium"),
            ("view", "suv", "premium"),
            ("configure", "family", "premium"),
            ("view", "suv", "premium"),
        ),
        "family",
        "exploring",
        "premium",
    ),
)
TASTE = Taste(
    genres=("pop",), audiences=("general",), categories=("home",), target_gender="unisex", target_age_band="any"
)


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    ctx = live_context(seed, "car")
    t = Timeline(now_ms, time_scale)
    expectations = []
    for n, buyer in enumerate(BUYERS):
        user = scripted_user(f"car-{buyer.label}-{seed}", seed, TASTE)
        session_id = f"car-{buyer.label}-{seed}-live"
        for i, (action, body, trim) in enumerate(buyer.steps):  # the three sessions interleave, 3 s apart
            t.add(
                page_view(
                    ctx, user, session_id, t.at(i * 10 + n * 3), action, CAR_CATEGORY, "unisex", "any", body, trim
                )
            )
        expectations.append(
            Expectation(
                "car_intent",
                {"session_id": session_id},
                f"buyer ({buyer.label}): {buyer.size_class} + {buyer.urgency} + {buyer.budget}",
                after_event_id=t.timed[-1].event.value["event_id"],
                equals={
                    "user_id": user.user_id,
                    "size_class": buyer.size_class,
                    "urgency": buyer.urgency,
                    "budget": buyer.budget,
                },
            )
        )
    return Scenario(
        "car",
        "three car-site sessions: (a) family+urgent+standard, (b) small+exploring+premium, "
        "(c) family+exploring+premium",
        [],
        sorted(t.timed, key=lambda x: x.send_offset_ms),
        expectations,
    )
