"""Helpers on SQL text shared by the gateway client, the declarations and the adapter."""

from __future__ import annotations

import re

# Whitespace, -- line comments and /* block */ comments (dbt's query comment, hints) at the start.
_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*\n|/\*.*?\*/)*", re.DOTALL)


def strip_leading_comments(sql: str) -> str:
    return _LEADING_COMMENTS.sub("", sql, count=1)


def is_query(sql: str) -> bool:
    """A read (SELECT/WITH/VALUES) rather than DDL/DML."""
    return strip_leading_comments(sql).lstrip("(").lower().startswith(("select", "with", "values"))
