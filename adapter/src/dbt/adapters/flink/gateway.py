"""Minimal client for the Flink SQL Gateway REST API (v2+).

Why our own instead of py-flink-sql-gateway: against the real gateway that library sleeps a
fixed second before re-polling every statement (a dbt run issues hundreds of DDL
statements that finish in ~50 ms), raises the raw Java trace as its error text, and hides the
``jobID`` that INSERT statements return - which the job lifecycle needs.  The subset we need is
small: sessions, statements with per-statement configuration, paged results.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from dbt.adapters.flink.errors import one_line, root_cause
from dbt.adapters.flink.redact import redact_sql
from dbt.adapters.flink.sqltext import strip_leading_comments


class GatewayError(Exception):
    """A statement failed inside Flink; ``cause`` is the one-line root cause."""

    def __init__(self, cause: str, statement: str | None = None):
        # Flink echoes table options in some messages ("Table options are: 'k'='v' ..."): redact.
        cause = redact_sql(cause)
        self.cause = cause
        self.statement = statement
        if statement is not None:
            # The leading dbt query comment ({"app": "dbt", ...}) is noise in an error message.
            shown = strip_leading_comments(statement)
            text = f"{cause}\n  statement: {one_line(redact_sql(shown))}"
        else:
            text = cause
        super().__init__(text)


class GatewayUnreachable(Exception):
    pass


@dataclass
class StatementResult:
    columns: list[dict[str, Any]] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    job_id: str | None = None
    result_kind: str = ""
    is_query: bool = False
    timed_out: bool = False  # a time-boxed streaming query was cut off (expected, not an error)


class GatewayClient:
    def __init__(
        self,
        base_url: str,
        headers: dict[str, str] | None = None,
        api_version: str = "v3",
        request_timeout: float = 60.0,
        verify: bool = True,
    ):
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self._http = httpx.Client(
            base_url=f"{self.base_url}/{api_version}",
            headers=headers or {},
            timeout=request_timeout,
            verify=verify,
        )

    # -- plumbing ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, statement: str | None = None, **kwargs: Any) -> Any:
        try:
            resp = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise GatewayUnreachable(
                f"Cannot reach the Flink SQL Gateway at {self.base_url} ({type(exc).__name__}: {exc}). "
                "Check that the SQL Gateway is running and that host/port/https in profiles.yml "
                "point to its REST endpoint (default port 8083)."
            ) from exc
        if resp.status_code in (401, 403):
            raise GatewayUnreachable(
                f"The Flink SQL Gateway at {self.base_url} rejected the request with HTTP "
                f"{resp.status_code}; check auth settings in profiles.yml."
            )
        if resp.status_code != 200:
            try:
                errors = resp.json().get("errors", [])
            except ValueError:
                errors = [resp.text]
            raise GatewayError(root_cause(errors or [f"HTTP {resp.status_code}"]), statement)
        return resp.json() if resp.content else {}

    def close(self) -> None:
        self._http.close()

    # -- metadata / sessions ----------------------------------------------------------------
    def info(self) -> dict[str, str]:
        return self._request("GET", "/info")

    def open_session(self, properties: dict[str, str], name: str | None = None) -> str:
        body: dict[str, Any] = {"properties": properties}
        if name:
            body["sessionName"] = name
        return self._request("POST", "/sessions", json=body)["sessionHandle"]

    def close_session(self, session: str) -> None:
        self._request("DELETE", f"/sessions/{session}")

    def heartbeat(self, session: str) -> None:
        self._request("POST", f"/sessions/{session}/heartbeat", json={})

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
        token, delay = "0", 0.02
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
                if timeout_s is not None and elapsed > timeout_s:
                    raise GatewayError(f"statement did not finish within {timeout_s:.0f}s", statement)
                if kind == "NOT_READY" or (kind == "PAYLOAD" and not page["results"]["data"]):
                    time.sleep(delay)
                    delay = min(delay * 2, 0.5)
                    if kind == "NOT_READY":
                        continue
                else:
                    delay = 0.02
                result.job_id = page.get("jobID") or result.job_id
                result.result_kind = page.get("resultKind", result.result_kind)
                result.is_query = page.get("isQueryResult", result.is_query)
                results = page.get("results") or {}
                result.columns = results.get("columns") or result.columns
                _apply_changelog(result.rows, results.get("data", []))
                if fetch_max is not None and len(result.rows) >= fetch_max:
                    result.rows = result.rows[:fetch_max]
                    break
                if kind == "EOS":
                    break
                next_uri = page.get("nextResultUri")
                token = next_uri.split("?")[0].rsplit("/", 1)[-1] if next_uri else None
        finally:
            # Closing the operation also cancels a still-running SELECT job (time-boxed queries).
            try:
                self._request("DELETE", f"/sessions/{session}/operations/{op}/close")
            except (GatewayError, GatewayUnreachable):
                pass
        return result


def _apply_changelog(rows: list[list[Any]], data: list[dict[str, Any]]) -> None:
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
