"""A seed not loaded yet still has columns (its CSV header, typed by column_types): a dbt unit test
describes every input it gives rows for, and should not need `dbt seed` first (no stack needed)."""

from types import SimpleNamespace

from dbt_common.exceptions import DbtDatabaseError

from dbt.adapters.flink.catalog import SessionCatalog, typed_seed_columns
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
    catalog.manifest = SimpleNamespace(nodes={seed.unique_id: seed}, sources={})
    return catalog


def test_an_unloaded_seed_of_the_project_is_described_from_its_csv(tmp_path):
    catalog = _catalog(tmp_path)
    assert catalog.unloaded_seed_columns(REL) == TYPED
    assert catalog.unloaded_seed_columns("`default_catalog`.`default_database`.`other`") == []


def test_the_seeds_delimiter_is_respected(tmp_path):
    assert _catalog(tmp_path, delimiter=";").unloaded_seed_columns(REL) == TYPED


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
