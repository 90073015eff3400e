"""Client of the Flink SQL Gateway REST API (v2+): sessions, statements with per-statement
configuration, paged results.

Why our own instead of py-flink-sql-gateway: against the real gateway that library sleeps a
fixed second before re-polling every statement (a dbt run issues hundreds of DDL
statements that finish in ~50 ms), raises the raw Java trace as its error text, and hides the
``jobID`` that INSERT statements return - which the job lifecycle needs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from flinkclient.errors import one_line, root_cause
from flinkclient.http import Endpoint, FlinkClientError, Unreachable
from flinkclient.redact import redact_sql
from flinkclient.sqltext import strip_leading_comments

GATEWAY = "the Flink SQL Gateway"


class GatewayError(FlinkClientError):
    """A statement failed inside Flink; ``cause`` is the one-line root cause."""

    def __init__(self, cause: str, statement: str | None = None):
        # Flink echoes table options in some messages ("Table options are: 'k'='v' ..."): redact.
        cause = redact_sql(cause)
        self.cause = cause
        self.statement = statement
        if statement is not None:
            # The leading query comment (dbt's {"app": "dbt", ...}) is noise in an error message.
            shown = strip_leading_comments(statement)
            text = f"{cause}\n  statement: {one_line(redact_sql(shown))}"
        else:
            text = cause
        super().__init__(text)


@dataclass
class StatementResult:
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    job_id: str | None = None
    timed_out: bool = False  # a time-boxed streaming query was cut off (expected, not an error)


class GatewayClient(Endpoint):
    def __init__(
        self,
        base_url: str,
        hint: str,
        headers: dict[str, str] | None = None,
        api_version: str = "v3",
        request_timeout_s: float = 60.0,
        verify: bool = True,
        transport: httpx.BaseTransport | None = None,
    ):
        super().__init__(base_url, GATEWAY, hint, headers, request_timeout_s, verify, f"/{api_version}", transport)
        self.api_version = api_version

    def _request(self, method: str, path: str, statement: str | None = None, **kwargs: Any) -> Any:
        resp = self.send(method, path, **kwargs)
        if resp.status_code != 200:
            try:
                errors = resp.json().get("errors", [])
            except ValueError:
                errors = [resp.text]
            raise GatewayError(root_cause(errors or [f"HTTP {resp.status_code}"]), statement)
        return resp.json() if resp.content else {}

    # -- metadata / sessions ----------------------------------------------------------------
    def info(self) -> dict[str, str]:
        return self._request("GET", "/info")

    def open_session(self, properties: dict[str, str] | None = None, name: str | None = None) -> str:
        body: dict[str, Any] = {"properties": properties or {}}
        if name:
            body["sessionName"] = name
        handle = self._request("POST", "/sessions", json=body).get("sessionHandle")
        if not handle:
            raise GatewayError(f"{GATEWAY} at {self.base_url} opened no session (no sessionHandle)")
        return handle

    def close_session(self, session: str) -> None:
        self._request("DELETE", f"/sessions/{session}")

    # -- statements -------------------------------------------------------------------------
    def execute(
        self,
        session: str,
        statement: str,
        config: dict[str, str] | None = None,
        timeout_s: float | None = None,
        fetch_timeout_s: float | None = None,
        fetch_max: int | None = None,
    ) -> StatementResult:
        """Run one statement and collect its result.

        ``timeout_s`` bounds the whole statement (an error when exceeded); ``fetch_timeout_s``
        time-boxes reading an unbounded streaming query (not an error: rows so far are returned).
        """
        body: dict[str, Any] = {"statement": statement}
        if config:
            body["executionConfig"] = {k: str(v) for k, v in config.items()}
        op = self._request("POST", f"/sessions/{session}/statements", statement, json=body)["operationHandle"]
        result = StatementResult()
        start = time.monotonic()
        token: str | None = "0"
        delay = 0.02
        try:
            while token is not None:
                page = self._request(
                    "GET",
                    f"/sessions/{session}/operations/{op}/result/{token}",
                    statement,
                    params={"rowFormat": "JSON"},
                )
                kind = page.get("resultType")
                elapsed = time.monotonic() - start
                if fetch_timeout_s is not None and elapsed > fetch_timeout_s and kind != "EOS":
                    result.timed_out = True
                    break
                # Every page counts against the deadline, empty PAYLOAD pages too (a streaming query
                # that produces nothing would otherwise be polled forever).
                if timeout_s is not None and elapsed > timeout_s:
                    raise GatewayError(f"statement did not finish within {timeout_s:.0f}s", statement)
                if kind == "NOT_READY" or (kind == "PAYLOAD" and not (page.get("results") or {}).get("data")):
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    if kind == "NOT_READY":
                        continue
                else:
                    delay = 0.02
                result.job_id = page.get("jobID") or result.job_id
                results = page.get("results") or {}
                result.columns = results.get("columns") or result.columns
                apply_changelog(result.rows, results.get("data", []))
                if fetch_max is not None and len(result.rows) >= fetch_max:
                    result.rows = result.rows[:fetch_max]
                    break
                if kind == "EOS":
                    break
                token = page_token(page.get("nextResultUri"))
        finally:
            # Closing the operation also cancels a still-running SELECT job (time-boxed queries).
            try:
                self._request("DELETE", f"/sessions/{session}/operations/{op}/close")
            except (GatewayError, Unreachable):
                pass
        return result


class Session:
    """One gateway session: ``run`` statements in it, ``close`` it (also as a context manager)."""

    def __init__(self, client: GatewayClient, properties: dict[str, str] | None = None, name: str | None = None):
        self.client = client
        self.handle = client.open_session(properties, name)

    def run(self, statement: str, config: dict[str, str] | None = None, **kwargs: Any) -> StatementResult:
        return self.client.execute(self.handle, statement, config, **kwargs)

    def rows(self, statement: str, timeout_s: float = 60.0) -> list[list[Any]]:
        """The statement's result rows (an INSERT or a statement set: [[job id]])."""
        return self.run(statement, timeout_s=timeout_s).rows

    def close(self) -> None:
        try:
            self.client.close_session(self.handle)
        except (GatewayError, Unreachable):
            pass  # the gateway expires sessions on its own; nothing to clean up then

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def page_token(next_uri: str | None) -> str | None:
    """``/v3/sessions/s/operations/o/result/7?rowFormat=JSON`` -> ``7``; None after the last page."""
    return next_uri.split("?")[0].rsplit("/", 1)[-1] if next_uri else None


def apply_changelog(rows: list[list[Any]], data: list[dict[str, Any]]) -> None:
    """Fold a changelog page into ``rows``.

    Streaming queries (e.g. a time-boxed test with an aggregation) emit retractions; applying
    them yields the current content instead of every intermediate change.
    """
    for row in data:
        fields = row.get("fields", [])
        if row.get("kind") in ("DELETE", "UPDATE_BEFORE"):
            if fields in rows:
                rows.remove(fields)
        else:
            rows.append(fields)
