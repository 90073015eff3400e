"""Query hints in the dbt-flink-adapter style: ``/** mode('batch') fetch_timeout_ms(5000) */``.

They let a model or test choose how a statement is run without session-wide SET
statements (which would leak into later statements of the same session).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BLOCK = re.compile(r"/\*\*(.+?)\*/", re.DOTALL)
_HINT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*\((.*?)\)")


@dataclass
class QueryHints:
    mode: str | None = None  # 'streaming' | 'batch'
    fetch_timeout_ms: int | None = None
    fetch_max: int | None = None
    execution_config: dict[str, str] = field(default_factory=dict)

    def statement_config(self) -> dict[str, str]:
        config = dict(self.execution_config)
        if self.mode:
            config["execution.runtime-mode"] = self.mode
        return config


def _unquote(value: str) -> str:
    return value.strip().strip("'\"")


def parse_hints(sql: str) -> QueryHints:
    hints = QueryHints()
    for block in _BLOCK.findall(sql):
        for name, raw in _HINT.findall(block):
            value = _unquote(raw)
            if name in ("mode", "fetch_mode"):
                hints.mode = value.lower()
            elif name == "fetch_timeout_ms":
                hints.fetch_timeout_ms = int(value)
            elif name == "fetch_max":
                hints.fetch_max = int(value)
            elif name == "execution_config":
                # execution_config('key=value;key2=value2')
                for pair in filter(None, (p.strip() for p in value.split(";"))):
                    key, _, val = pair.partition("=")
                    hints.execution_config[key.strip()] = val.strip()
    return hints
