"""How dbt-deployed Flink jobs are named, and reading those names back.

A job's ``pipeline.name`` is ``dbt:<owner>#<fingerprint>``: the owner is a model's unique_id
(``model.<package>.<name>``) or a job group (``group.<package>.<group>``). The adapter writes these
names (lifecycle.py); the CLI reads them to tell the project's jobs apart.
"""

from __future__ import annotations

PREFIX = "dbt:"


def job_name(owner: str, fingerprint: str) -> str:
    return f"{PREFIX}{owner}#{fingerprint}"


def owner_of(name: str) -> str | None:
    """``dbt:model.p.personas#ab12`` -> ``model.p.personas``; None for a job dbt did not deploy."""
    if not name.startswith(PREFIX):
        return None
    return name.removeprefix(PREFIX).split("#", 1)[0]


def short_name(name: str) -> str:
    """``dbt:model.p.personas#ab12`` -> ``personas``; ``dbt:group.p.contract#cd34`` -> ``group contract``."""
    owner = owner_of(name) or name.split("#", 1)[0]
    kind, _, rest = owner.partition(".")
    leaf = rest.split(".", 1)[-1] if "." in rest else rest
    return f"group {leaf}" if kind == "group" else leaf
