"""The client's pure logic: error causes, redaction, paging and changelog folding (no network)."""

from flinkclient.errors import root_cause
from flinkclient.gateway import GatewayError, apply_changelog
from flinkclient.redact import redact_sql

TRACE = """<Exception on server side:
org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.
\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(F.java:91)
Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1
\tat org.apache.calcite.sql.validate.SqlValidatorImpl.validate(SqlValidatorImpl.java:824)
Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Object 'nonexist' not found
\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)

End of exception on server side>"""


def test_root_cause_is_deepest_cause_without_package():
    assert root_cause(["Internal server error.", TRACE]) == "SqlValidatorException: Object 'nonexist' not found"


def test_root_cause_without_caused_by():
    text = "<Exception on server side:\norg.apache.flink.Foo: plain failure\n\tat x.y(Z.java:1)\n>"
    assert root_cause([text]) == "Foo: plain failure"


def test_gateway_error_is_one_line_plus_redacted_statement():
    stmt = "/* {\"app\": \"dbt\"} */ CREATE TABLE t (a INT) WITH ('connector' = 'kafka', 'x.password' = 'p')"
    err = GatewayError("Boom: bad", stmt)
    first, second = str(err).split("\n")
    assert first == "Boom: bad"
    assert second.strip().startswith("statement: CREATE TABLE") and "'p'" not in second and "****" in second


def test_redact_sql_masks_secret_keys_only():
    sql = (
        "WITH ('properties.sasl.jaas.config' = 'x required password=\"a\";', 'topic' = 't', "
        "'ssl.key.password'='it''s', 'my_token' = 'abc', 'client.secret' = 's')"
    )
    out = redact_sql(sql)
    assert "'topic' = 't'" in out
    assert "required" not in out and "it''s" not in out and "abc" not in out and "'s'" not in out
    assert out.count("'****'") == 4


def test_changelog_folding():
    rows: list = []
    apply_changelog(
        rows,
        [
            {"kind": "INSERT", "fields": [1]},
            {"kind": "UPDATE_BEFORE", "fields": [1]},
            {"kind": "UPDATE_AFTER", "fields": [2]},
        ],
    )
    assert rows == [[2]]


def test_gateway_error_cause_is_redacted_too():
    err = GatewayError("ValidationException: Table options are: 'connector'='kafka' 'sasl.jaas.config'='pw=1;'")
    assert "pw=1" not in str(err) and "'connector'='kafka'" in str(err)
