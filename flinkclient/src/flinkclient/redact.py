"""Redaction of secret-looking connector properties in SQL text.

Everything the client and the adapter log or put into an error message goes through ``redact_sql`` so
that a ``sasl.jaas.config`` or ``password`` from a profile/env_var never reaches the
terminal, dbt.log or run_results.json.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

SECRET_KEY_PATTERN = re.compile(r"password|sasl\.jaas\.config|secret|token|credential", re.IGNORECASE)
MASK = "****"

# 'key' = 'value' pairs as written in WITH (...) clauses and OPTIONS hints; values may contain
# doubled single quotes (SQL escaping), which the value group allows.
_PAIR = re.compile(r"(?P<key>'[^']*'\s*=\s*)'(?P<value>(?:[^']|'')*)'")


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY_PATTERN.search(key))


def redact_sql(sql: str) -> str:
    def _mask(match: re.Match[str]) -> str:
        key = match.group("key")
        return f"{key}'{MASK}'" if is_secret_key(key) else match.group(0)

    return _PAIR.sub(_mask, sql)


def unredact_sql(sql: str, known: Mapping[str, Mapping[str, object]]) -> str:
    """Put masked values back from ``known`` (the profile's connector_defaults: connector -> options), for
    a script stored redacted and run again; a masked key none of them has stays masked (and fails)."""
    values = {k: v for options in known.values() for k, v in options.items()}

    def _unmask(match: re.Match[str]) -> str:
        if match.group("value") != MASK:
            return match.group(0)
        key = match.group("key").split("=")[0].strip().strip("'")
        if key not in values:
            return match.group(0)
        return match.group("key") + "'" + str(values[key]).replace("'", "''") + "'"

    return _PAIR.sub(_unmask, sql)
