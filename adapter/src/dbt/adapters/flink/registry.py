"""A small on-disk registry of the relations this project created, used to re-declare them.

Why: Flink's default catalog lives in memory inside one SQL Gateway session, and every dbt
process opens a new session.  Sources can be re-declared from the manifest alone, but a model's
table schema is inferred from its query at run time and a view needs its compiled SQL, neither
of which a later ``dbt test --select x`` process has.  So materializations record the
*schema part* of each relation here (columns, keys, watermark, view SQL) and the session
declarations replay it.  Connector options are deliberately NOT stored: on replay they are
re-derived from the current manifest config of the node, so secrets never touch this file and a
rotated password is picked up.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class RelationRegistry:
    def __init__(self, path: Path):
        self.path = path

    def load(self) -> dict[str, dict[str, Any]]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def put(self, relation: str, entry: dict[str, Any]) -> None:
        data = self.load()
        data.pop(relation, None)  # re-insert at the end: creation order is replay order
        data[relation] = entry
        self._write(data)

    def drop(self, relation: str) -> None:
        data = self.load()
        if data.pop(relation, None) is not None:
            self._write(data)

    def _write(self, data: dict[str, Any]) -> None:
        # Atomic replace: parallel dbt threads/processes never observe a half-written file.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".registry-")
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh, indent=1, sort_keys=False)
        os.replace(tmp, self.path)
