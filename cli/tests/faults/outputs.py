"""What a fault test compares: the outputs of the faulted run against those of the reference run.

Each output is compared the way its README delivery guarantee promises:
- exactly-once (dead_letter, campaign_kpis): the rows as a multiset: a row missing is lost, a row more
  is duplicated;
- idempotent by key, append (ad_decisions by request_id, play_contexts by user and play time): per key,
  every copy must carry the reference's value (copies that differ, or a key without one, fail; identical
  replayed copies are counted);
- idempotent by key, upsert (ad_eligibility, ad_policy, personas, car_intent, next_best_actions): the
  latest value of each key.
Columns that say when a copy was written (decided_at, updated_at, received_at, and an offer's expires_at,
counted from its decided_at) differ between any two runs, so they are left out; arrays are compared as
the sets they are (ARRAY_AGG's order is not part of any output's contract); everything else must be
equal.

What the fault tests hold (`holds`): nothing lost anywhere; nothing doubled in an exactly-once output;
every copy of an idempotent output equal to the fault-free run's.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from dbt_project import Project

WRITTEN_AT = frozenset({"decided_at", "updated_at", "received_at", "expires_at"})
EXACTLY_ONCE = ("dead_letter", "campaign_kpis")
UPSERTS = ("ad_eligibility", "ad_policy", "personas", "car_intent", "next_best_actions")


def _request(r) -> str:
    return r.value["request_id"]


def _play(r) -> str:
    return json.dumps([r.value["user_id"], r.timestamp_ms])  # the play's time is the Kafka timestamp


# idempotent append outputs: name -> (what a reader keys on, how to read that key off a record)
APPENDS = {"ad_decisions": ("request_id", _request), "play_contexts": ("user_id and play time", _play)}


def freeze(value: dict | str | None) -> str:
    if not isinstance(value, dict):
        return json.dumps(value)
    kept = {k: sorted(v, key=str) if isinstance(v, list) else v for k, v in value.items() if k not in WRITTEN_AT}
    return json.dumps(kept, sort_keys=True, default=str)


@dataclass
class Snapshot:
    rows: dict[str, Counter] = field(default_factory=dict)  # exactly-once outputs: frozen row -> copies
    copies: dict[str, dict[str, Counter]] = field(default_factory=dict)  # append output -> key -> value -> copies
    latest: dict[str, dict[str, str]] = field(default_factory=dict)  # upsert output -> frozen key -> value


def snapshot(project: Project) -> Snapshot:
    snap = Snapshot()
    for name in EXACTLY_ONCE:
        snap.rows[name] = Counter(freeze(r.value) for r in project.read(name))
    for name, (_, key_of) in APPENDS.items():
        copies: dict[str, Counter] = {}
        for r in project.read(name):
            copies.setdefault(key_of(r), Counter())[freeze(r.value)] += 1
        snap.copies[name] = copies
    for name in UPSERTS:
        latest: dict[str, str] = {}
        for r in project.read(name):
            if r.value is None:
                latest.pop(freeze(r.key), None)
            else:
                latest[freeze(r.key)] = freeze(r.value)
        snap.latest[name] = latest
    return snap


@dataclass(frozen=True)
class Row:
    """One output's line of RELIABILITY.md: what the reference has, what the faulted run lost or doubled."""

    output: str
    guarantee: str
    reference: int  # rows (exactly-once) or keys (idempotent outputs) in the reference
    lost: int
    duplicated: int  # exactly-once: extra rows; idempotent: copies or keys that differ from the reference
    replayed: int = 0  # idempotent append: identical extra copies (allowed: readers key on its key)


def compare(ref: Snapshot, got: Snapshot) -> list[Row]:
    rows = []
    for name in EXACTLY_ONCE:
        r, g = ref.rows[name], got.rows[name]
        rows.append(Row(name, "exactly-once", sum(r.values()), sum((r - g).values()), sum((g - r).values())))
    for name, (key, _) in APPENDS.items():
        r, g = ref.copies[name], got.copies[name]
        lost = sum(1 for k in r if k not in g)
        differ = sum(1 for k, copies in g.items() if k not in r or set(copies) != set(r[k]))
        replayed = sum(sum(c.values()) - len(c) for c in g.values())
        rows.append(Row(name, f"idempotent by {key}", len(r), lost, differ, replayed))
    for name in UPSERTS:
        r, g = ref.latest[name], got.latest[name]
        lost = sum(1 for k in r if k not in g)
        differ = sum(1 for k, v in g.items() if r.get(k) != v)
        rows.append(Row(name, "idempotent by key (upsert)", len(r), lost, differ))
    return rows


def holds(rows: list[Row]) -> bool:
    """Nothing lost; nothing doubled, and no copy different from the fault-free run's."""
    return all(row.lost == 0 and row.duplicated == 0 for row in rows)
