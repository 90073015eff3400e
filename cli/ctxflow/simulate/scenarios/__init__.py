"""Scripted scenarios from the product brief, as pure builders.

    build_scenario(name, seed, now_ms, time_scale=1.0) -> Scenario

A Scenario has `history` (back-dated events, send first), `live` (Timed events: send each at its
`send_offset_ms` after the live phase starts; its ts is now_ms + offset) and `expectations` (what the
output topics must show, checkable with `Expectation.check`). Nothing here touches Kafka or the
clock: the same (name, seed, now_ms) always gives the same scenario. `time_scale` < 1 compresses the
live phase for faster tests.
"""

from __future__ import annotations

from collections.abc import Callable

from . import bank, campaign, car, christmas, gift, telco
from .model import Expectation, Scenario, Timed

BUILDERS: dict[str, Callable[..., Scenario]] = {
    "christmas": christmas.build,
    "gift": gift.build,
    "car": car.build,
    "campaign": campaign.build,
    "bank": bank.build,
    "telco": telco.build,
}
NAMES = tuple(BUILDERS)


def build_scenario(name: str, seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    if name not in BUILDERS:
        raise ValueError(f"unknown scenario {name!r}; scenarios: {', '.join(NAMES)}")
    return BUILDERS[name](seed, now_ms, time_scale)


__all__ = ["NAMES", "Expectation", "Scenario", "Timed", "build_scenario"]
