"""Bad input on demand, and the classifier that recognises it when reading a topic back.

The kinds are the ways real producers break a contract, one per reason the contract layer gives
(macros/parse_events.sql): an empty value, bytes that are not JSON, a required field missing, a field
of the wrong type, a value outside an enumerated field's allowed values, and timestamps far in the
future or far too late for any window.
"""

from __future__ import annotations

import json
import random
from collections import Counter

from ..core.contract import INPUTS, validate
from ..core.events import Event, decode, encode

KINDS = ("empty", "invalid_json", "missing_field", "wrong_type", "invalid_value", "future_ts", "late_ts")
FUTURE_MS = 30 * 86_400_000  # a device with its clock a month ahead
LATE_MS = 3 * 86_400_000  # an offline device syncing three days later
# classify() thresholds, relative to when the record reached Kafka: far below the shifts above, far
# above what live traffic's jitter and a slow consumer could explain.
FUTURE_LIMIT_MS = 3_600_000
LATE_LIMIT_MS = 86_400_000
# a wrong-typed value per field kind: ts as a word, prices and costs as text
WRONG = {"ts": "yesterday", "price": "cheap", "cost": "free", "revenue": "lots"}


def corrupt(event: Event, kind: str, rng: random.Random) -> bytes:
    """The encoded value of `event` broken in the way `kind` names."""
    value = dict(event.value)
    if kind == "empty":
        return rng.choice((b"", b"   "))
    if kind == "invalid_json":
        text = encode(value).decode()
        return rng.choice((text[: len(text) // 2], text.replace('":', '"=', 1), "{user_id: " + event.key)).encode()
    if kind == "missing_field":
        required = [f.name for f in INPUTS[event.topic] if f.required]
        del value[rng.choice(required)]
    elif kind == "wrong_type":
        name = rng.choice([n for n in WRONG if n in value])
        value[name] = WRONG[name]
    elif kind == "invalid_value":
        enumerated = [f.name for f in INPUTS[event.topic] if f.allowed and value.get(f.name) is not None]
        value[rng.choice(enumerated)] = "unknown_value"
    elif kind == "future_ts":
        value["ts"] += FUTURE_MS
    elif kind == "late_ts":
        value["ts"] -= LATE_MS
    else:
        raise ValueError(f"unknown malformed kind {kind!r}; kinds: {', '.join(KINDS)}")
    return encode(value)


def classify(topic: str, raw: bytes | None, received_ms: int) -> str:
    """`ok` or the malformed kind of one record of short topic `topic` that Kafka stamped `received_ms`."""
    if not (raw or b"").strip():
        return "empty"
    try:
        value = decode(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return "invalid_json"
    errors = validate(topic, value)
    # the contract layer's order: every missing field first, then every type, then every value
    if any(e.startswith("missing ") for e in errors):
        return "missing_field"
    if any(" is not one of " not in e for e in errors) or not isinstance(value, dict):
        return "wrong_type"
    if errors:
        return "invalid_value"
    if value["ts"] > received_ms + FUTURE_LIMIT_MS:
        return "future_ts"
    if value["ts"] < received_ms - LATE_LIMIT_MS:
        return "late_ts"
    return "ok"


class Mixer:
    """Decides which events to break so that exactly round(ratio * n) of the first n are malformed (±1).

    Error diffusion instead of a coin flip per event: a coin flip would make "10 %" anywhere from 9.2 %
    to 10.8 % over 5,000 events (3 sigma), which is a poor contract for a test fixture. The kind of each
    broken event is drawn at random, so every kind appears and none is favoured.
    """

    def __init__(self, ratio: float, seed: int) -> None:
        if not 0 <= ratio <= 1:
            raise ValueError(f"the malformed rate must be within 0..1, got {ratio}")
        self.ratio = ratio
        self.rng = random.Random(f"malformed:{seed}")
        self.counts: Counter[str] = Counter()
        self._debt = 0.0

    def apply(self, event: Event) -> tuple[bytes, str | None]:
        """The bytes to send for `event` and the malformed kind, or None when it goes out intact."""
        self._debt += self.ratio
        if self._debt < 1 - 1e-9:
            return encode(event.value), None
        self._debt -= 1
        kind = self.rng.choice(KINDS)
        self.counts[kind] += 1
        return corrupt(event, kind, self.rng), kind
