"""Root conftest: enables dbt-tests-adapter fixtures (must live at the rootdir for pytest >= 8), and
refuses to test a stale copy of the adapter.

The adapter is installed as a regular package (an editable install hides the plugin from
`dbt --version`), so the code under test is the copy in site-packages: if it differs from src/, the
tests would pass or fail for code nobody is looking at.
"""

import filecmp
import os
from pathlib import Path

import pytest

pytest_plugins = ["dbt.tests.fixtures.project"]

SRC = Path(__file__).parent / "src" / "dbt"


def _stale_files() -> list[str]:
    import dbt.adapters.flink as adapter
    import dbt.include.flink as include

    stale = []
    for installed, source in (
        (Path(adapter.__file__).parent, SRC / "adapters" / "flink"),
        (Path(include.PACKAGE_PATH), SRC / "include" / "flink"),
    ):
        if installed.resolve() == source.resolve():
            continue
        for path in source.rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".sql", ".yml"):
                copy = installed / path.relative_to(source)
                if not copy.is_file() or not filecmp.cmp(path, copy, shallow=False):
                    stale.append(str(path.relative_to(SRC)))
    return stale


def pytest_configure(config):
    stale = _stale_files()
    if stale:
        pytest.exit(
            f"the installed adapter differs from adapter/src ({', '.join(stale[:5])}"
            f"{', ...' if len(stale) > 5 else ''}): run `make venv` (or `pip install --no-deps "
            "--force-reinstall ./adapter`) first",
            returncode=4,
        )


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
