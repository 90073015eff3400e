"""Events and outputs on the wire: the Event record, its JSON bytes (decimals exact), Flink's timestamps.

Byte-identical output for the same input is a feature (reproducible demos and tests): the encoding
keeps the value's field order and writes money as the decimal it is, never through a float.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import simplejson

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


def money(amount: float | str | Decimal) -> Decimal:
    """A decimal with exactly two places (cents matter: KPIs are checked to the cent)."""
    return Decimal(str(amount)).quantize(CENT)


def encode(value: object) -> bytes:
    """Compact JSON; a Decimal is written as its own digits ("20.00" stays 20.00, no binary rounding)."""
    return simplejson.dumps(value, use_decimal=True, separators=(",", ":")).encode()


def decode(raw: bytes) -> object:
    """Parses with Decimal for non-integers, so prices and costs come back exactly."""
    return json.loads(raw, parse_float=Decimal)


def to_epoch_ms(value: object) -> int | None:
    """An output timestamp as epoch ms: Flink writes "2026-11-27 11:40:01.123" (UTC) or epoch millis."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp() * 1000)
