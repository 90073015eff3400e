"""Further dbt-tests-adapter cases; each one here passes against the real stack."""

from dbt.tests.adapter.basic.test_incremental import BaseIncremental
from dbt.tests.adapter.basic.test_table_materialization import BaseTableMaterialization
from dbt.tests.adapter.unit_testing.test_case_insensitivity import BaseUnitTestCaseInsensivity
from dbt.tests.adapter.unit_testing.test_invalid_input import BaseUnitTestInvalidInput

from tests.functional.adapter.test_basic import FlinkStorage


class TestIncrementalFlink(FlinkStorage, BaseIncremental):
    NAME = "incremental"


class TestTableMaterializationFlink(FlinkStorage, BaseTableMaterialization):
    NAME = "table_materialization"


class TestUnitTestCaseInsensitivityFlink(FlinkStorage, BaseUnitTestCaseInsensivity):
    NAME = "unit_case"


class TestUnitTestInvalidInputFlink(FlinkStorage, BaseUnitTestInvalidInput):
    NAME = "unit_invalid"
