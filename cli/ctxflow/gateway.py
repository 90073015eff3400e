"""A minimal Flink SQL Gateway REST (v3) client for the CLI's own needs (demo, benchmark, stack tests).

dbt models are deployed by the dbt adapter, not through this; this only runs a handful of statements.
"""

from __future__ import annotations

import time

import httpx


class GatewayError(Exception):
    pass


class Gateway:
    def __init__(self, url: str, timeout_s: float = 30):
        self.url = url
        self.http = httpx.Client(base_url=f"{url}/v3", timeout=timeout_s)
        try:
            resp = self.http.post("/sessions", json={})
        except httpx.ConnectError:
            raise GatewayError(f"SQL Gateway at {url} is unreachable: is the stack up (`make up`)?") from None
        self.session = resp.json()["sessionHandle"]

    def rows(self, statement: str, deadline_s: float = 60) -> list[list]:
        """Runs one statement and returns all result rows (for INSERT: [[job_id]])."""
        resp = self.http.post(f"/sessions/{self.session}/statements", json={"statement": statement})
        if resp.status_code != 200:
            raise GatewayError(f"{statement}\n{_root_cause(resp)}")
        op = resp.json()["operationHandle"]
        uri, rows = f"/sessions/{self.session}/operations/{op}/result/0?rowFormat=JSON", []
        deadline = time.monotonic() + deadline_s
        while uri:
            page = self.http.get(uri.removeprefix("/v3"))
            if page.status_code != 200:
                raise GatewayError(f"{statement}\n{_root_cause(page)}")
            body = page.json()
            rows += [r["fields"] for r in (body.get("results") or {}).get("data", [])]
            if body["resultType"] == "EOS":
                break
            if body["resultType"] == "NOT_READY":
                if time.monotonic() > deadline:
                    raise GatewayError(f"no result for {statement!r} within {deadline_s}s")
                time.sleep(0.2)
            uri = body.get("nextResultUri")
        return rows

    def close(self) -> None:
        self.http.delete(f"/sessions/{self.session}")
        self.http.close()

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _root_cause(resp: httpx.Response) -> str:
    """The last 'Caused by:' line of the gateway's error, not the Java stack."""
    try:
        errors = resp.json().get("errors", [])
    except ValueError:
        return resp.text[:500]
    text = "\n".join(errors)
    causes = [line for line in text.splitlines() if line.startswith("Caused by:")]
    return (causes[-1] if causes else text.splitlines()[0] if text else resp.text[:500]).strip()
