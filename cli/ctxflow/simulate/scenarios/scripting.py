"""Helpers the scenario builders share: a scripted user with pure taste, its history, live timing."""

from __future__ import annotations

import random

from ...core.events import Event
from ..ids import Ids
from ..population import Taste, User, make_user
from ..sessions import SessionContext
from ..traffic import history_events
from .model import Timed

HISTORY_DAYS = 30
# history ends this long before the live phase, so a batch profile and live context never overlap
HISTORY_GAP_MS = 3_600_000


def scripted_user(user_id: str, seed: int, taste: Taste) -> User:
    return make_user(user_id, random.Random(f"user:{seed}:{user_id}"), taste)


def history(users: list[User], seed: int, now_ms: int, days: float = HISTORY_DAYS) -> list[Event]:
    return list(history_events(users, [], seed, now_ms - HISTORY_GAP_MS, days))


def live_context(seed: int, scenario: str) -> SessionContext:
    return SessionContext(random.Random(f"{scenario}:{seed}"), Ids(seed, f"{scenario}:live"))


class Timeline:
    """Collects live events: each at `offset_s` after the start, scaled by time_scale, with ts = now + offset."""

    def __init__(self, now_ms: int, time_scale: float) -> None:
        self.now_ms, self.scale = now_ms, time_scale
        self.timed: list[Timed] = []

    def at(self, offset_s: float) -> int:
        """The ts of an event `offset_s` into the live phase."""
        return self.now_ms + int(offset_s * 1000 * self.scale)

    def add(self, event: Event) -> Event:
        self.timed.append(Timed(event.ts - self.now_ms, event))
        return event
