"""Introspection tells "no such relation" from "cannot ask" (no stack needed)."""

from types import SimpleNamespace

import pytest
from dbt_common.exceptions import DbtDatabaseError, DbtRuntimeError
from flinkclient.gateway import GatewayClient

from dbt.adapters.flink.connections import GATEWAY_HINT, FlinkConnectionManager
from dbt.adapters.flink.impl import FlinkAdapter

REL = "`default_catalog`.`default_database`.`t`"


def adapter_answering(error: Exception):
    def rows(sql):
        raise error

    return SimpleNamespace(_rows=rows, catalog=SimpleNamespace(planned_columns=lambda relation: []))


def test_columns_of_a_missing_relation_are_none():
    # Flink 2.2's words for it
    missing = DbtDatabaseError(
        f"ValidationException: Tables or views with the identifier '{REL}' doesn't exist."
    )
    assert FlinkAdapter.get_columns_in_relation(adapter_answering(missing), REL) == []


def test_other_flink_errors_are_not_taken_for_no_columns():
    with pytest.raises(DbtDatabaseError, match="SqlParserException"):
        FlinkAdapter.get_columns_in_relation(
            adapter_answering(DbtDatabaseError("SqlParserException: x")), REL
        )


def test_columns_when_the_gateway_is_down_is_an_error_naming_it_and_what_to_do():
    gateway = GatewayClient("http://127.0.0.1:9", GATEWAY_HINT)  # nothing listens on port 9 here

    def rows(sql):
        with FlinkConnectionManager.exception_handler(None, sql):  # as every statement runs
            gateway.execute("session", sql)

    with pytest.raises(
        DbtRuntimeError, match=r"Cannot reach the Flink SQL Gateway at http://127.0.0.1:9 .*profiles.yml"
    ):
        FlinkAdapter.get_columns_in_relation(SimpleNamespace(_rows=rows), REL)
