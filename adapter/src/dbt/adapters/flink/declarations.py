"""Which catalog objects a statement needs declared in its gateway session.

Declaring everything a project knows in every new session costs one round trip per object, and
dbt opens several sessions per invocation (one per thread plus short-lived ones for
introspection).  So objects are declared lazily: before a statement runs, the objects it may
read are declared, following view definitions transitively.  Matching is deliberately loose
(any identifier that appears as a word in the SQL): declaring one table too many is harmless,
missing one would be a "table not found".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flinkclient.sqltext import strip_comments, strip_leading_comments

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")


@dataclass(frozen=True)
class Declaration:
    relation: str  # fully qualified and quoted, as dbt renders it
    kind: str  # 'database' | 'table' | 'view'
    statement: str
    database: str = ""
    schema: str = ""
    identifier: str = ""
    options: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


_DDL_TARGET = re.compile(
    r"(?:CREATE|DROP|ALTER)\s+(?:TABLE|VIEW)\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(?P<name>(?:`[^`]+`|[\w$]+)(?:\.(?:`[^`]+`|[\w$]+))*)",
    re.IGNORECASE,
)


def ddl_target(sql: str) -> str | None:
    """Identifier (last name part) a permanent CREATE/DROP/ALTER TABLE|VIEW statement defines.

    That object must not be declared before the statement runs: it is being replaced.  A
    TEMPORARY statement is not matched: ``CREATE TEMPORARY TABLE x ... LIKE x`` needs ``x``.
    """
    match = _DDL_TARGET.match(strip_leading_comments(sql))
    if not match:
        return None
    last = re.findall(r"`([^`]+)`|([\w$]+)", match.group("name"))[-1]
    return last[0] or last[1]


def _mentions(text: str, words: set[str], decl: Declaration, exact: bool) -> bool:
    if exact:
        return decl.relation in text
    if _WORD.fullmatch(decl.identifier):
        return decl.identifier.lower() in words
    return decl.identifier in text


def referenced(sql: str, decls: Iterable[Declaration], exact: bool = False) -> list[Declaration]:
    """Tables/views ``sql`` may read, transitively through views, in declaration order.

    ``exact`` matches only the fully qualified name (what dbt's ref()/source() render), outside
    comments; it is used where an over-approximation would have a cost (job fingerprints, bounded
    shadows): a job must not be redeployed because a relation only named in a comment appeared.
    """
    target = None if exact else ddl_target(sql)
    objects = [d for d in decls if d.kind != "database" and d.identifier != target]
    seen: set[str] = set()
    frontier = [strip_comments(sql) if exact else sql]
    while frontier:
        text = frontier.pop()
        words = {w.lower() for w in _WORD.findall(text)}
        for decl in objects:
            if decl.relation not in seen and _mentions(text, words, decl, exact):
                seen.add(decl.relation)
                if decl.kind == "view":
                    frontier.append(strip_comments(decl.statement) if exact else decl.statement)
    return [d for d in objects if d.relation in seen]
