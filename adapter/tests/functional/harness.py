"""Helpers for functional tests against the real stack (Kafka + Flink + SQL Gateway).

Every dbt invocation runs in a *new process* (like a user's terminal), so session/catalog
behaviour across invocations is what is actually exercised.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import httpx
from flinkclient.rest import ACTIVE_STATES, FlinkRestClient

HOST = "127.0.0.1"
GATEWAY_PORT = int(os.environ.get("CTXFLOW_GATEWAY_PORT", "8083"))
REST_PORT = int(os.environ.get("CTXFLOW_FLINK_REST_PORT", "8081"))
KAFKA_PORT = int(os.environ.get("CTXFLOW_KAFKA_PORT", "9092"))
BOOTSTRAP = f"{HOST}:{KAFKA_PORT}"
REST = f"http://{HOST}:{REST_PORT}"
DBT = str(Path(sys.executable).parent / "dbt")


def profile(name: str, **extra) -> dict:
    output = {
        "type": "flink",
        "host": HOST,
        "port": GATEWAY_PORT,
        "flink_rest_port": REST_PORT,
        "threads": 1,
        "job_grace_period_s": 6,
        **extra,
    }
    return {name: {"target": "dev", "outputs": {"dev": output}}}


@dataclass
class DbtResult:
    rc: int
    out: str

    @property
    def ok(self) -> bool:
        return self.rc == 0


class Project:
    def __init__(self, root: Path, **profile_extra):
        self.name = "p_" + uuid.uuid4().hex[:10]
        self.root = root / self.name
        self.root.mkdir(parents=True)
        (self.root / "models").mkdir()
        (self.root / "seeds").mkdir()
        (self.root / "tests").mkdir()
        self.write("dbt_project.yml", f"name: {self.name}\nversion: '1.0'\nprofile: {self.name}\n")
        import yaml

        self.write("profiles.yml", yaml.safe_dump(profile(self.name, **profile_extra)))

    def topic(self, suffix: str) -> str:
        """Unique per test project, so reruns never see old data."""
        return f"{self.name}_{suffix}"

    def write_yaml(self, rel: str, data: dict) -> None:
        import yaml

        self.write(rel, yaml.safe_dump(data, sort_keys=False))

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())

    def dbt(self, *args: str, timeout: float = 300) -> DbtResult:
        cmd = [
            DBT,
            "--no-use-colors",
            *args,
            "--project-dir",
            str(self.root),
            "--profiles-dir",
            str(self.root),
        ]
        proc = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, timeout=timeout)
        return DbtResult(proc.returncode, proc.stdout + proc.stderr)

    def dbt_until_ok(self, *args: str, deadline_s: float = 90) -> DbtResult:
        """Re-run (e.g. a test) until it passes: streaming jobs need a moment to process input."""
        deadline = time.monotonic() + deadline_s
        while True:
            result = self.dbt(*args)
            if result.ok or time.monotonic() > deadline:
                return result
            time.sleep(2)

    def all_files_text(self) -> str:
        chunks = []
        for path in self.root.rglob("*"):
            if path.is_file() and path.suffix in (".log", ".json", ".sql", ".txt", ".yml", ".msgpack"):
                chunks.append(path.read_text(errors="replace"))
        return "\n".join(chunks)


# -- Flink REST ----------------------------------------------------------------------------------
def jobs() -> list[dict]:
    return httpx.get(f"{REST}/jobs/overview", timeout=10).json()["jobs"]


def project_jobs(project: Project, states: set[str] | None = None, kind: str = "model") -> list[dict]:
    """Jobs of the project's models (``kind='model'``) or of its job groups (``kind='group'``)."""
    prefix = f"dbt:{kind}.{project.name}."
    return [j for j in jobs() if j["name"].startswith(prefix) and (states is None or j["state"] in states)]


def job_sinks(job_id: str) -> list[str]:
    """Table names of the sinks in a job's plan (one per INSERT of a statement set)."""
    plan = httpx.get(f"{REST}/jobs/{job_id}/plan", timeout=10).json()["plan"]
    text = " ".join(n["description"] for n in plan["nodes"])
    return sorted(set(re.findall(r"([\w$]+)\[\d+\]: Writer", text)))


def job_sources(job_id: str) -> list[str]:
    """One entry per source scan in a job's plan: a topic read once appears once."""
    plan = httpx.get(f"{REST}/jobs/{job_id}/plan", timeout=10).json()["plan"]
    return re.findall(
        r"TableSourceScan\(table=\[\[([^\]]+)\]\]", " ".join(n["description"] for n in plan["nodes"])
    )


ACTIVE = ACTIVE_STATES


def cancel_project_jobs(project: Project) -> None:
    active = project_jobs(project, ACTIVE) + project_jobs(project, ACTIVE, kind="group")
    with FlinkRestClient(REST, "Is the test stack up?") as rest:
        rest.cancel_all([job["jid"] for job in active], timeout_s=30)


# -- Kafka ---------------------------------------------------------------------------------------
def create_topic(topic: str) -> None:
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": BOOTSTRAP})  # keep a reference until the future resolves
    admin.create_topics([NewTopic(topic, 1, 1)])[topic].result(30)


def topic_records(topic: str, deadline_s: float = 60, at_least: int = 1) -> list:
    """The records of a one-partition topic, read from the beginning; polls until ``at_least``
    records arrived or the deadline passed (a streaming job needs a moment to write)."""
    from confluent_kafka import Consumer, TopicPartition

    # earliest: offset 0 of a topic the job has not written yet is "out of range", and the default
    # reset (latest) would then skip the records written while we poll
    consumer = Consumer(
        {
            "bootstrap.servers": BOOTSTRAP,
            "group.id": uuid.uuid4().hex,
            "enable.auto.commit": False,
            "auto.offset.reset": "earliest",
        }
    )
    consumer.assign([TopicPartition(topic, 0, 0)])
    records = []
    deadline = time.monotonic() + deadline_s
    try:
        while len(records) < at_least and time.monotonic() < deadline:
            msg = consumer.poll(0.5)
            if msg is not None and not msg.error():
                records.append(msg)
    finally:
        consumer.close()
    return records


def topic_end(topic: str) -> int:
    """How many records a one-partition topic holds (its high watermark): exact at once after a batch
    job that wrote it has finished, where polling records could only say "at least"."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer({"bootstrap.servers": BOOTSTRAP, "group.id": uuid.uuid4().hex})
    try:
        return consumer.get_watermark_offsets(TopicPartition(topic, 0), timeout=30)[1]
    finally:
        consumer.close()


def produce(topic: str, records: list[dict], key_field: str | None = None) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": BOOTSTRAP})
    for rec in records:
        key = json.dumps({key_field: rec[key_field]}).encode() if key_field else None
        producer.produce(topic, json.dumps(rec).encode(), key=key)
    assert producer.flush(30) == 0


def kafka_options(topic: str, **extra) -> dict:
    return {
        "connector": "kafka",
        "topic": topic,
        "properties.bootstrap.servers": BOOTSTRAP,
        "format": "json",
        "scan.startup.mode": "earliest-offset",
        **extra,
    }


def upsert_options(topic: str) -> dict:
    return {
        "connector": "upsert-kafka",
        "topic": topic,
        "properties.bootstrap.servers": BOOTSTRAP,
        "key.format": "json",
        "value.format": "json",
    }


def source_yaml(tables: list[dict], source_config: dict | None = None) -> dict:
    source = {"name": "raw", "schema": "default_database", "tables": tables}
    if source_config:
        source["config"] = source_config
    return {"version": 2, "sources": [source]}
