"""dbt-tests-adapter base cases that fit Flink semantics (see README for the full list).

Flink has no storage of its own, so these projects give every model and seed a filesystem
table (bounded, supports INSERT OVERWRITE) through one project-wide connector default that
uses the ``{schema}``/``{identifier}`` placeholders.
"""

import pytest
from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_empty import BaseEmpty
from dbt.tests.adapter.basic.test_ephemeral import BaseEphemeral
from dbt.tests.adapter.basic.test_generic_tests import BaseGenericTests
from dbt.tests.adapter.basic.test_singular_tests import BaseSingularTests
from dbt.tests.adapter.basic.test_singular_tests_ephemeral import BaseSingularTestsEphemeral
from dbt.tests.adapter.basic.test_validate_connection import BaseValidateConnection


class FlinkStorage:
    NAME = "flink_case"

    @pytest.fixture(scope="class")
    def project_config_update(self, unique_schema):
        storage = {
            "connector": "filesystem",
            "path": f"/tmp/dbt-flink-tests/{unique_schema}/{{identifier}}",
            "format": "json",
        }
        return {
            "name": self.NAME,
            "models": {"+connector_properties": storage},
            "seeds": {"+connector_properties": storage},
        }


class TestSimpleMaterializationsFlink(FlinkStorage, BaseSimpleMaterializations):
    NAME = "base"


class TestSingularTestsFlink(FlinkStorage, BaseSingularTests):
    NAME = "singular_tests"


class TestSingularTestsEphemeralFlink(FlinkStorage, BaseSingularTestsEphemeral):
    NAME = "singular_tests_ephemeral"


class TestEmptyFlink(FlinkStorage, BaseEmpty):
    NAME = "empty"


class TestEphemeralFlink(FlinkStorage, BaseEphemeral):
    NAME = "ephemeral"


class TestGenericTestsFlink(FlinkStorage, BaseGenericTests):
    NAME = "generic_tests"


class TestValidateConnectionFlink(BaseValidateConnection):
    pass
