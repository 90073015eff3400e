"""Background traffic: back-dated history (sorted by `ts`) and an endless live stream.

History follows each user's rhythm (more sessions on weekends, starts around the user's peak hours).
Live traffic is asked for at a given rate, which a few users cannot produce with realistic gaps, so
it interleaves a pool of concurrent sessions and stamps each event with a virtual clock that advances
1/rate per event: sent on pace, `ts` is within milliseconds of the wall clock.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime

from ..core.events import Event
from .campaigns import Campaign
from .ids import Ids
from .population import User
from .sessions import SessionContext, session

DAY_MS = 86_400_000
HOUR_MS = 3_600_000


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _session_start(rng: random.Random, user: User, day_start: int) -> int:
    if rng.random() < 0.75:
        hour = min(23.99, max(0.0, rng.choice(user.peak_hours) + rng.gauss(0, 1)))
    else:
        hour = rng.uniform(7, 23.99)
    return day_start + int(hour * HOUR_MS)


def history_events(
    users: list[User], campaigns: list[Campaign], seed: int, end_ms: int, days: float
) -> Iterator[Event]:
    """Every user's sessions in [end_ms - days, end_ms), in `ts` order, generated one day at a time."""
    rng = random.Random(f"history:{seed}:{end_ms}:{days}")
    ctx = SessionContext(rng, Ids(seed, f"history:{end_ms}"), campaigns)
    begin = end_ms - int(days * DAY_MS)
    pending: list[tuple[int, int, Event]] = []
    seq = 0
    for day_start in range(begin - begin % DAY_MS, end_ms, DAY_MS):
        weekend = datetime.fromtimestamp(day_start / 1000, UTC).weekday() >= 5
        for user in users:
            mean = user.sessions_per_day * (user.weekend_factor if weekend else 1.0)
            for _ in range(_poisson(rng, mean)):
                for event in session(ctx, user, _session_start(rng, user, day_start)):
                    if begin <= event.ts < end_ms:
                        heapq.heappush(pending, (event.ts, seq, event))
                        seq += 1
        # sessions of later days start at the next midnight or later, so everything before it is final
        while pending and pending[0][0] < day_start + DAY_MS:
            yield heapq.heappop(pending)[2]
    while pending:
        yield heapq.heappop(pending)[2]


def live_events(users: list[User], campaigns: list[Campaign], seed: int, start_ms: int, rate: float) -> Iterator[Event]:
    """Endless events with ts = start_ms + i/rate, from up to 64 concurrent sessions of users near their peak."""
    rng = random.Random(f"live:{seed}:{start_ms}")
    ctx = SessionContext(rng, Ids(seed, f"live:{start_ms}"), campaigns)
    pool: list[list[Event]] = []
    concurrency = max(1, min(64, len(users)))
    weights: list[float] = []
    weights_hour = -1
    i = 0
    while True:
        ts = start_ms + int(i * 1000 / rate)
        hour = ts // HOUR_MS % 24
        if hour != weights_hour:  # users near one of their peak hours are three times as likely to start a session
            weights = [3.0 if any(abs(hour - h) <= 1 for h in u.peak_hours) else 1.0 for u in users]
            weights_hour = hour
        while len(pool) < concurrency:
            user = rng.choices(users, weights)[0]
            # reversed so the next event is a cheap pop() from the end
            pool.append(sorted(session(ctx, user, ts), key=lambda e: e.ts, reverse=True))
        slot = rng.randrange(len(pool))
        event = pool[slot].pop()
        if not pool[slot]:
            pool[slot] = pool[-1]
            pool.pop()
        yield Event(event.topic, event.key, {**event.value, "ts": ts})
        i += 1
