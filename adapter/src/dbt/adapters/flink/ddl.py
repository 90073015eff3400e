"""Pure functions that render Flink DDL.

Used by the materializations (through the adapter) and by the lazy session declarations, so a
table declared during ``dbt run`` and re-declared in a later process come from one code path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def quote(identifier: str) -> str:
    return "`" + identifier.replace("`", "``") + "`"


def sql_string(value: Any) -> str:
    if isinstance(value, bool):
        value = "true" if value else "false"
    return "'" + str(value).replace("'", "''") + "'"


def with_clause(options: Mapping[str, Any]) -> str:
    if not options:
        return ""
    body = ",\n  ".join(f"{sql_string(k)} = {sql_string(v)}" for k, v in options.items())
    return f"WITH (\n  {body}\n)"


PLACEHOLDERS = ("database", "schema", "identifier")


def merged_options(config: Mapping[str, Any], relation: Any = None) -> dict[str, Any]:
    """``default_connector_properties`` overlaid by ``connector_properties`` (dbt-flink-adapter style).

    String values may use ``{identifier}``, ``{schema}`` and ``{database}`` so that one project-wide
    default (e.g. ``topic: 'ctx.{identifier}'``) gives every model its own topic/path.
    """
    merged: dict[str, Any] = {}
    merged.update(config.get("default_connector_properties") or {})
    merged.update(config.get("connector_properties") or {})
    if relation is not None:
        for key, value in merged.items():
            if isinstance(value, str):
                for part in PLACEHOLDERS:
                    value = value.replace("{" + part + "}", str(getattr(relation, part, "") or ""))
                merged[key] = value
    return merged


@dataclass
class ColumnSpec:
    """A column as declared in YAML: physical, metadata or computed (dbt-flink-adapter keys)."""

    name: str
    data_type: str | None = None
    column_type: str = "physical"
    expression: str | None = None

    @classmethod
    def from_yaml(cls, col: Mapping[str, Any]) -> ColumnSpec:
        extra = col.get("_extra") or {}
        meta = col.get("meta") or {}

        def pick(key: str) -> Any:
            return col.get(key) or extra.get(key) or meta.get(key)

        return cls(
            name=col["name"],
            data_type=pick("data_type") or pick("type"),
            column_type=(pick("column_type") or "physical").lower(),
            expression=pick("expression"),
        )

    def render(self) -> str:
        name = quote(self.name)
        if self.column_type == "computed":
            return f"{name} AS {self.expression}"
        if not self.data_type:
            raise ValueError(f"column '{self.name}' needs a data_type")
        if self.column_type == "metadata":
            if "METADATA" in self.data_type.upper():  # full form already written in data_type
                return f"{name} {self.data_type}"
            source = f" FROM {sql_string(self.expression)}" if self.expression else ""
            return f"{name} {self.data_type} METADATA{source}"
        return f"{name} {self.data_type}"


def primary_key_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def primary_key(
    config: Mapping[str, Any],
    columns: Iterable[Mapping[str, Any]] = (),
    constraints: Iterable[Mapping[str, Any]] = (),
) -> list[str]:
    """Key from config ``primary_key``, column ``constraints`` and model-level ``constraints``."""
    pk = primary_key_list(config.get("primary_key"))
    for col in columns:
        if (
            any(c.get("type") == "primary_key" for c in col.get("constraints") or [])
            and col["name"] not in pk
        ):
            pk.append(col["name"])
    for constraint in constraints:
        if constraint.get("type") == "primary_key":
            pk += [c for c in constraint.get("columns") or [] if c not in pk]
    return pk


def table_body(
    column_defs: Iterable[str],
    primary_key: list[str] | None = None,
    watermark: Mapping[str, str] | None = None,
) -> str:
    parts = list(column_defs)
    if watermark and watermark.get("column"):
        strategy = watermark.get("strategy") or quote(watermark["column"])
        parts.append(f"WATERMARK FOR {quote(watermark['column'])} AS {strategy}")
    if primary_key:
        parts.append(f"PRIMARY KEY ({', '.join(quote(c) for c in primary_key)}) NOT ENFORCED")
    return "(\n  " + ",\n  ".join(parts) + "\n)"


def create_table(relation: str, body: str, options: Mapping[str, Any]) -> str:
    return f"CREATE TABLE {relation} {body}\n{with_clause(options)}".rstrip()


def source_table_body(config: Mapping[str, Any], columns: Iterable[Mapping[str, Any]]) -> str:
    columns = list(columns)
    specs = [ColumnSpec.from_yaml(c) for c in columns]
    return table_body([s.render() for s in specs], primary_key(config, columns), config.get("watermark"))


def sink_columns(
    model: Mapping[str, Any], inferred: list[tuple[str, str]]
) -> tuple[list[str], list[str], list[str]]:
    """Column definitions, primary key and column order of a model's sink table.

    ``inferred`` is the query's (name, type) list. With an enforced contract the YAML columns
    define the sink (types, NOT NULL, metadata columns) and must name the same columns as the query.
    """
    config = model.get("config") or {}
    columns = list((model.get("columns") or {}).values())
    pk = primary_key(config, columns, model.get("constraints") or [])
    contract = (model.get("contract") or {}).get("enforced") or (config.get("contract") or {}).get("enforced")
    if not contract:
        return [f"{quote(n)} {t}" for n, t in inferred], pk, [n for n, _ in inferred]

    declared = [c["name"] for c in columns]
    got = [n for n, _ in inferred]
    if sorted(n.lower() for n in declared) != sorted(n.lower() for n in got):
        raise ValueError(
            f"Contract for {model.get('unique_id')} does not match its query: contract columns "
            f"{declared}, query columns {got}"
        )
    defs = []
    for col in columns:
        if not col.get("data_type"):
            raise ValueError(f"Contract column '{col['name']}' needs a data_type")
        spec = ColumnSpec.from_yaml(col)
        if spec.column_type == "metadata":
            # e.g. the Kafka record timestamp: written by the INSERT like any other column.
            defs.append(spec.render())
            continue
        kinds = {c.get("type") for c in col.get("constraints") or []}
        not_null = " NOT NULL" if "not_null" in kinds or col["name"] in pk else ""
        defs.append(f"{quote(col['name'])} {col['data_type']}{not_null}")
    return defs, pk, declared
