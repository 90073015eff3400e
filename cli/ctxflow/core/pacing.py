"""Holding a steady send rate: a token bucket refilled by the clock.

Tokens accrue at `rate` per second up to a small burst; the sender takes what is due and, when
nothing is, waits until a tick's worth is (one token at low rates). Waiting here is pacing to a computed
instant, not hoping. The tick keeps the sender from waking once per event: a wake-up of Python costs tens
of microseconds, and at 5,000 events/s one per event took a fifth of a core of the two the bench shares
with the pipeline; the producer batches for longer than the tick anyway (linger.ms).
"""

from __future__ import annotations

import time
from collections.abc import Callable

EPSILON = 1e-6


class Pacer:
    def __init__(
        self,
        rate: float,
        burst_s: float = 0.25,
        tick_s: float = 0.002,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"the rate must be positive, got {rate}")
        self.rate = rate
        self.burst = max(1.0, rate * burst_s)  # after a stall, catch up at most this many at once
        self.batch = min(self.burst, max(1.0, rate * tick_s))  # what a wait waits for
        self._clock, self._sleep = clock, sleep
        self._tokens = 0.0
        self._last = clock()
        self.started = self._last

    def take(self) -> int:
        """How many events may go now (at least 1): when none is due, waits until a tick's worth is."""
        while True:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1 - EPSILON:  # a sleep of exactly the missing time may come back a hair short
                break
            self._sleep((self.batch - self._tokens) / self.rate)
        due = max(1, int(self._tokens + EPSILON))
        self._tokens -= due
        return due

    def elapsed(self) -> float:
        return self._clock() - self.started


def wait_until(started: float, offset_s: float, clock=time.monotonic, sleep=time.sleep) -> None:
    """Sleeps until `offset_s` after the monotonic instant `started` (scenario send offsets)."""
    delay = started + offset_s - clock()
    if delay > 0:
        sleep(delay)
