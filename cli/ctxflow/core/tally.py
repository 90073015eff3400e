"""The one counter of sent events: how many went to each topic, over how many seconds, at what rate.

The simulator keeps one per phase (history, live, scenario), the bench one per load it sends.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    per_topic: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.per_topic.values())

    @property
    def rate(self) -> float:
        return self.total / self.seconds if self.seconds > 0 else 0.0
