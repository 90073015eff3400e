"""The whole dbt project: `dbt build` (seeds, models, data tests) passes on the local stack after the
stories have filled the topics, without redeploying any streaming model; `sqlfluff lint` passes.
(Named to run after the story modules: the data tests then check real outputs.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from dbt_project import REPO, Project

pytest_plugins = ["conftest_models"]


def test_dbt_build_passes_and_leaves_the_running_jobs_alone(project: Project):
    jobs = project.running_jobs()
    out = project.dbt("build")
    done = re.search(r"Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+)", out.stdout)
    assert done, out.stdout[-3000:]
    passed, warned, errors, skipped = map(int, done.groups())
    tests = len(re.findall(r" of \d+ PASS ", out.stdout))  # the data tests' result lines
    print(f"\ndbt build: PASS={passed} WARN={warned} ERROR={errors} SKIP={skipped}, {tests} data tests passed")
    assert errors == 0 and skipped == 0 and warned == 0
    assert tests > 0, "dbt build ran no data test"
    assert project.running_jobs() == jobs, "dbt build redeployed a streaming model whose SQL did not change"


def test_sqlfluff_lint_passes():
    sqlfluff = os.path.join(os.path.dirname(sys.executable), "sqlfluff")
    out = subprocess.run(
        [sqlfluff, "lint", "models", "tests", "macros"], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-2000:]
