"""Options of the bounded copy that shadows a Kafka table for one read (no network)."""

import pytest
from dbt_common.exceptions import DbtRuntimeError

from dbt.adapters.flink.bounded import bounded_options, runtime_mode

KAFKA = {"connector": "kafka", "topic": "t"}


def test_kafka_reads_from_earliest_whatever_the_table_says():
    for own in ({}, {"scan.startup.mode": "latest-offset"}, {"scan.startup.mode": "group-offsets"}):
        assert bounded_options({**KAFKA, **own}, "earliest") == {
            "scan.bounded.mode": "latest-offset",
            "scan.startup.mode": "earliest-offset",
        }


def test_start_table_keeps_a_configured_startup_mode_only():
    assert bounded_options({**KAFKA, "scan.startup.mode": "latest-offset"}, "table") == {
        "scan.bounded.mode": "latest-offset"
    }
    assert bounded_options(KAFKA, "table")["scan.startup.mode"] == "earliest-offset"


def test_upsert_kafka_gets_no_startup_option():
    # upsert-kafka rejects scan.startup.mode (it always reads its topic from the start)
    assert bounded_options({"connector": "upsert-kafka"}, "earliest") == {
        "scan.bounded.mode": "latest-offset"
    }


def test_unknown_start_is_rejected_with_the_valid_values():
    with pytest.raises(DbtRuntimeError, match="earliest, table"):
        bounded_options(KAFKA, "latest")


def test_runtime_mode_is_batch_unless_a_changelog_is_read_or_configured():
    assert runtime_mode("auto", reads_changelog=False) == "batch"
    assert runtime_mode("auto", reads_changelog=True) == "streaming"
    assert runtime_mode("streaming", reads_changelog=False) == "streaming"
    with pytest.raises(DbtRuntimeError, match="auto, batch, streaming"):
        runtime_mode("fast", reads_changelog=False)
