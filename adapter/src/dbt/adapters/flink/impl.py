"""The Flink adapter: what dbt can ask of it. Materialization logic lives here (Python), macros stay thin.

Its helpers have homes of their own: the session catalog (catalog.py), bounded reads (bounded.py),
the SQL text (ddl.py, dml.py), the job lifecycle (lifecycle.py, groups.py) and the connection layer
(connections.py over the shared Flink client, the top-level ``flinkclient`` package).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import agate
from dbt.adapters.base.impl import ConstraintSupport
from dbt.adapters.base.meta import available
from dbt.adapters.base.relation import BaseRelation
from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.sql import SQLAdapter
from dbt_common.clients.agate_helper import table_from_rows
from dbt_common.contracts.constraints import ConstraintType
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
from flinkclient.gateway import GatewayError
from flinkclient.http import FlinkClientError
from flinkclient.redact import unredact_sql
from flinkclient.rest import FlinkRestClient
from flinkclient.sqltext import is_query

from dbt.adapters.flink import config as cfg
from dbt.adapters.flink import ddl, dml
from dbt.adapters.flink.bounded import BOUNDABLE, bounded_sources
from dbt.adapters.flink.catalog import SessionCatalog
from dbt.adapters.flink.column import FlinkColumn
from dbt.adapters.flink.config import as_dict
from dbt.adapters.flink.connections import REST_HINT, FlinkConnectionManager, FlinkSession
from dbt.adapters.flink.groups import (
    GroupTracker,
    Member,
    agreed,
    deploy_script,
    explain_statement_set,
    grace_period,
    group_fingerprint,
    group_id,
    merged_execution_config,
    statement_set,
)
from dbt.adapters.flink.hints import parse_hints
from dbt.adapters.flink.lifecycle import (
    DeployPlan,
    JobFailed,
    deploy,
    fingerprint,
    is_restore_failure,
    job_name,
    model_jobs,
    recent_build,
    stop_jobs_of,
)
from dbt.adapters.flink.relation import FlinkRelation

logger = AdapterLogger("Flink")

# Flink's answer to DESCRIBE / SHOW of an object, database or catalog the session does not hold
# ("Tables or views with the identifier '…' doesn't exist.", "Catalog x does not exist").
_MISSING = ("doesn't exist", "does not exist")


def _missing(exc: DbtDatabaseError) -> bool:
    return any(marker in str(exc) for marker in _MISSING)


class FlinkAdapter(SQLAdapter):
    ConnectionManager = FlinkConnectionManager
    Relation = FlinkRelation
    Column = FlinkColumn
    AdapterSpecificConfigs = cfg.FlinkConfig

    # Flink declares primary keys but never checks them (NOT ENFORCED); NOT NULL is enforced by
    # the sink's not-null enforcer; the rest does not exist in Flink SQL (dbt warns about them).
    CONSTRAINT_SUPPORT = {
        ConstraintType.check: ConstraintSupport.NOT_SUPPORTED,
        ConstraintType.not_null: ConstraintSupport.ENFORCED,
        ConstraintType.unique: ConstraintSupport.NOT_SUPPORTED,
        ConstraintType.primary_key: ConstraintSupport.NOT_ENFORCED,
        ConstraintType.foreign_key: ConstraintSupport.NOT_SUPPORTED,
    }

    def __init__(self, config, mp_context) -> None:
        super().__init__(config, mp_context)
        self.catalog = SessionCatalog(self.config.credentials, getattr(self.config, "project_root", None))
        # The connection layer declares what a statement reads before it runs (catalog.py).
        self.connections.prepare = self.catalog.prepare
        self._groups = GroupTracker()

    def set_macro_resolver(self, macro_resolver) -> None:
        super().set_macro_resolver(macro_resolver)
        self.catalog.manifest = macro_resolver  # the manifest: sources and nodes to declare

    def clear_macro_resolver(self) -> None:
        super().clear_macro_resolver()
        self.catalog.manifest = None

    # -- basics ---------------------------------------------------------------------------
    @classmethod
    def date_function(cls) -> str:
        return "CURRENT_TIMESTAMP"

    @classmethod
    def is_cancelable(cls) -> bool:
        return False

    @classmethod
    def quote(cls, identifier: str) -> str:
        return ddl.quote(identifier)

    @classmethod
    def convert_text_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "STRING"

    @classmethod
    def convert_number_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        decimals = agate_table.aggregate(agate.MaxPrecision(col_idx))
        return "DOUBLE" if decimals else "BIGINT"

    @classmethod
    def convert_integer_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "BIGINT"

    @classmethod
    def convert_boolean_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "BOOLEAN"

    @classmethod
    def convert_datetime_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "TIMESTAMP(3)"

    @classmethod
    def convert_date_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "DATE"

    @classmethod
    def convert_time_type(cls, agate_table: agate.Table, col_idx: int) -> str:
        return "TIME"

    # -- helpers --------------------------------------------------------------------------
    @property
    def _creds(self):
        return self.config.credentials

    def _rest(self) -> FlinkRestClient:
        return FlinkRestClient(
            self._creds.rest_url(),
            REST_HINT,
            headers=self._creds.auth_headers(),
            verify=self._creds.verify_ssl,
        )

    def _run(self, sql: str, config: dict[str, str] | None = None, fetch: bool = False):
        if config:
            return self.connections.execute_with_config(sql, config, fetch=fetch)
        return self.connections.execute(sql, fetch=fetch)

    def _rows(self, sql: str) -> list[tuple]:
        _, table = self._run(sql, fetch=True)
        return [tuple(r) for r in table.rows]

    def _declared(self, relation, stmt: str | None) -> None:
        """Record what this thread's session now holds for ``relation`` (None: dropped)."""
        declared = self.connections.get_thread_connection().handle.declared
        if stmt is None:
            declared.pop(str(relation), None)
        else:
            declared[str(relation)] = stmt

    def _options_or_fail(self, relation, model: dict[str, Any], what: str) -> dict[str, Any]:
        options = self.catalog.options(model.get("config") or {}, relation)
        if not options.get("connector"):
            raise DbtRuntimeError(
                f"{model.get('unique_id')}: a {what} needs connector_properties with a 'connector' "
                "(Flink has no built-in storage); see docs/configuration.md"
            )
        return options

    @available
    def drop_any(self, relation: BaseRelation) -> None:
        """Drop whatever object has this name (view or table); Flink rejects DROP TABLE on a view."""
        for kind in ("VIEW", "TABLE"):
            try:
                self._run(f"DROP {kind} IF EXISTS {relation}")
            except DbtDatabaseError as exc:  # wrong object kind for this DROP statement
                logger.debug(f"drop {kind} {relation}: {exc}")
        self._declared(relation, None)
        self.cache_dropped(relation)

    # -- schema inference -----------------------------------------------------------------
    def describe_query(self, sql: str) -> list[FlinkColumn]:
        # A temporary view lets Flink resolve the query's schema without running it.
        probe = f"`__dbt_schema_probe_{threading.get_ident()}`"
        self._run(f"CREATE TEMPORARY VIEW {probe} AS\n{sql}")
        try:
            rows = self._rows(f"DESCRIBE {probe}")
        finally:
            self._run(f"DROP TEMPORARY VIEW IF EXISTS {probe}")
        return [FlinkColumn.from_describe(r[0], r[1]) for r in rows]

    @available
    def describe_query_columns(self, sql: str) -> list[FlinkColumn]:
        return self.describe_query(sql)

    @available
    def describe_query_names(self, sql: str) -> list[str]:
        return [c.column for c in self.describe_query(sql)]

    # -- reads (bounded snapshots, see bounded.py) -----------------------------------------
    def _bounded(self, sql: str):
        """Context in which the Kafka tables ``sql`` reads are bounded; yields the runtime mode."""
        return bounded_sources(
            self.catalog, self._run, sql, self._creds.bounded_read_mode, self._creds.bounded_read_start
        )

    def execute(self, sql: str, auto_begin: bool = False, fetch: bool = False, limit: int | None = None):
        """Reads (SELECT/WITH/VALUES) from run_query, dbt show, analyses... are bounded snapshots.

        Without this a plain SELECT over a Kafka table would never end; DDL/DML pass through.
        """
        if is_query(sql):
            response, table = self.execute_bounded(sql, fetch=fetch)
            if limit is not None and fetch:
                table = table.limit(limit)
            return response, table
        return super().execute(sql, auto_begin=auto_begin, fetch=fetch, limit=limit)

    @available
    def declare_sources(self) -> str:
        """Backs the ``create_sources()`` macro that dbt-flink-adapter projects call on-run-start."""
        self.catalog.declare_all(self.connections.get_thread_connection().handle)
        return ""

    @available
    def execute_bounded(self, sql: str, fetch: bool = True):
        """Run a read query over what is in the topics now (tests, show, seed guards).

        With a ``fetch_timeout_ms`` hint the time-boxed streaming behaviour is kept instead.
        """
        if parse_hints(sql).fetch_timeout_ms is not None:
            return self._run(sql, {"execution.runtime-mode": "streaming"}, fetch=fetch)
        with self._bounded(sql) as mode:
            return self._run(sql, {"execution.runtime-mode": mode}, fetch=fetch)

    @available
    def execute_test(self, sql: str):
        """Bounded test query; an empty streaming aggregate means zero failures."""
        response, table = self.execute_bounded(sql)
        if len(table.rows) == 0 and len(table.column_names) == 3:
            table = table_from_rows([[0, False, False]], list(table.column_names))
        return response, table

    # -- materializations -------------------------------------------------------------------
    @available
    def materialize_view(self, relation: BaseRelation, sql: str, model: dict[str, Any]) -> str:
        stmt = f"CREATE VIEW {relation} AS\n{sql}"
        self.drop_any(relation)
        self._run(stmt)
        self.catalog.register(relation, model["unique_id"], "view", stmt)
        self._declared(relation, stmt)
        return "view created"

    def _create_sink(self, relation, sql, model) -> tuple[str, list[str], list[str], dict[str, Any]]:
        options = self._options_or_fail(relation, model, model.get("config", {}).get("materialized", "table"))
        inferred = [(c.column, c.dtype) for c in self.describe_query(sql)]
        try:
            defs, pk, names = ddl.sink_columns(model, inferred)
        except ValueError as exc:
            raise DbtRuntimeError(str(exc)) from None
        body = ddl.table_body(defs, pk, (model.get("config") or {}).get("watermark"))
        create = ddl.create_table(str(relation), body, options)
        self.drop_any(relation)
        self._run(create)
        self.catalog.register(relation, model["unique_id"], "table", body)
        self._declared(relation, create)
        return create, pk, names, options

    def _guard_append_only(self, relation, options, pk, full_refresh: bool, what: str) -> None:
        """Refuse to silently duplicate data in an append-only target that already has rows."""
        if pk or options.get("connector") not in BOUNDABLE:
            return
        try:
            _, table = self.execute_bounded(f"SELECT COUNT(*) FROM {relation}")
        except DbtDatabaseError as exc:
            if "UnknownTopicOrPartition" in str(exc):
                return  # the topic does not exist yet: nothing to duplicate
            raise
        existing = int(table.rows[-1][0]) if table.rows else 0
        if existing == 0:
            return
        if not full_refresh:
            raise DbtRuntimeError(
                f"{what} {relation} is append-only (connector '{options.get('connector')}', no primary "
                f"key) and already holds {existing} row(s); loading again would duplicate them. Declare "
                "a primary key with an upsert connector (e.g. upsert-kafka), or run with --full-refresh "
                "to append anyway."
            )
        logger.warning(f"--full-refresh: appending to {relation}, which already holds {existing} row(s)")

    def _insert_bounded(self, insert: str, sql: str, model: dict[str, Any], name: str | None = None):
        """A batch INSERT of the query's bounded result, waiting for the job to finish."""
        run_config = {
            "execution.runtime-mode": "batch",
            "table.dml-sync": "true",
            **cfg.execution_config(model.get("config") or {}),
            # after the model's own config: freshness.build_after finds the build by this name
            **({"pipeline.name": name} if name else {}),
        }
        with self._bounded(sql):
            response, _ = self._run(insert, run_config)
        return response

    @available
    def materialize_table(
        self, relation, sql: str, model: dict[str, Any], full_refresh: bool, selected: Any = None
    ) -> str:
        config = model.get("config") or {}
        if cfg.is_streaming({**config, "materialized": "table"}):
            # dbt-flink-adapter projects express a continuous job as a table with type: streaming.
            return self.materialize_streaming_table(relation, sql, model, full_refresh, selected)
        create, pk, names, options = self._create_sink(relation, sql, model)
        insert = dml.insert_select(relation, sql, names, overwrite=options.get("connector") == "filesystem")
        # The batch job is named like a streaming one: the model and a fingerprint of its INSERT, its
        # table's DDL and the DDL of what it reads, and its config. So a later run knows whether this
        # very table was built recently enough to be left as is (freshness.build_after, config.py).
        upstream = [d.statement for d in self.catalog.read_by(sql)]
        name = job_name(
            model["unique_id"], fingerprint(insert, [create, *upstream], cfg.execution_config(config))
        )
        max_age_s = cfg.build_after_s(config, model["unique_id"])
        if max_age_s is not None and not full_refresh:
            fresh = self._fresh_build(model["unique_id"], name, max_age_s)
            if fresh:
                return fresh
        self._guard_append_only(relation, options, pk, full_refresh, "Table")
        return f"table loaded (job {self._insert_bounded(insert, sql, model, name).query_id})"

    def _fresh_build(self, unique_id: str, name: str, max_age_s: float) -> str | None:
        """The status line of a table left as is (lifecycle.recent_build), or None to build it. When the
        JobManager cannot be asked, the table is built: building is always correct."""
        now_ms = int(time.time() * 1000)
        try:
            with self._rest() as rest:
                built = recent_build(rest, unique_id, name, max_age_s, now_ms)
        except FlinkClientError as exc:
            logger.warning(f"{unique_id}: cannot tell when it was last built ({exc}); building it")
            return None
        if built is None:
            return None
        age_min = (now_ms - built.start_time) / 60_000
        return (
            f"fresh, left as is: built {age_min:.0f} min ago (job {built.job_id}), within its "
            "freshness.build_after; --full-refresh builds it again"
        )

    @available
    def materialize_incremental(self, relation, sql: str, model: dict[str, Any], full_refresh: bool) -> str:
        """Batch incremental: first run (or --full-refresh) builds the table, later runs append the
        query's (bounded) result; with a primary key on an upsert connector that is a merge."""
        existing = self.get_relation(relation.database, relation.schema, relation.identifier)
        if existing is None or existing.is_view or full_refresh:
            return self.materialize_table(relation, sql, model, full_refresh=True)
        insert = dml.insert_select(relation, sql, [c.column for c in self.describe_query(sql)])
        return f"appended (job {self._insert_bounded(insert, sql, model).query_id})"

    def _streaming_member(self, relation, sql: str, model: dict[str, Any]) -> Member:
        """Create the model's sink and describe the INSERT that feeds it (not yet submitted)."""
        config = model.get("config") or {}
        who = model["unique_id"]
        mode, state = cfg.upgrade_mode(config, who), cfg.job_state(config, who)  # fail before any DDL
        create, _, names, _ = self._create_sink(relation, sql, model)
        upstream = [d.statement for d in self.catalog.read_by(sql)]
        grace = config.get("job_grace_period_s")
        return Member(
            unique_id=who,
            insert=dml.insert_select(relation, sql, names),
            ddl=(create, *upstream),
            execution_config=cfg.execution_config(config),
            upgrade_mode=mode,
            job_state=state,
            grace_period_s=float(grace) if grace is not None else None,
        )

    def _deploy(self, plan: DeployPlan, submit, grace_s: float, before=None, check=None) -> str:
        rest = self._rest()
        try:
            if before is not None:
                before(rest)
            return deploy(rest, plan, submit, grace_s, check, resubmit=self._resubmit)
        except (JobFailed, FlinkClientError) as exc:
            raise DbtRuntimeError(str(exc)) from None
        finally:
            rest.close()

    def _resubmit(self, statements: list[str], config: dict[str, str]) -> str:
        """Run a job's stored deploy script (lifecycle.rollback) in a gateway session of its own, whose
        catalog holds only what the script declares; masked secrets come back from the profile."""
        session = FlinkSession(self._creds, prepare=None)
        try:
            defaults = self._creds.connector_defaults or {}
            *declarations, job_sql = [unredact_sql(s, defaults) for s in statements]
            for statement in declarations:
                session.run(statement, prepare=False)
            job_id = session.run(job_sql, config, prepare=False).job_id
        finally:
            session.close()
        if not job_id:
            raise DbtRuntimeError("Flink returned no job id for the previous version's script")
        return job_id

    @available
    def materialize_streaming_table(
        self, relation, sql: str, model: dict[str, Any], full_refresh: bool, selected: Any = None
    ) -> str:
        group = cfg.job_group(model.get("config") or {}, model["unique_id"])
        if group:
            return self._materialize_group_member(relation, sql, model, full_refresh, group, selected)
        member = self._streaming_member(relation, sql, model)
        fp = fingerprint(member.insert, list(member.ddl), member.execution_config)
        plan = DeployPlan(
            unique_id=member.unique_id,
            name=job_name(member.unique_id, fp),
            upgrade_mode=member.upgrade_mode,
            job_state=member.job_state,
            full_refresh=full_refresh,
            savepoint_dir=self._creds.savepoint_dir,
            script=deploy_script([member], member.insert),
            script_config={"execution.runtime-mode": "streaming", **member.execution_config},
        )

        def submit(extra: dict[str, str]) -> str:
            response, _ = self._run(
                member.insert, {"execution.runtime-mode": "streaming", **member.execution_config, **extra}
            )
            if not response.query_id:
                raise DbtRuntimeError(f"Flink returned no job id for {relation}")
            return response.query_id

        status = self._deploy(plan, submit, grace_period([member], self._creds.job_grace_period_s))
        logger.info(f"{relation}: {status}")
        return status

    # -- job groups (one statement set per group, see groups.py) ---------------------------------
    def _group_members(self, package: str, group: str) -> list[str]:
        """unique_ids of the enabled streaming models of ``package`` in ``group`` (the project as it
        is now: a model removed from the group, disabled or deleted is no member)."""
        members = []
        for uid, node in self.catalog.nodes().items():
            if getattr(node, "resource_type", None) != "model" or node.package_name != package:
                continue
            config = as_dict(node.config)
            if cfg.is_streaming(config) and cfg.job_group(config, uid) == group:
                members.append(uid)
        return sorted(members)

    def _dependency_order(self, unique_ids: list[str]) -> list[str]:
        """Members that read another member's sink come after it (its sink must exist first)."""
        nodes = self.catalog.nodes()
        pending, ordered = list(unique_ids), []
        while pending:
            ready = [u for u in pending if not set(nodes[u].depends_on.nodes) & set(pending)] or pending[:1]
            ordered += ready
            pending = [u for u in pending if u not in ready]
        return ordered

    def _compile_member(self, unique_id: str) -> Member:
        """A member not selected in this run: compile it like dbt would and prepare its sink."""
        from dbt.compilation import Compiler

        manifest = self._macro_resolver
        node = Compiler(self.config).compile_node(manifest.nodes[unique_id], manifest, {}, write=False)
        relation = self.Relation.create(
            database=node.database, schema=node.schema, identifier=node.alias, type="table"
        )
        return self._streaming_member(relation, node.compiled_code, as_dict(node))

    def _materialize_group_member(
        self, relation, sql: str, model: dict[str, Any], full_refresh: bool, group: str, selected: Any
    ) -> str:
        uid = model["unique_id"]
        gid = group_id(model["package_name"], group)
        members = self._group_members(model["package_name"], group)
        chosen = {u for u in members if selected is None or u in set(selected)}
        try:
            member = self._streaming_member(relation, sql, model)
        except Exception as exc:
            self._groups.arrive(gid, chosen, uid, None, str(exc).splitlines()[0])
            logger.warning(f"job group {gid} will not be deployed in this run: member {uid} failed")
            raise
        run = self._groups.arrive(gid, chosen, uid, member)
        if run is None:
            waiting = self._groups.waiting_on(gid)
            status = f"sink ready; job group {gid} is deployed after " + (
                ", ".join(waiting) if waiting else "its other members"
            )
            logger.info(f"{relation}: {status}")
            return status
        if run.failed:
            status = f"job group {gid} not deployed: member(s) {', '.join(sorted(run.failed))} failed"
            logger.warning(status)
            return status
        others = self._dependency_order([u for u in members if u not in run.arrived])
        unselected = f"; not selected in this run, compiled from the project: {', '.join(others)}"
        deploying = f"job group {gid}: deploying all {len(members)} member(s) as one job"
        logger.info(deploying + (unselected if others else ""))
        for other in others:
            run.arrived[other] = self._compile_member(other)
        status = self._deploy_group(gid, list(run.arrived.values()), full_refresh)
        logger.info(f"job group {gid} ({len(run.arrived)} members): {status}")
        return status

    def _deploy_group(self, gid: str, members: list[Member], full_refresh: bool) -> str:
        mode = agreed(gid, members, "upgrade_mode")
        state = agreed(gid, members, "job_state")
        exec_config = merged_execution_config(gid, members)
        sql = statement_set(members)
        plan = DeployPlan(
            unique_id=gid,
            name=job_name(gid, group_fingerprint(members, exec_config)),
            upgrade_mode=mode,
            job_state=state,
            full_refresh=full_refresh,
            savepoint_dir=self._creds.savepoint_dir,
            ignore_unclaimed_state=exec_config.get("execution.savepoint.ignore-unclaimed-state", "true"),
            stateless_fallback=True,
            script=deploy_script(members, sql),
            script_config={"execution.runtime-mode": "streaming", **exec_config},
        )

        run_config = {"execution.runtime-mode": "streaming", **exec_config}

        def check() -> None:
            # Plan the statement set before any running job is stopped: a bad member then fails
            # the run and leaves the jobs as they are.
            try:
                self._run(explain_statement_set(members), run_config)
            except DbtDatabaseError as exc:
                raise DbtRuntimeError(self._group_failure(gid, members, exc.msg)) from None

        def stop_standalone(rest: FlinkRestClient) -> None:
            # A model that joined the group: its own job would write the same sink twice.
            savepoint = mode == "savepoint" and not full_refresh
            joined = [m for m in members if any(j.active for j in model_jobs(rest, m.unique_id))]
            if joined and state == "running":
                check()
            for m in joined:
                for job in stop_jobs_of(rest, m.unique_id, savepoint, self._creds.savepoint_dir):
                    logger.info(f"job group {gid}: {m.unique_id} joined the group, its own job {job} stopped")

        def submit(extra: dict[str, str]) -> str:
            try:
                response, _ = self._run(sql, {**run_config, **extra})
            except DbtDatabaseError as exc:
                cause = exc.msg.splitlines()[0]
                if "execution.savepoint.path" in extra and is_restore_failure(cause):
                    raise DbtRuntimeError(cause) from None  # the savepoint, not a member (see deploy)
                raise DbtRuntimeError(self._group_failure(gid, members, exc.msg)) from None
            if not response.query_id:
                raise DbtRuntimeError(f"Flink returned no job id for job group {gid}")
            return response.query_id

        grace_s = grace_period(members, self._creds.job_grace_period_s)
        return self._deploy(plan, submit, grace_s, before=stop_standalone, check=check)

    def _group_failure(self, gid: str, members: list[Member], error: str) -> str:
        """Name the member whose INSERT Flink rejects: plan each one alone (EXPLAIN runs no job)."""
        session = self.connections.get_thread_connection().handle
        for member in sorted(members, key=lambda m: m.unique_id):
            try:
                session.run(f"EXPLAIN {member.insert}", {"execution.runtime-mode": "streaming"})
            except GatewayError as exc:
                return f"job group {gid}: member {member.unique_id} failed: {exc.cause}"
        return f"job group {gid}: the statement set failed: {error.splitlines()[0]}"

    def cleanup_connections(self) -> None:
        # Called once the run's nodes are done: a group some of whose selected members never ran
        # (skipped after an upstream failure) was not deployed, which would otherwise go unsaid.
        for gid, waiting in self._groups.incomplete().items():
            if waiting:
                logger.warning(
                    f"job group {gid} was not deployed: selected member(s) {', '.join(waiting)} did not run"
                )
        self._groups.reset()
        super().cleanup_connections()

    # -- seeds ------------------------------------------------------------------------------
    @available
    def load_seed(self, relation, model: dict[str, Any], table: agate.Table, full_refresh: bool) -> str:
        config = model.get("config") or {}
        options = self._options_or_fail(relation, model, "seed")
        column_types = config.get("column_types") or {}
        types = [
            column_types.get(name) or self.convert_type(table, i) for i, name in enumerate(table.column_names)
        ]
        pk = ddl.primary_key(config, (model.get("columns") or {}).values())
        defs = [f"{ddl.quote(n)} {t}" for n, t in zip(table.column_names, types, strict=True)]
        body = ddl.table_body(defs, pk)
        self.drop_any(relation)
        create = ddl.create_table(str(relation), body, options)
        self._run(create)
        self.catalog.register(relation, model["unique_id"], "table", body)
        self._declared(relation, create)
        self._guard_append_only(relation, options, pk, full_refresh, "Seed")
        run_config = {"execution.runtime-mode": "batch", "table.dml-sync": "true"}
        for start in range(0, len(table.rows), dml.SEED_BATCH):
            insert = dml.seed_insert(
                relation, table.column_names, types, table.rows[start : start + dml.SEED_BATCH]
            )
            if options.get("connector") == "filesystem" and start == 0:
                insert = insert.replace("INSERT INTO", "INSERT OVERWRITE", 1)  # re-seed replaces files
            self._run(insert, run_config)
        return f"seeded {len(table.rows)} row(s)"

    # -- introspection -----------------------------------------------------------------------
    def list_relations_without_caching(self, schema_relation: BaseRelation) -> list[BaseRelation]:
        """What SHOW TABLES/VIEWS sees in this session, plus the relations this session would
        declare lazily on first use (see catalog.py)."""
        target = f"{ddl.quote(schema_relation.database)}.{ddl.quote(schema_relation.schema)}"
        kinds: dict[str, str] = {
            d.identifier: d.kind
            for d in self.catalog.declarations()
            if d.kind != "database"
            and (d.database, d.schema) == (schema_relation.database, schema_relation.schema)
        }
        try:
            views = {r[0] for r in self._rows(f"SHOW VIEWS FROM {target}")}
            tables = self._rows(f"SHOW TABLES FROM {target}")
            kinds.update({name: "view" if name in views else "table" for (name, *_) in tables})
        except DbtDatabaseError as exc:
            if not _missing(exc):
                raise
            logger.debug(f"list relations in {target}: {exc}")  # not created (yet) in this session
        return [
            self.Relation.create(
                database=schema_relation.database, schema=schema_relation.schema, identifier=name, type=kind
            )
            for name, kind in sorted(kinds.items())
        ]

    def get_columns_in_relation(self, relation: BaseRelation) -> list[FlinkColumn]:
        """The relation's columns; when it does not exist, the columns the project declares for it
        (catalog.planned_columns), else none. An unreachable gateway is an error (connections.py
        names the URL and what to check), never an empty column list."""
        try:
            rows = self._rows(f"DESCRIBE {relation}")
        except DbtDatabaseError as exc:
            if not _missing(exc):
                raise
            logger.debug(f"describe {relation}: {exc}")
            return [FlinkColumn(column=n, dtype=t) for n, t in self.catalog.planned_columns(relation)]
        return [FlinkColumn.from_describe(r[0], r[1]) for r in rows]

    def list_schemas(self, database: str) -> list[str]:
        # dbt-core sometimes passes the already-quoted catalog name.
        catalog = database.strip("`")
        return [r[0] for r in self._rows(f"SHOW DATABASES FROM {ddl.quote(catalog)}")]

    def check_schema_exists(self, database: str, schema: str) -> bool:
        return schema in self.list_schemas(database)

    @available
    def flink_catalog(self, database: str, schemas: list[str]) -> agate.Table:
        """The docs catalog (``dbt docs generate``): every column of every relation of ``schemas``."""
        rows = []
        for schema in schemas:
            base = self.Relation.create(database=database, schema=schema)
            for rel in self.list_relations_without_caching(base):
                for idx, col in enumerate(self.get_columns_in_relation(rel), start=1):
                    kind = str(rel.type).upper()
                    rows.append(
                        [database, schema, rel.identifier, kind, None, None, col.column, idx, col.dtype, None]
                    )
        return table_from_rows(rows, CATALOG_COLUMNS, text_only_columns=CATALOG_COLUMNS)

    def debug_query(self) -> None:
        info = self.connections.get_thread_connection().handle.client.info()
        logger.info(
            f"Flink SQL Gateway {self._creds.gateway_url()}: {info.get('productName')} {info.get('version')}"
        )
        rest = self._rest()
        try:
            overview = rest.overview()
        except FlinkClientError as exc:
            raise DbtRuntimeError(str(exc)) from None
        finally:
            rest.close()
        logger.info(
            f"Flink REST {self._creds.rest_url()}: Flink {overview.get('flink-version')}, "
            f"{overview.get('taskmanagers')} TaskManager(s), {overview.get('slots-available')} free slot(s)"
        )
        self.execute("SELECT 1")


CATALOG_COLUMNS = [
    "table_database",
    "table_schema",
    "table_name",
    "table_type",
    "table_comment",
    "table_owner",
    "column_name",
    "column_index",
    "column_type",
    "column_comment",
]
