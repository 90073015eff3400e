"""Profile credentials and the connection manager (one SQL Gateway session per dbt thread)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from dbt.adapters.contracts.connection import AdapterResponse, Connection, ConnectionState, Credentials
from dbt.adapters.events.logging import AdapterLogger
from dbt.adapters.events.types import ConnectionUsed, SQLQuery, SQLQueryStatus
from dbt.adapters.sql import SQLConnectionManager
from dbt_common.events.contextvars import get_node_info
from dbt_common.events.functions import fire_event
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
from dbt_common.utils import cast_to_str
from flinkclient.gateway import GatewayClient, GatewayError, Session, StatementResult
from flinkclient.http import Unreachable
from flinkclient.redact import redact_sql

from dbt.adapters.flink.hints import parse_hints

# What to check when an endpoint cannot be reached, in a dbt user's terms.
GATEWAY_HINT = (
    "Check that the SQL Gateway is running and that host/port/https in profiles.yml point to its REST "
    "endpoint (default port 8083)."
)
REST_HINT = (
    "Set flink_rest_host / flink_rest_port in profiles.yml to the JobManager REST endpoint "
    "(default port 8081)."
)

logger = AdapterLogger("Flink")


@dataclass
class FlinkCredentials(Credentials):
    # dbt "database" is the Flink catalog, dbt "schema" the Flink database.
    database: str = "default_catalog"
    schema: str = "default_database"
    host: str = "127.0.0.1"
    port: int = 8083
    https: bool = False
    verify_ssl: bool = True
    api_version: str = "v3"
    session_name: str | None = None
    # Optional Authorization header for a gateway behind a proxy; values usually via env_var().
    auth_method: str | None = None  # 'bearer' | 'basic'
    token: str | None = None
    user: str | None = None
    password: str | None = None
    session_properties: dict[str, str] = field(default_factory=dict)
    # Per-connector options merged into every table using that connector (secrets live here).
    connector_defaults: dict[str, dict[str, str]] = field(default_factory=dict)
    init_statements: list[str] = field(default_factory=list)
    # JobManager REST endpoint for the streaming-job lifecycle (defaults: same host, port 8081).
    flink_rest_host: str | None = None
    flink_rest_port: int = 8081
    flink_rest_https: bool | None = None
    savepoint_dir: str | None = None
    job_grace_period_s: float = 8.0
    statement_timeout_s: float = 900.0
    # Runtime mode of bounded reads (tests, show, run_query): auto = batch unless an upsert-kafka
    # table is read; 'streaming' (over bounded inputs) also handles queries batch mode rejects.
    bounded_read_mode: str = "auto"
    # Where bounded reads start: 'earliest' whatever the table says, or 'table' (its own
    # scan.startup.mode when it sets one, else earliest).
    bounded_read_start: str = "earliest"
    state_dir: str | None = None

    _ALIASES = {"catalog": "database", "flink_database": "schema"}

    @property
    def type(self) -> str:
        return "flink"

    @property
    def unique_field(self) -> str:
        return f"{self.host}:{self.port}"

    def _connection_keys(self) -> tuple[str, ...]:
        # Shown by `dbt debug`; credentials and session properties (may hold secrets) are left out.
        return (
            "host",
            "port",
            "https",
            "database",
            "schema",
            "flink_rest_host",
            "flink_rest_port",
            "auth_method",
        )

    def gateway_url(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}:{self.port}"

    def rest_url(self) -> str:
        https = self.https if self.flink_rest_https is None else self.flink_rest_https
        return f"{'https' if https else 'http'}://{self.flink_rest_host or self.host}:{self.flink_rest_port}"

    def auth_headers(self) -> dict[str, str]:
        method = (self.auth_method or "").lower()
        if method == "bearer" and self.token:
            return {"Authorization": f"Bearer {self.token}"}
        if method == "basic" and self.user is not None:
            raw = f"{self.user}:{self.password or ''}".encode()
            return {"Authorization": "Basic " + base64.b64encode(raw).decode()}
        return {}


class FlinkSession:
    """Connection handle: a gateway session that re-opens itself when the gateway expired it.

    ``prepare(session, sql)`` runs before every statement and declares the catalog objects the
    statement needs in this session (the default catalog is per-session): the adapter passes its
    session catalog's (catalog.py), so this layer never calls the adapter.
    """

    def __init__(self, credentials: FlinkCredentials, prepare: Callable[[FlinkSession, str], None] | None):
        self.credentials = credentials
        self.client = GatewayClient(
            credentials.gateway_url(),
            GATEWAY_HINT,
            headers=credentials.auth_headers(),
            api_version=credentials.api_version,
            verify=credentials.verify_ssl,
        )
        self._prepare = prepare
        self.gateway_session: Session | None = None
        self.declared: dict[str, str] = {}  # relation -> statement this session ran to declare it
        self.next_config: dict[str, str] = {}
        self.open()

    def open(self) -> None:
        # Streaming by default: DDL such as CREATE VIEW over a Kafka table is validated against
        # the runtime mode and batch rejects unbounded sources. Reads choose their mode explicitly.
        props = {"execution.runtime-mode": "streaming", **self.credentials.session_properties}
        self.gateway_session = Session(self.client, props, self.credentials.session_name)
        self.declared = {}
        for stmt in self.credentials.init_statements:
            self.run(stmt, prepare=False)

    @property
    def handle(self) -> str | None:
        return self.gateway_session.handle if self.gateway_session else None

    def run(
        self, sql: str, config: dict[str, str] | None = None, prepare: bool = True, **kwargs: Any
    ) -> StatementResult:
        if prepare and self._prepare is not None:
            self._prepare(self, sql)
        hints = parse_hints(sql)
        stmt_config = {**(config or {}), **hints.statement_config()}
        if hints.fetch_timeout_ms is not None:
            kwargs.setdefault("fetch_timeout_s", hints.fetch_timeout_ms / 1000.0)
        if hints.fetch_max is not None:
            kwargs.setdefault("fetch_max", hints.fetch_max)
        kwargs.setdefault("timeout_s", self.credentials.statement_timeout_s)
        try:
            return self.gateway_session.run(sql, stmt_config, **kwargs)
        except GatewayError as exc:
            # The gateway expires idle sessions (sql-gateway.session.idle-timeout); re-open once.
            if "session" in exc.cause.lower() and "does not exist" in exc.cause.lower():
                self.open()
                if prepare and self._prepare is not None:
                    self._prepare(self, sql)
                return self.gateway_session.run(sql, stmt_config, **kwargs)
            raise

    def cursor(self) -> FlinkCursor:
        return FlinkCursor(self)

    def close(self) -> None:
        try:
            if self.gateway_session:
                self.gateway_session.close()
        finally:
            self.client.close()


class FlinkCursor:
    """Just enough DB-API for dbt's SQLConnectionManager helpers."""

    def __init__(self, session: FlinkSession):
        self.session = session
        self.result: StatementResult | None = None
        self._pos = 0

    def execute(self, sql: str, bindings: Any = None) -> None:
        config, self.session.next_config = self.session.next_config, {}
        self.result = self.session.run(sql, config)
        self._pos = 0

    @property
    def description(self) -> list[tuple] | None:
        if not self.result or not self.result.columns:
            return None
        return [
            (c["name"], c["logicalType"]["type"], None, None, None, None, None) for c in self.result.columns
        ]

    def fetchall(self) -> list[tuple]:
        rows = self.result.rows[self._pos :] if self.result else []
        self._pos += len(rows)
        return [tuple(r) for r in rows]

    def fetchone(self) -> tuple | None:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int) -> list[tuple]:
        rows = self.result.rows[self._pos : self._pos + size] if self.result else []
        self._pos += len(rows)
        return [tuple(r) for r in rows]


class FlinkConnectionManager(SQLConnectionManager):
    TYPE = "flink"
    prepare: Callable[[FlinkSession, str], None] | None = None  # SessionCatalog.prepare (catalog.py)

    def open(self, connection: Connection) -> Connection:  # instance method: needs self.prepare
        if connection.state == ConnectionState.OPEN:
            return connection
        try:
            connection.handle = FlinkSession(connection.credentials, self.prepare)
            connection.state = ConnectionState.OPEN
        except Unreachable as exc:
            connection.state = ConnectionState.FAIL
            connection.handle = None
            raise DbtRuntimeError(str(exc)) from None
        except GatewayError as exc:
            connection.state = ConnectionState.FAIL
            connection.handle = None
            raise DbtDatabaseError(f"Could not open a Flink SQL Gateway session: {exc}") from None
        return connection

    @classmethod
    def close(cls, connection: Connection) -> Connection:
        # The state first: reading `handle` of a connection never used (an ephemeral model's) would
        # resolve its lazy handle, opening a gateway session only to close it.
        if connection.state == ConnectionState.OPEN and connection.handle is not None:
            connection.handle.close()
        connection.state = ConnectionState.CLOSED
        return connection

    def release(self) -> None:
        # dbt releases a thread's connection after every node; closing it there would open a new
        # gateway session for the thread's next node: a round trip per init statement, and every
        # source it reads declared again. So a thread keeps its session for the whole run: the
        # session catalog (catalog.py) declares again only what changed since, and
        # cleanup_connections closes every session at the end of the run.
        pass

    def cancel(self, connection: Connection) -> None:
        connection.handle.close()

    @contextmanager
    def exception_handler(self, sql: str):
        try:
            yield
        except GatewayError as exc:
            # One readable line (the deepest Flink cause) plus the redacted statement.
            raise DbtDatabaseError(str(exc)) from None
        except Unreachable as exc:
            raise DbtRuntimeError(str(exc)) from None

    # Flink has no transactions: dbt's BEGIN/COMMIT bookkeeping is kept, no SQL is sent.
    def add_begin_query(self):
        pass

    def add_commit_query(self):
        pass

    def begin(self):
        connection = self.get_thread_connection()
        connection.transaction_open = True
        return connection

    def commit(self):
        connection = self.get_thread_connection()
        connection.transaction_open = False
        return connection

    def add_query(
        self,
        sql: str,
        auto_begin: bool = True,
        bindings: Any = None,
        abridge_sql_log: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[Connection, Any]:
        # Re-implemented (instead of super()) only so that the logged SQL is redacted.
        connection = self.get_thread_connection()
        fire_event(
            ConnectionUsed(
                conn_type=self.TYPE, conn_name=cast_to_str(connection.name), node_info=get_node_info()
            )
        )
        with self.exception_handler(sql):
            fire_event(
                SQLQuery(
                    conn_name=cast_to_str(connection.name), sql=redact_sql(sql), node_info=get_node_info()
                )
            )
            pre = time.perf_counter()
            cursor = connection.handle.cursor()
            cursor.execute(sql, bindings)
            fire_event(
                SQLQueryStatus(
                    status=str(self.get_response(cursor)),
                    elapsed=time.perf_counter() - pre,
                    node_info=get_node_info(),
                )
            )
            return connection, cursor

    @classmethod
    def get_response(cls, cursor: FlinkCursor) -> AdapterResponse:
        result = cursor.result
        job = result.job_id if result else None
        message = f"OK (job {job})" if job else "OK"
        return AdapterResponse(
            _message=message, rows_affected=len(result.rows) if result else 0, query_id=job
        )

    def execute_with_config(self, sql: str, config: dict[str, str], fetch: bool = False):
        """Run a statement with per-statement Flink configuration (no session-wide SET)."""
        self.get_thread_connection().handle.next_config = dict(config)
        return self.execute(sql, fetch=fetch)
