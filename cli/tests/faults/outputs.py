"""What a fault test compares: the outputs of the faulted run against those of the reference run.

Each output is compared the way its README delivery guarantee promises:
- exactly-once (dead_letter, campaign_kpis): the rows as a multiset: a row missing is lost, a row more
  is duplicated;
- idempotent by key, append (ad_decisions): per request_id, every copy must carry the reference's
  decision (copies that differ, or a request without one, fail; identical replayed copies are counted);
- idempotent by key, upsert (ad_eligibility, personas, car_intent): the latest value of each key.
Columns that say when a copy was written (decided_at, updated_at, received_at) differ between any two
runs, so they are left out; arrays are compared as the sets they are (ARRAY_AGG's order is not part of
any output's contract); everything else must be equal.

What the fault tests hold (`holds`): nothing lost anywhere; nothing doubled in an exactly-once output;
every upsert key equal to the fault-free run. ad_decisions' copies that differ from the fault-free run
are measured and reported, not held: a request decided while the jobs catch up after a restart can
see an intermediate eligibility version (README, "Delivery guarantees"; RELIABILITY.md).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from dbt_project import Project

WRITTEN_AT = frozenset({"decided_at", "updated_at", "received_at"})
EXACTLY_ONCE = ("dead_letter", "campaign_kpis")
UPSERTS = ("ad_eligibility", "personas", "car_intent")
DECISIONS = "idempotent by request_id"


def freeze(value: dict | str | None) -> str:
    if not isinstance(value, dict):
        return json.dumps(value)
    kept = {k: sorted(v, key=str) if isinstance(v, list) else v for k, v in value.items() if k not in WRITTEN_AT}
    return json.dumps(kept, sort_keys=True, default=str)


@dataclass
class Snapshot:
    rows: dict[str, Counter] = field(default_factory=dict)  # exactly-once outputs: frozen row -> copies
    decisions: dict[str, Counter] = field(default_factory=dict)  # request_id -> frozen decision -> copies
    latest: dict[str, dict[str, str]] = field(default_factory=dict)  # upsert output -> frozen key -> value


def snapshot(project: Project) -> Snapshot:
    snap = Snapshot()
    for name in EXACTLY_ONCE:
        snap.rows[name] = Counter(freeze(r.value) for r in project.read(name))
    for r in project.read("ad_decisions"):
        snap.decisions.setdefault(r.value["request_id"], Counter())[freeze(r.value)] += 1
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
    reference: int  # rows (exactly-once), requests (decisions) or keys (upserts) in the reference
    lost: int
    duplicated: int  # exactly-once: extra rows; idempotent: copies or keys that differ from the reference
    replayed: int = 0  # idempotent append: identical extra copies (allowed: readers key on request_id)


def compare(ref: Snapshot, got: Snapshot) -> list[Row]:
    rows = []
    for name in EXACTLY_ONCE:
        r, g = ref.rows[name], got.rows[name]
        rows.append(Row(name, "exactly-once", sum(r.values()), sum((r - g).values()), sum((g - r).values())))
    lost = sum(1 for rid in ref.decisions if rid not in got.decisions)
    differ = sum(
        1 for rid, copies in got.decisions.items() if rid not in ref.decisions or set(copies) != set(ref.decisions[rid])
    )
    replayed = sum(sum(c.values()) - len(c) for c in got.decisions.values())
    rows.append(Row("ad_decisions", DECISIONS, len(ref.decisions), lost, differ, replayed))
    for name in UPSERTS:
        r, g = ref.latest[name], got.latest[name]
        lost = sum(1 for k in r if k not in g)
        differ = sum(1 for k, v in g.items() if r.get(k) != v)
        rows.append(Row(name, "idempotent by key (upsert)", len(r), lost, differ))
    return rows


def holds(rows: list[Row]) -> bool:
    """Nothing lost; nothing doubled or different, except an idempotent append output's differing copies
    (ad_decisions, reported: see the module's docstring)."""
    return all(row.lost == 0 and (row.duplicated == 0 or row.guarantee == DECISIONS) for row in rows)
