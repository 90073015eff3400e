"""What a scenario is: history, timed live events, and structured expectations on the outputs.

Expectations are data, not prose, so the end-to-end tests of the models can check them record by
record (`Expectation.check`) and the CLI can print them for a human watching `ctxflow watch`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ...core.events import Event, to_epoch_ms

APPROX = Decimal("0.0001")  # tolerance of `approx` fields: ratios rounded to 4 places by a model still pass


@dataclass(frozen=True)
class Timed:
    """A live event and when to send it, in ms after the live phase starts."""

    send_offset_ms: int
    event: Event


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple) else [value]


def _same(expected: object, got: object) -> bool:
    if isinstance(expected, int) and not isinstance(got, int):
        return to_epoch_ms(got) == expected  # timestamps may arrive as "YYYY-MM-DD hh:mm:ss.SSS"
    if isinstance(expected, Decimal) and got is not None:
        return Decimal(str(got)) == expected
    return expected == got


@dataclass(frozen=True)
class Expectation:
    output: str  # short output topic name, e.g. "ad_eligibility"
    key: dict  # the fields that identify the record, e.g. {"user_id": "xmas-7"}
    description: str
    after_event_id: str | None = None  # holds once this input event has been processed ...
    until_event_id: str | None = None  # ... and until this one is (None: from then on)
    equals: dict = field(default_factory=dict)
    contains: dict = field(default_factory=dict)  # array field -> items it must include
    excludes: dict = field(default_factory=dict)  # array field: none of the items; scalar: not one of them
    at_least: dict = field(default_factory=dict)
    at_most: dict = field(default_factory=dict)
    approx: dict = field(default_factory=dict)  # field -> Decimal, within APPROX (None: must be null)
    mentions: dict = field(default_factory=dict)  # text field -> words it must contain (a reason, ...)

    def matches_key(self, value: dict) -> bool:
        return all(_same(want, value.get(name)) for name, want in self.key.items())

    def check(self, value: dict | None) -> list[str]:
        """What `value` (an output record) gets wrong; empty when it meets the expectation."""
        if value is None:
            return [f"{self.output} {self.key}: no record (or a tombstone)"]
        bad = []
        for name, want in self.equals.items():
            if not _same(want, value.get(name)):
                bad.append(f"{name}={value.get(name)!r}, expected {want!r}")
        for name, items in self.contains.items():
            missing = set(items) - set(_as_list(value.get(name) or []))
            if missing:
                bad.append(f"{name}={value.get(name)!r} lacks {sorted(missing)}")
        for name, items in self.excludes.items():
            present = set(items) & set(_as_list(value.get(name) or []))
            if present:
                bad.append(f"{name}={value.get(name)!r} has {sorted(present)}")
        for name, low in self.at_least.items():
            if value.get(name) is None or float(value[name]) < low:
                bad.append(f"{name}={value.get(name)!r}, expected >= {low}")
        for name, high in self.at_most.items():
            if value.get(name) is None or float(value[name]) > high:
                bad.append(f"{name}={value.get(name)!r}, expected <= {high}")
        for name, want in self.approx.items():
            got = value.get(name)
            ok = got is None if want is None else got is not None and abs(Decimal(str(got)) - want) <= APPROX
            if not ok:
                bad.append(f"{name}={got!r}, expected {want}")
        for name, words in self.mentions.items():
            if words not in (value.get(name) or ""):
                bad.append(f"{name}={value.get(name)!r} does not say {words!r}")
        return bad

    def summary(self) -> str:
        """One line for humans: topic, key and the checks."""
        parts = [f"{k}={v}" for k, v in self.equals.items()]
        parts += [f"{k} ∋ {','.join(v)}" for k, v in self.contains.items()]
        parts += [f"{k} ∌ {','.join(v)}" for k, v in self.excludes.items()]
        parts += [f"{k} ≥ {v}" for k, v in self.at_least.items()] + [f"{k} ≤ {v}" for k, v in self.at_most.items()]
        parts += [f"{k} says {v!r}" for k, v in self.mentions.items()]
        key = " ".join(f"{k}={v}" for k, v in self.key.items())
        return f"{self.output} [{key}] {self.description}: {'; '.join(parts) or 'see approx fields'}"


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    history: list[Event]  # back-dated, in ts order: send first, as fast as possible
    live: list[Timed]  # send each at its offset after the live phase starts
    expectations: list[Expectation]

    def events(self) -> list[Event]:
        """Everything the scenario sends, in send order."""
        return self.history + [t.event for t in self.live]


def action_for(trigger: Event, description: str, **checks: dict) -> Expectation:
    """The next best action decided on the situation that `trigger` (a decline, an exhausted plan) opened:
    keyed by its user and its event id, checked once it has been processed."""
    key = {"user_id": trigger.value["user_id"], "situation_id": trigger.value["event_id"]}
    return Expectation("next_best_actions", key, description, after_event_id=trigger.value["event_id"], **checks)
