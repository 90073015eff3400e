"""Pure functions that render the INSERT statements of tables, streaming jobs and seeds."""

from __future__ import annotations

from typing import Any

from dbt.adapters.flink.ddl import quote, sql_string

SEED_BATCH = 500  # rows per INSERT: a few hundred plain literals plan as one VALUES source


def insert_select(relation: Any, sql: str, names: list[str], overwrite: bool = False) -> str:
    """The model's query into its sink, columns in the sink's order."""
    cols = ", ".join(quote(n) for n in names)
    verb = "INSERT OVERWRITE" if overwrite else "INSERT INTO"
    return f"{verb} {relation}\nSELECT {cols} FROM (\n{sql.strip().rstrip(';')}\n) AS `dbt_src`"


def literal_text(value: Any) -> str:
    """A seed cell as the text of a SQL string literal (cast to the column type by the INSERT)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "hour") and hasattr(value, "day"):
        return value.isoformat(sep=" ")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def seed_insert(relation: Any, names: list[str], types: list[str], rows: Any) -> str:
    """INSERT ... SELECT CAST(..) FROM (VALUES <plain literals>).

    Rows must be *plain literals*: with any expression (even CAST(NULL AS ..)) in a row Flink plans
    the VALUES as a union of one source per row, and a few hundred sources exhaust the
    TaskManager's network buffers.  So every value is a string literal (or bare NULL) cast in the
    outer SELECT; a column that is NULL in every row is left out of VALUES (its NULL has no type).
    """
    typed = [i for i in range(len(names)) if any(row[i] is not None for row in rows)] or [0]
    aliases = {i: f"c{i}" for i in typed}
    values = ",\n".join(
        "(" + ", ".join("NULL" if row[i] is None else sql_string(literal_text(row[i])) for i in typed) + ")"
        for row in rows
    )
    select = ", ".join(
        f"CAST({aliases[i]} AS {t})" if i in aliases else f"CAST(NULL AS {t})" for i, t in enumerate(types)
    )
    cols = ", ".join(quote(n) for n in names)
    return (
        f"INSERT INTO {relation} ({cols})\nSELECT {select} FROM (VALUES\n{values}\n) "
        f"AS v({', '.join(aliases.values())})"
    )
