"""Job groups: several streaming models deployed as ONE Flink job (a statement set).

Inside one job Flink reads a shared topic once and computes a shared sub-plan once (source and
sub-plan reuse), which separate jobs cannot do.  The group, not the model, is then the unit of
the job lifecycle (see lifecycle.py): one name ``dbt:group.<package>.<group>#<fingerprint>``,
one fingerprint over every member.  Everything here is pure logic, no I/O.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.flink.lifecycle import fingerprint


@dataclass(frozen=True)
class Member:
    """What one streaming model contributes to a deployment."""

    unique_id: str
    insert: str  # the model's INSERT INTO <sink> SELECT ...
    ddl: tuple[str, ...]  # the sink's DDL, then the DDL of every table/view the query reads
    execution_config: dict[str, str]
    upgrade_mode: str
    job_state: str
    grace_period_s: float | None = None


_VIEW = re.compile(r"\s*CREATE\s+(OR\s+REPLACE\s+)?(TEMPORARY\s+)?VIEW\b", re.IGNORECASE)


def group_id(package: str, name: str) -> str:
    """Takes the place of a unique_id in job names: ``dbt:`` still prefixes every job of ours."""
    return f"group.{package}.{name}"


def _ordered(members: list[Member]) -> list[Member]:
    # Order by unique_id: the SQL (and so the fingerprint) must not depend on dbt's thread timing.
    return sorted(members, key=lambda m: m.unique_id)


def statement_set(members: list[Member]) -> str:
    body = "\n".join(f"{m.insert.strip().rstrip(';')};" for m in _ordered(members))
    return f"EXECUTE STATEMENT SET\nBEGIN\n{body}\nEND"


def deploy_script(members: list[Member], job_sql: str) -> tuple[str, ...]:
    """Every statement that deploys the job of ``members`` in a fresh session: the tables they read and
    write (each once), then the views over them in declaration order, then ``job_sql``."""
    statements: list[str] = []
    for m in _ordered(members):
        for stmt in (*m.ddl[1:], m.ddl[0]):  # ddl[0] is the member's own sink
            if stmt not in statements:
                statements.append(stmt)
    is_view = [bool(_VIEW.match(stmt)) for stmt in statements]
    tables = [st for st, view in zip(statements, is_view, strict=True) if not view]
    views = [st for st, view in zip(statements, is_view, strict=True) if view]
    return (*tables, *views, job_sql)


def explain_statement_set(members: list[Member]) -> str:
    """Plans the statement set without running it (Flink's EXPLAIN takes no EXECUTE)."""
    return "EXPLAIN " + statement_set(members).removeprefix("EXECUTE ")


def agreed(group: str, members: list[Member], attribute: str) -> str:
    """A setting every member must share (one job has one lifecycle)."""
    ordered = _ordered(members)
    first = ordered[0]
    for other in ordered[1:]:
        if getattr(other, attribute) != getattr(first, attribute):
            raise DbtRuntimeError(
                f"job_group {group}: members {first.unique_id} ({attribute}: {getattr(first, attribute)}) "
                f"and {other.unique_id} ({attribute}: {getattr(other, attribute)}) disagree; one job has "
                f"one {attribute}, set the same value on every member"
            )
    return getattr(first, attribute)


def merged_execution_config(group: str, members: list[Member]) -> dict[str, str]:
    """Union of the members' execution_config; a key set to two different values is an error."""
    merged: dict[str, str] = {}
    owner: dict[str, str] = {}
    for member in _ordered(members):
        for key, value in member.execution_config.items():
            if key in merged and merged[key] != value:
                raise DbtRuntimeError(
                    f"job_group {group}: execution_config '{key}' conflicts: {owner[key]} sets "
                    f"'{merged[key]}', {member.unique_id} sets '{value}'"
                )
            merged[key] = value
            owner.setdefault(key, member.unique_id)
    return merged


def group_fingerprint(members: list[Member], execution_config: dict[str, str]) -> str:
    """Over the statement set (every member's INSERT), all DDL involved and the merged config:
    adding, removing or changing any member changes it."""
    ddl = sorted({d for m in members for d in m.ddl})
    return fingerprint(statement_set(members), ddl, execution_config)


def grace_period(members: list[Member], default: float) -> float:
    return max([m.grace_period_s for m in members if m.grace_period_s is not None] or [default])


@dataclass
class GroupRun:
    """One group within one dbt invocation: which selected members have run so far."""

    selected: set[str]
    arrived: dict[str, Member] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)
    complete: bool = False

    @property
    def waiting(self) -> list[str]:
        return sorted(self.selected - set(self.arrived) - set(self.failed))


class GroupTracker:
    """Thread-safe: with threads > 1 members of one group materialize concurrently; exactly one
    of them (the last selected one to arrive) gets the completed run and deploys the group."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[str, GroupRun] = {}

    def arrive(
        self, group: str, selected: set[str], unique_id: str, member: Member | None, error: str | None = None
    ) -> GroupRun | None:
        with self._lock:
            run = self._runs.setdefault(group, GroupRun(selected=set(selected)))
            run.selected.add(unique_id)
            if member is not None:
                run.arrived[unique_id] = member
            else:
                run.failed[unique_id] = error or "failed"
            if run.complete or run.waiting:
                return None
            run.complete = True
            return run

    def waiting_on(self, group: str) -> list[str]:
        with self._lock:
            run = self._runs.get(group)
            return run.waiting if run else []

    def incomplete(self) -> dict[str, list[str]]:
        """Groups some of whose selected members never ran (skipped after an upstream failure)."""
        with self._lock:
            return {g: r.waiting for g, r in self._runs.items() if not r.complete}

    def reset(self) -> None:
        with self._lock:
            self._runs.clear()
