"""The session catalog: what a gateway session must declare before a statement can run in it.

Flink's default catalog lives in memory inside one SQL Gateway session, and every dbt process and
thread has its own session. So each statement is preceded by the declarations it needs (see
declarations.py): the databases of the project, its sources (DDL derived from the manifest) and the
relations its materializations recorded in the relation registry (registry.py), with connector
options re-derived from the node's current config.
"""

from __future__ import annotations

import csv
import os
import re
import threading
from pathlib import Path
from typing import Any

from dbt.adapters.events.logging import AdapterLogger
from flinkclient.gateway import GatewayError
from flinkclient.redact import redact_sql

from dbt.adapters.flink import ddl
from dbt.adapters.flink.config import as_dict
from dbt.adapters.flink.connections import FlinkCredentials, FlinkSession
from dbt.adapters.flink.declarations import Declaration, referenced
from dbt.adapters.flink.registry import RelationRegistry
from dbt.adapters.flink.relation import FlinkRelation

logger = AdapterLogger("Flink")


def registry_path(creds: FlinkCredentials, project_root: str | None) -> Path:
    """One registry file per gateway, under ``state_dir`` (or the project's ``.flink_state``)."""
    base = creds.state_dir or os.environ.get("DBT_FLINK_STATE_DIR")
    root = Path(base) if base else Path(project_root or os.getcwd()) / ".flink_state"  # dbt debug: no project
    return root / (re.sub(r"[^A-Za-z0-9_.-]", "_", f"{creds.host}_{creds.port}") + ".json")


def typed_seed_columns(header: list[str], column_types: dict[str, str]) -> list[tuple[str, str]]:
    """A seed's (name, type) columns as ``load_seed`` will create them, when ``column_types`` types
    every CSV column; else none (``load_seed`` would infer the rest from the data, unknown here)."""
    types = {name.lower(): dtype for name, dtype in column_types.items()}
    if not header or any(name.lower() not in types for name in header):
        return []
    return [(name, types[name.lower()]) for name in header]


def contract_columns(config: dict[str, Any], columns: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """A model's (name, type) columns from its enforced contract (the sink table it will have)."""
    if not (config.get("contract") or {}).get("enforced") or not columns:
        return []
    if any(not c.get("data_type") for c in columns):
        return []
    return [
        (c["name"], re.sub(r"\s+NOT\s+NULL$", "", c["data_type"].strip(), flags=re.IGNORECASE))
        for c in columns
    ]


class SessionCatalog:
    """Declarations of the project's objects, and declaring them lazily in a session.

    The adapter hands it the manifest (``manifest``) when dbt sets one; the connection layer calls
    ``prepare`` before each statement.
    """

    def __init__(self, creds: FlinkCredentials, project_root: str | None) -> None:
        self.creds = creds
        self.registry = RelationRegistry(registry_path(creds, project_root))
        self.manifest: Any = None
        self._lock = threading.Lock()
        self._cache: tuple[Any, list[Declaration]] | None = None

    # -- what the project defines ------------------------------------------------------------
    def options(self, config: Any, relation: Any) -> dict[str, Any]:
        """Connector options of one table: the profile's ``connector_defaults`` for its connector,
        then the node's ``default_connector_properties`` and ``connector_properties``.

        The profile layer exists for secrets: dbt only scrubs ``DBT_ENV_SECRET_*`` env vars in
        profiles.yml, while node configs are written to manifest.json in clear.
        """
        options = ddl.merged_options(as_dict(config), relation)
        defaults = (self.creds.connector_defaults or {}).get(str(options.get("connector", "")), {})
        return {**defaults, **options} if options else {}

    def nodes(self) -> dict[str, Any]:
        if self.manifest is None:
            return {}
        return {**getattr(self.manifest, "nodes", {}), **getattr(self.manifest, "sources", {})}

    def planned_columns(self, relation: Any) -> list[tuple[str, str]]:
        """(name, type) columns of a seed or model of the project that the session does not hold
        (not seeded or deployed yet), as the project declares them: a seed's CSV header typed by its
        ``column_types``, a model's enforced contract. Empty unless every column's type is declared.

        A dbt unit test describes every input it gives rows for; an input should not have to be
        seeded or deployed (Kafka topics, jobs) before its logic can be tested.
        """
        for node in self.nodes().values():
            if getattr(node, "relation_name", None) != str(relation):
                continue
            kind = str(getattr(node, "resource_type", ""))
            if kind == "seed":
                return self._seed_columns(node)
            if kind == "model":
                return contract_columns(as_dict(node.config), [as_dict(c) for c in node.columns.values()])
            return []
        return []

    @staticmethod
    def _seed_columns(node: Any) -> list[tuple[str, str]]:
        path = Path(getattr(node, "root_path", None) or "") / node.original_file_path
        delimiter = getattr(node.config, "delimiter", None) or ","
        try:
            with path.open(newline="", encoding="utf-8") as f:
                header = next(csv.reader(f, delimiter=delimiter), [])
        except OSError as exc:
            logger.debug(f"seed {node.unique_id}: cannot read {path}: {exc}")
            return []
        return typed_seed_columns(header, as_dict(node.config).get("column_types") or {})

    def register(self, relation: Any, unique_id: str, kind: str, body: str) -> None:
        """Record the schema part of a relation a materialization created (see registry.py)."""
        entry = {
            "unique_id": unique_id,
            "kind": kind,
            "body": body,
            "database": relation.database,
            "schema": relation.schema,
            "identifier": relation.identifier,
        }
        with self._lock:
            self.registry.put(str(relation), entry)

    def declarations(self) -> list[Declaration]:
        """Databases, sources (from the manifest) and recorded relations (from the registry).

        Cached until the manifest object or the registry file changes: it is consulted before
        every statement.
        """
        try:
            stat = self.registry.path.stat()
            reg_key = (stat.st_mtime_ns, stat.st_size)
        except FileNotFoundError:
            reg_key = None
        key = (id(self.manifest), reg_key)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        decls = self._build(self.registry.load())
        self._cache = (key, decls)
        return decls

    def _build(self, recorded: dict[str, dict[str, Any]]) -> list[Declaration]:
        decls: list[Declaration] = []
        # Flink databases are session-scoped too: declare the target's and every node's.
        schemas: set[tuple[str, str]] = {(self.creds.database, self.creds.schema)}
        nodes = self.nodes()
        for node in nodes.values():
            if str(getattr(node, "resource_type", "")) in ("model", "seed", "snapshot"):
                schemas.add((node.database, node.schema))
            if getattr(node, "resource_type", None) != "source":
                continue
            config = {**as_dict(node.meta), **as_dict(node.config)}
            rel = FlinkRelation.create(database=node.database, schema=node.schema, identifier=node.identifier)
            options = self.options(config, rel)
            if not options:
                continue  # declared elsewhere (init_statements, a real catalog)
            body = ddl.source_table_body(config, [as_dict(c) for c in node.columns.values()])
            schemas.add((node.database, node.schema))
            stmt = ddl.create_table(str(rel), body, options)
            decls.append(
                Declaration(str(rel), "table", stmt, node.database, node.schema, node.identifier, options)
            )
        for rel, entry in recorded.items():
            node = nodes.get(entry["unique_id"])
            if node is None or getattr(node, "relation_name", None) != rel:
                # Deleted, renamed, re-targeted or now ephemeral: do not resurrect the old relation.
                continue
            parts = (entry["database"], entry["schema"], entry.get("identifier") or "")
            schemas.add(parts[:2])
            if entry["kind"] == "view":
                decls.append(Declaration(rel, "view", entry["body"], *parts))
            else:
                relation = FlinkRelation.create(database=parts[0], schema=parts[1], identifier=parts[2])
                options = self.options(node.config, relation)
                stmt = ddl.create_table(rel, entry["body"], options)
                decls.append(Declaration(rel, "table", stmt, *parts, options))
        create_dbs = [
            Declaration(
                f"{ddl.quote(c)}.{ddl.quote(s)}",
                "database",
                f"CREATE DATABASE IF NOT EXISTS {ddl.quote(c)}.{ddl.quote(s)}",
                c,
                s,
            )
            for c, s in sorted(schemas)
            if c and s
        ]
        return create_dbs + decls

    def read_by(self, sql: str) -> list[Declaration]:
        """Tables and views a statement reads by their fully qualified name, through views."""
        return referenced(sql, self.declarations(), exact=True)

    # -- what a session holds -----------------------------------------------------------------
    def prepare(self, session: FlinkSession, sql: str) -> None:
        """Before ``sql`` runs: declare the databases and the objects it may read (lazily)."""
        decls = self.declarations()
        needed = [d for d in decls if d.kind == "database"] + referenced(sql, decls)
        self._declare(session, [d for d in needed if session.declared.get(d.relation) != d.statement])

    def declare_all(self, session: FlinkSession) -> None:
        """Declare everything now (``create_sources()``: for SQL naming tables unqualified)."""
        self._declare(
            session, [d for d in self.declarations() if session.declared.get(d.relation) != d.statement]
        )

    @staticmethod
    def _declare(session: FlinkSession, pending: list[Declaration]) -> None:
        """Run declarations; a changed one replaces the session's old definition.

        With threads > 1 each thread has its own session, so a relation another thread just
        (re)created is noticed here as a changed statement.
        """
        while pending:
            failed = []
            for decl in pending:
                try:
                    if decl.relation in session.declared and decl.kind != "database":
                        for drop in ("VIEW", "TABLE"):
                            try:
                                session.run(f"DROP {drop} IF EXISTS {decl.relation}", prepare=False)
                            except GatewayError:
                                pass  # wrong object kind for this DROP
                    logger.debug(f"declare: {redact_sql(decl.statement)}")
                    session.run(decl.statement, prepare=False)
                    session.declared[decl.relation] = decl.statement
                except GatewayError as exc:
                    failed.append((decl, exc))
            if len(failed) == len(pending):
                for decl, exc in failed:
                    logger.warning(f"Could not declare {decl.relation} in the Flink session: {exc.cause}")
                break
            pending = [decl for decl, _ in failed]  # views whose inputs were declared later
