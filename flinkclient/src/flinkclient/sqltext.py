"""Helpers on Flink SQL text: comments and the kind of statement (used by the client and the adapter)."""

from __future__ import annotations

import re

# Whitespace, -- line comments and /* block */ comments (dbt's query comment, hints) at the start.
_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*\n|/\*.*?\*/)*", re.DOTALL)


def strip_leading_comments(sql: str) -> str:
    return _LEADING_COMMENTS.sub("", sql, count=1)


# A string literal ('' escapes a quote), a quoted identifier, or a comment: scanned left to right so
# that `--` inside a literal is not taken for a comment.
_TOKENS = re.compile(r"'(?:[^']|'')*'|`[^`]*`|--[^\n]*|/\*.*?\*/", re.DOTALL)


def strip_comments(sql: str) -> str:
    """``sql`` without its comments. A relation named only in a comment (dbt's
    ``-- depends_on: {{ ref(...) }}``) orders the DAG but is not read by the statement."""
    return _TOKENS.sub(lambda m: m.group(0) if m.group(0)[0] in "'`" else " ", sql)


def is_query(sql: str) -> bool:
    """A read (SELECT/WITH/VALUES) rather than DDL/DML."""
    return strip_leading_comments(sql).lstrip("(").lower().startswith(("select", "with", "values"))
