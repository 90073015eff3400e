"""docker-compose.yml cannot run here (no Docker engine), so we check what can be checked without one:
it parses, it has the same four services as the embedded stack, images and the connector jar match
the versions pinned in stack/pom.xml, our UDF jar is mounted, and it publishes the same host ports."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
POM_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


def _pinned() -> dict[str, str]:
    props = ET.parse(ROOT / "stack" / "pom.xml").getroot().find("m:properties", POM_NS)
    return {child.tag.split("}")[1]: child.text for child in props}


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_same_services_as_the_embedded_stack():
    assert set(_compose()["services"]) == {"kafka", "jobmanager", "taskmanager", "sql-gateway"}


def test_images_match_the_pinned_versions():
    pins, services = _pinned(), _compose()["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{pins['kafka.version']}"
    for name in ("jobmanager", "taskmanager", "sql-gateway"):
        image = services[name]["image"]
        assert image.startswith(f"flink:{pins['flink.version']}-") and image.endswith("-java17"), image


def test_kafka_connector_mounted_is_the_pinned_one():
    jar = f"flink-sql-connector-kafka-{_pinned()['flink.kafka.connector.version']}.jar"
    for name in ("jobmanager", "taskmanager", "sql-gateway"):
        mounts = _compose()["services"][name]["volumes"]
        assert f"./.stack/jars/flink/{jar}:/opt/flink/lib/{jar}:ro" in mounts


def test_udf_jar_mounted_is_the_one_make_jars_builds():
    udf = ET.parse(ROOT / "stack" / "udf" / "pom.xml").getroot().find("m:build/m:finalName", POM_NS).text + ".jar"
    for name in ("jobmanager", "taskmanager", "sql-gateway"):
        mounts = _compose()["services"][name]["volumes"]
        assert f"./.stack/jars/flink/{udf}:/opt/flink/lib/{udf}:ro" in mounts


def test_host_ports_are_the_embedded_stack_defaults():
    services = _compose()["services"]
    published = {name: svc.get("ports", []) for name, svc in services.items()}
    assert published == {
        "kafka": ["9092:9092"],
        "jobmanager": ["8081:8081"],
        "taskmanager": [],
        "sql-gateway": ["8083:8083"],
    }


def test_savepoint_and_checkpoint_dirs_are_configured():
    props = yaml.safe_load(_compose()["services"]["jobmanager"]["environment"]["FLINK_PROPERTIES"])
    assert props["state.savepoints.dir"].startswith("file:///opt/flink/state/")
    assert props["state.checkpoints.dir"].startswith("file:///opt/flink/state/")


def test_flame_graphs_are_enabled_as_in_the_embedded_stack():
    props = yaml.safe_load(_compose()["services"]["jobmanager"]["environment"]["FLINK_PROPERTIES"])
    assert props["rest.flamegraph.enabled"] is True
