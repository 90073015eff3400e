"""One output record as `watch` sees it: decoded key and value, when it arrived, and its latency."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..core.events import decode, encode, to_epoch_ms


@dataclass(frozen=True)
class OutputRecord:
    topic: str  # short output name, e.g. "ad_decisions"
    full_topic: str
    key: object  # the JSON key of upsert topics, a plain string otherwise, or None
    value: object  # a dict normally; None for a tombstone; the raw text when it is not JSON
    received_ms: int
    latency_ms: int | None  # received wall-clock time minus the ts of the event decided on (LATENCY_FROM)

    def as_json(self) -> dict:
        return {"topic": self.full_topic, "key": self.key, "value": self.value, "latency_ms": self.latency_ms}

    def json_line(self) -> str:
        """as_json() as one line; numbers keep their exact text (spend 31.20 stays 31.20, not 31.2)."""
        return encode(self.as_json()).decode()


# outputs whose records answer one input event: the field with that event's ts
LATENCY_FROM = {"ad_decisions": "ts", "next_best_actions": "trigger_ts"}


def _json_or_text(raw: bytes | None) -> object:
    if raw is None:
        return None
    try:
        return decode(raw)  # non-integers as Decimal: money is shown and re-emitted to the cent
    except (json.JSONDecodeError, UnicodeDecodeError):
        return raw.decode("utf-8", errors="replace")


def decode_record(topic: str, full_topic: str, key: bytes | None, value: bytes | None, received_ms: int):
    decoded = _json_or_text(value)
    latency = None
    if topic in LATENCY_FROM and isinstance(decoded, dict):
        requested = to_epoch_ms(decoded.get(LATENCY_FROM[topic]))
        latency = received_ms - requested if requested is not None else None
    return OutputRecord(topic, full_topic, _json_or_text(key), decoded, received_ms, latency)


# campaign_kpis is appended under key campaign_id, one row per campaign, grain and window (a window
# re-emitted for late events replaces its earlier row): the row's identity is in the value
VALUE_IDENTITY = {"campaign_kpis": ("campaign_id", "grain", "window_start")}


def identity(record: OutputRecord) -> str:
    """What one row of the view stands for: the upsert key, or the value fields of VALUE_IDENTITY."""
    fields = VALUE_IDENTITY.get(record.topic)
    if fields and isinstance(record.value, dict):
        return "|".join(str(record.value.get(f)) for f in fields)
    key = record.key
    if isinstance(key, dict):
        return "|".join(str(v) for v in key.values())
    return str(key)
