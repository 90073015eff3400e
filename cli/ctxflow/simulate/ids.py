"""Deterministic uuid-shaped ids for simulated events: the same seed gives the same ids.

Nothing here reads the clock or uuid4, so a simulator run is reproducible byte for byte.
"""

from __future__ import annotations

import random
import uuid


class Ids:
    """One RNG per (seed, stream), independent of everything else."""

    def __init__(self, seed: int, stream: str) -> None:
        self._rng = random.Random(f"ids:{seed}:{stream}")

    def next(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
