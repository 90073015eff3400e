"""Bounded reads: a query over Kafka tables that reads what is in the topics now, then ends.

Tests, ``dbt show``, ``run_query`` and the inputs of batch tables are bounded. For the duration of one
statement each Kafka table it reads is shadowed by a session-local temporary copy with bounded scan
options (``CREATE TEMPORARY TABLE t WITH (...) LIKE t``): views and refs resolve to the copy, the
permanent definition is untouched, and results are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.flink import ddl
from dbt.adapters.flink.catalog import SessionCatalog

# Connectors whose tables are unbounded by default but accept scan.bounded.mode.
BOUNDABLE = {"kafka", "upsert-kafka"}
STARTS = ("earliest", "table")
MODES = ("auto", "batch", "streaming")


def bounded_options(options: dict[str, Any], start: str) -> dict[str, str]:
    """WITH options of the temporary copy that shadows a Kafka table for one bounded read.

    The read ends at the offsets current now. It starts at the earliest offset whatever the table's
    own startup mode: a sink table typically sets none, and Kafka's default (group-offsets) then fails
    without a ``properties.group.id``; a test must see what is in the topic. With ``start='table'``
    (profile ``bounded_read_start``) a table that sets a startup mode keeps it. upsert-kafka has no
    startup option (it always reads from the start).
    """
    if start not in STARTS:
        raise DbtRuntimeError(f"bounded_read_start '{start}' is not valid; use one of: {', '.join(STARTS)}")
    shadow = {"scan.bounded.mode": "latest-offset"}
    if options.get("connector") == "kafka" and (start == "earliest" or not options.get("scan.startup.mode")):
        shadow["scan.startup.mode"] = "earliest-offset"
    return shadow


def runtime_mode(configured: str, reads_changelog: bool) -> str:
    """'batch' unless an upsert-kafka table is read: batch mode rejects changelog sources, so those
    run in streaming mode over bounded inputs (which also terminates)."""
    if configured not in MODES:
        raise DbtRuntimeError(
            f"bounded_read_mode '{configured}' is not valid; use one of: {', '.join(MODES)}"
        )
    if configured == "auto":
        return "streaming" if reads_changelog else "batch"
    return configured


@contextmanager
def bounded_sources(
    catalog: SessionCatalog, run: Callable[[str], Any], sql: str, mode: str, start: str
) -> Iterator[str]:
    """Within the block the Kafka tables ``sql`` reads are bounded copies; yields the runtime mode."""
    boundable = {
        d.relation: d.options
        for d in catalog.read_by(sql)
        if d.kind == "table" and d.options.get("connector") in BOUNDABLE
    }
    changelog = any(options.get("connector") == "upsert-kafka" for options in boundable.values())
    created = []
    try:
        for rel, options in boundable.items():
            run(f"CREATE TEMPORARY TABLE {rel} {ddl.with_clause(bounded_options(options, start))} LIKE {rel}")
            created.append(rel)
        yield runtime_mode(mode, changelog)
    finally:
        for rel in created:
            run(f"DROP TEMPORARY TABLE IF EXISTS {rel}")
