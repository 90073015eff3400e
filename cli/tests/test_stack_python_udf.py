"""repayment_risk, the PyFlink scalar UDF of the next-best actions (pyudf/), on the running stack:
registered exactly as the dbt profile's init_statements do, called through the SQL Gateway in a real
job whose Python worker runs in the PyFlink venv; every score equals the plain-Python function's."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from flinkclient.gateway import GatewayClient, Session

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "pyudf"))  # the plain function, as the unit tests import it

from ctxflow_pyudf.risk import repayment_risk  # noqa: E402

CASES = [
    (Decimal("900.00"), Decimal("800.00"), Decimal("600.00"), 1.0, "A"),
    (Decimal("5000.00"), Decimal("800.00"), Decimal("600.00"), 0.6, "D"),
    (Decimal("120.50"), Decimal("2000.00"), Decimal("300.00"), 0.95, "B"),
    (Decimal("900.00"), Decimal("800.00"), None, 1.0, "A"),  # no profile yet
    (Decimal("900.00"), Decimal("800.00"), Decimal("600.00"), 1.0, "Z"),  # unknown band
]


def _register_statement() -> str:
    profile = yaml.safe_load((REPO / "profiles" / "profiles.yml").read_text())
    statements = profile["ctxflow"]["outputs"]["local"]["init_statements"]
    found = [s for s in statements if "repayment_risk" in s]
    assert len(found) == 1, f"the local profile should register repayment_risk once: {statements}"
    return found[0]


def _sql(value: object, sql_type: str) -> str:
    return f"CAST(NULL AS {sql_type})" if value is None else f"CAST('{value}' AS {sql_type})"


@pytest.mark.timeout(300)
def test_repayment_risk_runs_as_a_python_udf_through_the_gateway(main_stack):
    rows = " UNION ALL ".join(
        f"SELECT {i} AS n, {_sql(a, 'DECIMAL(12, 2)')} AS amount, {_sql(lim, 'DECIMAL(12, 2)')} AS card_limit, "
        f"{_sql(t, 'DECIMAL(12, 2)')} AS typical_spend, {_sql(r, 'DOUBLE')} AS on_time, {_sql(b, 'STRING')} AS band"
        for i, (a, lim, t, r, b) in enumerate(CASES)
    )
    with GatewayClient(main_stack.gateway_url, hint="start the stack: make up") as client, Session(client) as gateway:
        assert gateway.rows(_register_statement()) == [["OK"]]
        # batch: a bounded job that ends, its rows read back once it has; the UDF runs in a Python
        # worker of the TaskManager (python.executable), not in the gateway
        gateway.rows("SET 'execution.runtime-mode' = 'batch'")
        result = gateway.rows(
            f"SELECT n, repayment_risk(amount, card_limit, typical_spend, on_time, band) FROM ({rows})",
            timeout_s=240,
        )
    got = {n: score for n, score in result}
    assert got == {i: repayment_risk(*case) for i, case in enumerate(CASES)}
    assert all(0.0 <= s <= 1.0 for s in got.values())
