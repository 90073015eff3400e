"""Seeds, error reporting, redaction and connection errors against the real stack."""

from tests.functional.harness import BOOTSTRAP, kafka_options, source_yaml, upsert_options

FRUIT = 'id,name,price\n1,apple,1.5\n2,pear,2.25\n3,"kiwi, green",0.5\n'


def _seed_project(flink_project):
    flink_project.write("seeds/fruit.csv", FRUIT)
    flink_project.write("seeds/fruit_log.csv", FRUIT)
    flink_project.write_yaml(
        "seeds/seeds.yml",
        {
            "version": 2,
            "seeds": [
                {
                    "name": "fruit",
                    "config": {
                        "primary_key": "id",
                        "connector_properties": upsert_options(flink_project.topic("fruit")),
                    },
                },
                {
                    "name": "fruit_log",
                    "config": {"connector_properties": kafka_options(flink_project.topic("fruit_log"))},
                },
            ],
        },
    )
    # Content checks as singular tests, run in their own process after seeding.
    flink_project.write(
        "tests/fruit_content.sql",
        """
        select * from (
          select count(*) as n, sum(price) as total, max(name) as last_name from {{ ref('fruit') }}
        ) t where not (n = 3 and total = 4.25 and last_name = 'pear')
    """,
    )


def test_seed_twice_same_content_upsert_and_guarded_append(flink_project):
    _seed_project(flink_project)
    first = flink_project.dbt("seed")
    assert first.ok, first.out
    second = flink_project.dbt("seed", "--select", "fruit")
    assert second.ok, second.out
    tested = flink_project.dbt("test")
    assert tested.ok, tested.out  # still exactly 3 rows after seeding twice

    again = flink_project.dbt("seed", "--select", "fruit_log")
    assert not again.ok
    assert "append-only" in again.out and "--full-refresh" in again.out


def test_bad_model_error_is_one_readable_line(flink_project):
    flink_project.write(
        "models/bad.sql",
        """
        {{ config(materialized='view') }}
        select nope_column from (values (1)) as t(x)
    """,
    )
    result = flink_project.dbt("run")
    assert not result.ok
    assert "Column 'nope_column' not found" in result.out
    assert "statement: CREATE VIEW" in result.out
    assert "\tat org.apache" not in result.out and "Caused by" not in result.out


def test_secrets_are_redacted_everywhere(flink_project):
    secret = "S3cr3t-" + flink_project.name
    jaas = (
        f'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="{secret}";'
    )
    flink_project.write_yaml(
        "models/sources.yml",
        source_yaml(
            [
                {
                    "name": "events",
                    "config": {
                        "connector_properties": {
                            **kafka_options(flink_project.topic("events")),
                            "properties.sasl.jaas.config": jaas,
                            "properties.ssl.truststore.password": secret,
                        }
                    },
                    "columns": [{"name": "id", "data_type": "INT"}],
                },
            ]
        ),
    )
    # A model that fails on purpose, so the error path (which prints the statement) is exercised too.
    flink_project.write(
        "models/broken_sink.sql",
        f"""
        {{{{ config(materialized='table', connector_properties={{'connector': 'kafka', 'topic': 'x',
            'properties.bootstrap.servers': '{BOOTSTRAP}', 'format': 'nope-format',
            'properties.sasl.password': '{secret}'}}) }}}}
        select id from {{{{ source('raw', 'events') }}}}
    """,
    )
    result = flink_project.dbt("--debug", "run")
    assert not result.ok
    assert "****" in result.out
    assert secret not in result.out
    assert secret not in (flink_project.root / "logs" / "dbt.log").read_text()
    run_dir = flink_project.root / "target" / "run"
    if run_dir.exists():
        assert all(secret not in p.read_text() for p in run_dir.rglob("*.sql"))


def test_gateway_unreachable_names_host_and_port(make_flink_project):
    flink_project = make_flink_project(port=1)  # nothing listens on port 1
    result = flink_project.dbt("debug")
    assert not result.ok
    assert "127.0.0.1:1" in result.out and "SQL Gateway" in result.out


def test_debug_shows_gateway_and_flink_versions(flink_project):
    result = flink_project.dbt("debug")
    assert result.ok, result.out
    assert "Flink SQL Gateway http://127.0.0.1" in result.out and "Apache Flink 2." in result.out
    assert "Flink REST" in result.out


def test_expired_gateway_session_is_reopened():
    from dbt.adapters.flink.connections import FlinkCredentials, FlinkSession
    from tests.functional.harness import GATEWAY_PORT, HOST

    session = FlinkSession(FlinkCredentials.from_dict({"host": HOST, "port": GATEWAY_PORT}), prepare=None)
    try:
        session.client.close_session(session.handle)  # what the gateway's idle timeout does
        result = session.run("SELECT 1 AS x", {"execution.runtime-mode": "batch"})
        assert result.rows == [[1]]
    finally:
        session.close()
