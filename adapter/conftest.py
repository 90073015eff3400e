"""Root conftest: enables dbt-tests-adapter fixtures (must live at the rootdir for pytest >= 8)."""

import os

import pytest

pytest_plugins = ["dbt.tests.fixtures.project"]


@pytest.fixture(scope="class")
def dbt_profile_target():
    return {
        "type": "flink",
        "host": "127.0.0.1",
        "port": int(os.environ.get("CTXFLOW_GATEWAY_PORT", "8083")),
        "flink_rest_port": int(os.environ.get("CTXFLOW_FLINK_REST_PORT", "8081")),
        "threads": 1,
        "job_grace_period_s": 5,
    }
