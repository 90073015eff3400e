import pytest

from tests.functional.harness import Project, cancel_project_jobs


@pytest.fixture
def flink_project(tmp_path):
    proj = Project(tmp_path)
    yield proj
    cancel_project_jobs(proj)  # never leave this test's streaming jobs running


@pytest.fixture
def make_flink_project(tmp_path):
    made = []

    def _make(**profile_extra):
        proj = Project(tmp_path, **profile_extra)
        made.append(proj)
        return proj

    yield _make
    for proj in made:
        cancel_project_jobs(proj)
