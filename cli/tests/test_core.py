"""The CLI's shared core without a stack: event bytes, the sent-events counter, running dbt, and that the
core depends on none of the commands (so simulate, watch, bench and demo can all import it)."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest

from ctxflow.core import dbtrun
from ctxflow.core.events import decode, encode, money
from ctxflow.core.tally import Tally
from ctxflow.core.topics import RULES

PACKAGE = Path(__file__).resolve().parents[1] / "ctxflow"
COMMANDS = ("simulate", "watch", "bench", "demo", "cli", "stack")


def test_encode_writes_decimals_as_their_digits_in_field_order():
    value = {"b": money(20), "a": Decimal("-0.10"), "n": [1, None, True], "s": 'ü"\n'}
    assert encode(value) == b'{"b":20.00,"a":-0.10,"n":[1,null,true],"s":"\\u00fc\\"\\n"}'


def test_encode_matches_json_for_values_without_decimals():
    value = {"x": 1.5, "y": [1, "two", None], "z": {"k": False}}
    assert encode(value) == json.dumps(value, separators=(",", ":")).encode()


def test_decode_brings_money_back_exactly():
    assert decode(encode({"cost": money("31.2")})) == {"cost": Decimal("31.20")}


def test_tally_counts_per_topic_and_rate():
    tally = Tally()
    assert tally.rate == 0.0  # no time yet: no division by zero
    tally.per_topic["plays"] += 3
    tally.per_topic["ad_requests"] += 1
    tally.seconds = 2.0
    assert (tally.total, tally.rate) == (4, 2.0)


def test_dbt_runs_on_the_project_with_its_profiles_and_vars(tmp_path):
    cmd = dbtrun.command("run", variables={"topic_prefix": "t."}, target_path=tmp_path)
    assert Path(cmd[0]) == dbtrun.executable()
    assert cmd[cmd.index("--project-dir") + 1] == str(dbtrun.ROOT)
    assert cmd[cmd.index("--profiles-dir") + 1] == str(dbtrun.ROOT / "profiles")
    assert cmd[cmd.index("--target-path") + 1] == str(tmp_path)
    assert json.loads(cmd[cmd.index("--vars") + 1]) == {"topic_prefix": "t."}
    assert (dbtrun.ROOT / "dbt_project.yml").is_file()


def test_a_failing_dbt_says_which_command_and_ends_with_its_output():
    # a subcommand dbt does not have: dbt itself fails, before reaching any stack
    with pytest.raises(dbtrun.DbtFailed) as err:
        dbtrun.run("frobnicate", output=True)
    assert "`dbt frobnicate` failed (exit code 2)" in str(err.value)
    assert str(err.value).splitlines()[-1] == "Error: No such command 'frobnicate'."


def test_a_failing_dbt_logged_to_a_file_points_at_the_log(tmp_path):
    log = tmp_path / "dbt.log"
    with pytest.raises(dbtrun.DbtFailed) as err:
        dbtrun.run("frobnicate", output=log)
    assert f"log {log}" in str(err.value)
    assert log.read_text().startswith("\n$ ") and "frobnicate" in log.read_text()


def _ctxflow_imports(path: Path) -> set[str]:
    """The ctxflow modules a core module imports (relative imports resolved to ctxflow.<name>)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                names.add(f"ctxflow.core.{node.module or ''}")
            elif node.level == 2:
                names.add(f"ctxflow.{node.module or ''}")
            elif node.module and node.module.startswith("ctxflow"):
                names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted((PACKAGE / "core").glob("*.py")), ids=lambda p: p.name)
def test_the_core_imports_none_of_the_commands(module: Path):
    imported = _ctxflow_imports(module)
    assert not [n for n in imported if n.split(".")[1] in COMMANDS], imported


def test_every_seed_has_its_rules_topic_and_no_other():
    # topics.RULES is what `ctxflow` creates and compacts; dbt seed writes one topic per CSV (seeds/_seeds.yml)
    seeds = {p.stem for p in (dbtrun.ROOT / "seeds").glob("*.csv")}
    assert set(RULES) == {f"rules.{name}" for name in seeds}
