"""The input event contract as Python: topics, fields, allowed values, and one validator.

The contract itself lives once, in the dbt project (var `event_contract` in dbt_project.yml); this
module reads it, and everything that makes or checks events (generators, scenarios, malformed mix,
tests) reads it from here, so a field added to the contract is added once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import yaml

from .dbtrun import ROOT

# The contract is the var `event_contract` of the dbt project (dbt_project.yml): one definition
# for the models that validate events and for everything here that makes or checks them.
PROJECT_FILE = ROOT / "dbt_project.yml"
KINDS = {"STRING": str, "BIGINT": int, "DOUBLE": float, "BOOLEAN": bool}


@dataclass(frozen=True)
class Field:
    name: str
    kind: type  # str, int, float, bool or Decimal
    allowed: tuple[str, ...] | None = None
    required: bool = True  # optional fields may be null or absent
    sql_type: str = "STRING"  # the Flink type as the contract writes it, e.g. DECIMAL(12, 2)


def _kind(sql_type: str) -> type:
    if sql_type.startswith("DECIMAL"):
        return Decimal
    try:
        return KINDS[sql_type]
    except KeyError:
        known = ", ".join([*KINDS, "DECIMAL(p, s)"])
        raise ValueError(f"event contract: unknown type {sql_type!r} (known: {known})") from None


def _fields(spec: dict) -> dict[str, tuple[Field, ...]]:
    """The input events' fields, in the order of the contract, by short topic name."""
    return {
        event: tuple(
            Field(
                f["name"],
                _kind(f["type"]),
                tuple(str(v) for v in f["allowed"]) if f.get("allowed") else None,
                f.get("required", True),
                f["type"],
            )
            for f in body["fields"]
        )
        for event, body in spec.items()
    }


def project_vars() -> dict:
    """The vars of dbt_project.yml as written there (their defaults: a --vars of one run is not seen)."""
    return yaml.safe_load(PROJECT_FILE.read_text())["vars"]


_SPEC = project_vars()["event_contract"]  # read once, at import
# Short topic names; the full name is prefix + short name (`ctx.plays` by default).
INPUTS: dict[str, tuple[Field, ...]] = _fields(_SPEC)
KEYS: dict[str, str] = {event: body["key"] for event, body in _SPEC.items()}  # each input's dedup key


def allowed(event: str, field: str) -> tuple[str, ...]:
    """The allowed values of an enumerated field of the contract."""
    values = next(f.allowed for f in INPUTS[event] if f.name == field)
    if values is None:
        raise KeyError(f"{event}.{field} is not an enumerated field of the event contract")
    return values


AUDIENCES = allowed("plays", "audience")
GENRES = allowed("plays", "genre")
COUNTRIES = allowed("plays", "country")
DEVICES = allowed("plays", "device")
SITES = allowed("page_views", "site")
ACTIONS = allowed("page_views", "action")
GENDERS = allowed("page_views", "target_gender")
AGE_BANDS = allowed("page_views", "target_age_band")
BODY_TYPES = allowed("page_views", "body_type")
TRIMS = allowed("page_views", "trim")
PLACEMENTS = allowed("ad_requests", "placement")
EVENT_TYPES = allowed("campaign_events", "event_type")


def _type_ok(value: object, kind: type) -> bool:
    if kind is int:  # bool is an int in Python but not in JSON
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is Decimal:  # parsed with parse_float=Decimal; a whole-number price may arrive as int
        return isinstance(value, Decimal | int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _scale(field: Field) -> int:
    """The scale s of a DECIMAL(p, s) field."""
    return int(field.sql_type.rstrip(")").split(",")[1])


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
        elif field.kind is Decimal and isinstance(got, Decimal) and got.as_tuple().exponent < -_scale(field):
            errors.append(f"{field.name}={got} has more than {_scale(field)} decimal places")
    return errors
