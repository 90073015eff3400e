"""Turn the SQL Gateway's Java stack walls into one readable line.

The gateway answers a failed statement with an ``errors`` list whose last entry is a full
server-side stack trace.  The useful part is almost always the deepest ``Caused by:``
(e.g. "Object 'orders' not found"), so we walk the chain to the bottom and keep only
that message, without the Java package prefix.
"""

from __future__ import annotations

import re

_CAUSED_BY = re.compile(r"^Caused by: (?P<msg>.+)$", re.MULTILINE)
# Wrapper exceptions whose message only repeats their cause; skipped when choosing the cause.
_NOISE = ("Internal server error.", "Failed to fetchResults.")


def _strip_java_prefix(line: str) -> str:
    """``org.apache.x.FooException: msg`` -> ``FooException: msg``."""
    head, sep, rest = line.partition(": ")
    if sep and re.fullmatch(r"[\w.$]+", head):
        return f"{head.rsplit('.', 1)[-1]}: {rest}"
    return line


def root_cause(errors: list[str] | str) -> str:
    """Return the deepest meaningful cause found in a gateway error payload."""
    texts = [errors] if isinstance(errors, str) else list(errors)
    candidates: list[str] = []
    for text in texts:
        causes = _CAUSED_BY.findall(text)
        if causes:
            candidates.append(causes[-1])
        else:
            first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
            if first.startswith("<Exception on server side:"):
                # No "Caused by:" - the exception line right after the marker is the cause.
                lines = [ln.strip() for ln in text.splitlines()[1:] if ln.strip()]
                first = lines[0] if lines else first
            if first and first not in _NOISE:
                candidates.append(first)
    if not candidates:
        return "unknown error from Flink SQL Gateway"
    # Later entries carry the server-side trace; they are more specific than the summaries.
    return " ".join(_strip_java_prefix(candidates[-1]).split())


def one_line(text: str, limit: int = 2000) -> str:
    """Collapse whitespace so a statement fits on one log line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
