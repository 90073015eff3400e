"""Events as plain data, their byte encoding, and deterministic ids.

Byte-identical output for the same seed is a feature (reproducible demos and tests), so nothing here
reads the clock or uuid4: ids come from a seeded RNG and the encoding has a fixed field order.
"""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Event:
    """One input event: short topic name (`plays`), message key (the user_id) and the JSON value."""

    topic: str
    key: str
    value: dict

    @property
    def ts(self) -> int:
        return self.value["ts"]


@dataclass(frozen=True)
class Timed:
    """A live event and when to send it, in ms after the live phase starts."""

    send_offset_ms: int
    event: Event


def money(amount: float | str | Decimal) -> Decimal:
    """A decimal with exactly two places (cents matter: KPIs are checked to the cent)."""
    return Decimal(str(amount)).quantize(CENT)


def _encode(value: object) -> str:
    # json.dumps cannot write a Decimal as a number without going through float, which would lose
    # "20.00" -> 20.0 and risk binary rounding; events are flat, so a tiny encoder is enough.
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_encode(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(v) for v in value) + "]"
    return json.dumps(value)


def encode(value: object) -> bytes:
    return _encode(value).encode()


def decode(raw: bytes) -> object:
    """Parses with Decimal for non-integers, so prices and costs come back exactly."""
    return json.loads(raw, parse_float=Decimal)


class Ids:
    """Deterministic uuid-shaped ids: one RNG per (seed, stream), independent of everything else."""

    def __init__(self, seed: int, stream: str) -> None:
        self._rng = random.Random(f"ids:{seed}:{stream}")

    def next(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
