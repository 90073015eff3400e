"""A column as Flink describes it: its type without the time-attribute markers, and dbt's type questions
(is_string, is_number, ...) answered in Flink's type names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dbt.adapters.base.column import Column


@dataclass
class FlinkColumn(Column):
    TYPE_LABELS = {
        "STRING": "STRING",
        "TEXT": "STRING",
        "TIMESTAMP": "TIMESTAMP(3)",
        "FLOAT": "DOUBLE",
        "INTEGER": "INT",
    }

    @classmethod
    def from_describe(cls, name: str, flink_type: str) -> FlinkColumn:
        # DESCRIBE marks time attributes as "TIMESTAMP(3) *ROWTIME*"; the marker is not a type.
        clean = re.sub(r"\s*\*(ROWTIME|PROCTIME)\*", "", flink_type).strip()
        clean = re.sub(r"\s+NOT NULL$", "", clean)
        return cls(column=name, dtype=clean)

    @property
    def quoted(self) -> str:
        return "`" + self.column.replace("`", "``") + "`"

    def is_string(self) -> bool:
        return self.dtype.upper().startswith(("STRING", "VARCHAR", "CHAR"))

    def is_number(self) -> bool:
        return self.is_integer() or self.is_float() or self.is_numeric()

    def is_integer(self) -> bool:
        return self.dtype.upper().split("(")[0] in ("TINYINT", "SMALLINT", "INT", "INTEGER", "BIGINT")

    def is_float(self) -> bool:
        return self.dtype.upper().split("(")[0] in ("FLOAT", "DOUBLE", "REAL")

    def is_numeric(self) -> bool:
        return self.dtype.upper().startswith(("DECIMAL", "NUMERIC"))

    def string_size(self) -> int:
        match = re.search(r"\((\d+)\)", self.dtype)
        return int(match.group(1)) if match else 2147483647

    @property
    def data_type(self) -> str:
        return self.dtype
