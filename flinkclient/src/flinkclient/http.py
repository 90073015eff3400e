"""The HTTP plumbing both clients share: one way to fail when an endpoint cannot be reached."""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

import httpx

T = TypeVar("T")


class FlinkClientError(Exception):
    """Anything this client raises: catch this to survive a failed call to Flink."""


class Unreachable(FlinkClientError):
    """The endpoint did not answer, or refused our credentials; the message says what to check."""


@functools.cache
def _default_tls() -> ssl.SSLContext:
    """The verifying TLS context, built once per process: building one loads the CA bundle (about 20 ms
    of CPU), and dbt opens a client for every connection, an http:// one included."""
    return httpx.create_ssl_context()


class Endpoint:
    """One REST endpoint (SQL Gateway or JobManager): the base of both clients.

    ``what`` names it in errors ("the Flink SQL Gateway"); ``hint`` says what to do when it cannot be
    reached, in the caller's terms (a profile key for dbt, ``make up`` for the CLI).
    """

    def __init__(
        self,
        base_url: str,
        what: str,
        hint: str,
        headers: dict[str, str] | None = None,
        timeout_s: float = 30.0,
        verify: bool = True,
        path_prefix: str = "",
        transport: httpx.BaseTransport | None = None,  # tests answer requests in-process
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.what = what
        self.hint = hint
        self._http = httpx.Client(
            base_url=self.base_url + path_prefix,
            headers=headers or {},
            timeout=timeout_s,
            verify=_default_tls() if verify else False,
            transport=transport,
        )

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        try:
            resp = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise Unreachable(
                f"Cannot reach {self.what} at {self.base_url} ({type(exc).__name__}: {exc}). {self.hint}"
            ) from exc
        if resp.status_code in (401, 403):
            raise Unreachable(
                f"{self.what} at {self.base_url} rejected the request with HTTP {resp.status_code}; "
                "check the credentials (auth settings) sent to it."
            )
        return resp

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()


def poll(check: Callable[[], T | None], what: str, timeout_s: float, every_s: float, error=TimeoutError) -> T:
    """``check()``'s first value that is not None; ``error`` naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise error(f"{what} not done after {timeout_s:.0f}s")
        time.sleep(every_s)
