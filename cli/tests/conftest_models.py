"""The fixture of the end-to-end tests of the dbt project (test_models_*.py load it with
`pytest_plugins = ["conftest_models"]`); the helpers are in dbt_project.py."""

from __future__ import annotations

import os
import uuid

import pytest
from dbt_project import Project, deploy

from ctxflow.stack.settings import Settings


@pytest.fixture(scope="session")
def project(main_stack: Settings) -> Project:
    """The whole dbt project deployed once per test session under a topic prefix of its own
    (CTXFLOW_E2E_PREFIX names one to reuse while working on the tests: its rerun leaves jobs alone)."""
    return deploy(main_stack, os.environ.get("CTXFLOW_E2E_PREFIX") or f"e2e{uuid.uuid4().hex[:8]}.")
