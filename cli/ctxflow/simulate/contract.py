"""The input event contract: topics, fields, allowed values, and one validator for all of them.

Everything that makes or checks events (generators, scenarios, malformed mix, tests) reads the
contract from here, so a field added to the contract is added once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

AUDIENCES = ("adult", "general", "family", "kids")
GENRES = (
    "pop",
    "rock",
    "romance",
    "rnb",
    "hiphop",
    "jazz",
    "classical",
    "electronic",
    "country",
    "christmas",
    "kids_songs",
    "lullabies",
)
# what a listener drifts into outside their taste: never the genres that signal a family context
EVERYDAY_GENRES = tuple(g for g in GENRES if g not in ("christmas", "kids_songs", "lullabies"))
SITES = ("shop", "car")
ACTIONS = ("view", "search", "add_to_cart", "purchase", "configure", "finance", "test_drive")
SHOP_ACTIONS = ("view", "search", "add_to_cart", "purchase")
CAR_ACTIONS = ("view", "configure", "finance", "test_drive")
CATEGORIES = (
    "electronics",
    "gaming",
    "sports",
    "fashion_men",
    "fashion_women",
    "jewelry",
    "garden",
    "home",
    "toys",
    "books",
    "beauty",
    "cookware",
)
GENDERS = ("female", "male", "unisex")
AGE_BANDS = ("kids", "teen", "18-24", "25-34", "35-54", "55+", "any")
BODY_TYPES = ("small", "compact", "family", "suv", "van")
TRIMS = ("standard", "premium")
EVENT_TYPES = ("impression", "click", "conversion")
PLACEMENTS = ("audio_break", "banner", "video_pre_roll", "homepage")
COUNTRIES = ("PL", "DE", "SE", "GB", "FR", "ES", "IT", "NL", "US")
DEVICES = ("mobile", "desktop", "tablet", "smart_speaker", "tv")

CAR_CATEGORY = "car"  # the `category` of every car-site page view


@dataclass(frozen=True)
class Field:
    name: str
    kind: type  # str, int or Decimal
    allowed: tuple[str, ...] | None = None
    required: bool = True  # optional fields may be null or absent


def _f(name: str, kind: type = str, allowed: tuple[str, ...] | None = None, required: bool = True) -> Field:
    return Field(name, kind, allowed, required)


# Short topic names; the full name is prefix + short name (`ctx.plays` by default).
INPUTS: dict[str, tuple[Field, ...]] = {
    "plays": (
        _f("event_id"),
        _f("user_id"),
        _f("ts", int),
        _f("content_id"),
        _f("genre", str, GENRES),
        _f("audience", str, AUDIENCES),
        _f("country", str, COUNTRIES),
        _f("device", str, DEVICES),
    ),
    "page_views": (
        _f("event_id"),
        _f("user_id"),
        _f("session_id"),
        _f("ts", int),
        _f("site", str, SITES),
        _f("action", str, ACTIONS),
        _f("item_id"),
        _f("category"),
        _f("price", Decimal),
        _f("target_gender", str, GENDERS),
        _f("target_age_band", str, AGE_BANDS),
        _f("body_type", str, BODY_TYPES, required=False),
        _f("trim", str, TRIMS, required=False),
    ),
    "ad_requests": (
        _f("request_id"),
        _f("user_id"),
        _f("ts", int),
        _f("placement", str, PLACEMENTS),
        _f("country", str, COUNTRIES),
    ),
    "campaign_events": (
        _f("event_id"),
        _f("campaign_id"),
        _f("ad_id"),
        _f("user_id"),
        _f("ts", int),
        _f("event_type", str, EVENT_TYPES),
        _f("cost", Decimal),
        _f("revenue", Decimal),
    ),
}

OUTPUTS = ("ad_eligibility", "ad_decisions", "personas", "car_intent", "campaign_kpis", "dead_letter")
DEFAULT_PREFIX = "ctx."


def full_topic(short: str, prefix: str = DEFAULT_PREFIX) -> str:
    return f"{prefix}{short}"


def _type_ok(value: object, kind: type) -> bool:
    if kind is int:  # bool is an int in Python but not in JSON
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Decimal:  # parsed with parse_float=Decimal; a whole-number price may arrive as int
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    return isinstance(value, kind)


def validate(topic: str, value: object) -> list[str]:
    """Every way `value` breaks the contract of short topic `topic`; empty when it is valid."""
    if not isinstance(value, dict):
        return [f"value is {type(value).__name__}, not an object"]
    errors = []
    for field in INPUTS[topic]:
        got = value.get(field.name)
        if got is None:
            if field.required:
                errors.append(f"missing {field.name}")
            continue
        if not _type_ok(got, field.kind):
            errors.append(f"{field.name} is {type(got).__name__}, not {field.kind.__name__}")
        elif field.allowed is not None and got not in field.allowed:
            errors.append(f"{field.name}={got!r} is not one of {field.allowed}")
        elif field.kind is Decimal and isinstance(got, Decimal) and got.as_tuple().exponent < -2:
            errors.append(f"{field.name}={got} has more than 2 decimal places")
    if topic == "page_views" and value.get("site") == "car" and not (value.get("body_type") and value.get("trim")):
        errors.append("a car-site page view needs body_type and trim")
    return errors


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
