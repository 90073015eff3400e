"""A seed not loaded or a model not deployed yet still has the columns the project declares (a seed's
CSV header typed by column_types, a model's enforced contract): a dbt unit test describes every input
it gives rows for, and should not need `dbt seed` or `dbt run` first (no stack needed)."""

from types import SimpleNamespace

from dbt_common.exceptions import DbtDatabaseError

from dbt.adapters.flink.catalog import SessionCatalog, contract_columns, typed_seed_columns
from dbt.adapters.flink.column import FlinkColumn
from dbt.adapters.flink.connections import FlinkCredentials
from dbt.adapters.flink.impl import FlinkAdapter

REL = "`default_catalog`.`default_database`.`thresholds`"
TYPED = [("name", "STRING"), ("value", "DOUBLE")]


def test_every_csv_column_typed_gives_the_header_in_order():
    columns = typed_seed_columns(["name", "Value"], {"value": "DOUBLE", "name": "STRING"})
    assert columns == [("name", "STRING"), ("Value", "DOUBLE")]


def test_a_column_without_a_declared_type_gives_none():
    # load_seed would infer its type from the rows: guessing here could disagree with it
    assert typed_seed_columns(["name", "value"], {"name": "STRING"}) == []
    assert typed_seed_columns([], {"name": "STRING"}) == []


def test_an_enforced_contract_gives_the_models_columns():
    columns = [
        {"name": "user_id", "data_type": "STRING NOT NULL"},
        {"name": "top", "data_type": "ARRAY<STRING>"},
    ]
    assert contract_columns({"contract": {"enforced": True}}, columns) == [
        ("user_id", "STRING"),
        ("top", "ARRAY<STRING>"),
    ]


def test_no_enforced_contract_or_an_untyped_column_gives_none():
    typed = [{"name": "user_id", "data_type": "STRING"}]
    assert contract_columns({}, typed) == []
    assert contract_columns({"contract": {"enforced": False}}, typed) == []
    assert contract_columns({"contract": {"enforced": True}}, [*typed, {"name": "x"}]) == []


def _catalog(tmp_path, delimiter=None) -> SessionCatalog:
    (tmp_path / "seeds").mkdir()
    sep = delimiter or ","
    (tmp_path / "seeds" / "thresholds.csv").write_text(f"name{sep}value\ngift_min_views{sep}3\n")
    creds = FlinkCredentials(database="default_catalog", schema="default_database", state_dir=str(tmp_path))
    catalog = SessionCatalog(creds, str(tmp_path))
    seed = SimpleNamespace(
        resource_type="seed",
        unique_id="seed.p.thresholds",
        relation_name=REL,
        root_path=str(tmp_path),
        original_file_path="seeds/thresholds.csv",
        config=SimpleNamespace(delimiter=delimiter, to_dict=lambda omit_none: {"column_types": dict(TYPED)}),
    )
    model = SimpleNamespace(
        resource_type="model",
        relation_name="`default_catalog`.`default_database`.`profiles`",
        config=SimpleNamespace(to_dict=lambda omit_none: {"contract": {"enforced": True}}),
        columns={
            "user_id": SimpleNamespace(to_dict=lambda omit_none: {"name": "user_id", "data_type": "STRING"})
        },
    )
    catalog.manifest = SimpleNamespace(nodes={seed.unique_id: seed, "model.p.profiles": model}, sources={})
    return catalog


def test_an_unloaded_seed_of_the_project_is_described_from_its_csv(tmp_path):
    catalog = _catalog(tmp_path)
    assert catalog.planned_columns(REL) == TYPED
    assert catalog.planned_columns("`default_catalog`.`default_database`.`other`") == []


def test_an_undeployed_contracted_model_is_described_from_its_contract(tmp_path):
    profiles = "`default_catalog`.`default_database`.`profiles`"
    assert _catalog(tmp_path).planned_columns(profiles) == [("user_id", "STRING")]


def test_the_seeds_delimiter_is_respected(tmp_path):
    assert _catalog(tmp_path, delimiter=";").planned_columns(REL) == TYPED


def test_get_columns_in_relation_falls_back_to_the_unloaded_seed(tmp_path):
    catalog = _catalog(tmp_path)

    def rows(sql):
        raise DbtDatabaseError(
            f"ValidationException: Tables or views with the identifier '{REL}' doesn't exist"
        )

    adapter = SimpleNamespace(_rows=rows, catalog=catalog)
    columns = FlinkAdapter.get_columns_in_relation(adapter, REL)
    assert [(c.column, c.dtype) for c in columns] == TYPED
    assert all(isinstance(c, FlinkColumn) for c in columns)
