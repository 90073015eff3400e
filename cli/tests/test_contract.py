"""The event contract is defined once (var `event_contract` in dbt_project.yml); what repeats it is
held to it here: the typed sources the staging models read, the README's contract table, and the
Python view of it that the simulator uses."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml

from ctxflow.core.contract import INPUTS, KEYS, project_vars, validate

REPO = Path(__file__).resolve().parents[2]
CONTRACT = project_vars()["event_contract"]


def test_the_typed_sources_have_the_contract_fields_with_their_types():
    spec = yaml.safe_load((REPO / "models/staging/_ctx_valid__sources.yml").read_text())
    tables = {t["name"]: t for t in spec["sources"][0]["tables"]}
    assert set(tables) == set(CONTRACT)
    for event, body in CONTRACT.items():
        physical = [(c["name"], c["data_type"]) for c in tables[event]["columns"] if "column_type" not in c]
        assert physical == [(f["name"], f["type"]) for f in body["fields"]], event
        assert tables[event]["config"]["connector_properties"]["topic"].endswith(f"valid.{event}")


def test_the_bench_typed_plays_source_has_the_contract_fields():
    spec = yaml.safe_load((REPO / "models/bench/_bench__sources.yml").read_text())
    (table,) = spec["sources"][0]["tables"]
    physical = [(c["name"], c["data_type"]) for c in table["columns"] if "column_type" not in c]
    assert physical == [(f["name"], f["type"]) for f in CONTRACT["plays"]["fields"]]


def _readme_row(event: str, body: dict) -> str:
    parts = []
    for f in body["fields"]:
        attrs = [f["type"]] if f["type"] != "STRING" else []
        attrs += ["optional"] if not f.get("required", True) else []
        attrs += [" \\| ".join(f"`{v}`" for v in f["allowed"])] if f.get("allowed") else []
        parts.append(f["name"] + (f" ({'; '.join(attrs)})" if attrs else ""))
    return f"| `ctx.{event}` | {body['key']} | " + ", ".join(parts) + " |"


def test_the_readme_contract_table_is_the_contract():
    readme = (REPO / "README.md").read_text()
    for event, body in CONTRACT.items():
        assert _readme_row(event, body) in readme, f"README's row of ctx.{event} differs from the contract"


def test_python_reads_every_field_type_and_enumeration_of_the_contract():
    assert set(INPUTS) == set(CONTRACT) and set(KEYS) == set(CONTRACT)
    for event, body in CONTRACT.items():
        fields = INPUTS[event]
        assert [f.name for f in fields] == [f["name"] for f in body["fields"]]
        for field, spec in zip(fields, body["fields"], strict=True):
            assert field.allowed == (tuple(str(v) for v in spec["allowed"]) if spec.get("allowed") else None)
            assert field.required == spec.get("required", True)
    price = next(f for f in INPUTS["page_views"] if f.name == "price")
    assert price.kind is Decimal


def test_every_enumerated_field_is_validated():
    play = {
        "event_id": "e1",
        "user_id": "u1",
        "ts": 1,
        "content_id": "c1",
        "genre": "pop",
        "audience": "adult",
        "country": "PL",
        "device": "tv",
    }
    assert validate("plays", play) == []
    for name in ("genre", "audience", "country", "device"):
        errors = validate("plays", {**play, name: "unknown"})
        assert len(errors) == 1 and errors[0].startswith(f"{name}='unknown' is not one of"), errors
