"""The four services of the local stack: how each starts and how we know it is healthy.

Flink's JVMs are started from the jars of PyPI's apache-flink-libraries (which ships no start
scripts); the SQL Gateway, the Kafka SQL connector and the Kafka broker come from Maven (`make jars`),
which also builds our UDF jar (stack/udf: ctx_parse_event).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from .settings import HOST, Settings


class StackError(Exception):
    """A failure the user can act on; the message says what to do."""


MIN_JAVA = 17


def java_binary() -> str:
    """The java to run, JAVA_HOME first; fails with what to install when it is missing or too old."""
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise StackError(
            f"Java {MIN_JAVA}+ was not found (no JAVA_HOME, no `java` on PATH). Install a JDK/JRE {MIN_JAVA} or "
            "newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) "
            "and put it on PATH or set JAVA_HOME."
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    major = int(match.group(1)) if match else 0
    if major == 1 and match and match.group(2):  # "1.8.0" style
        major = int(match.group(2))
    if major < MIN_JAVA:
        raise StackError(
            f"{java} is Java {major or 'of unknown version'}; the stack needs Java {MIN_JAVA}+ "
            "(Kafka 4 and Flink 2 require it). Install a newer JDK and set JAVA_HOME to it."
        )
    return java


def flink_home() -> Path:
    """The `pyflink` folder of apache-flink-libraries: lib/, opt/, bin/bash-java-utils.jar."""
    spec = importlib.util.find_spec("pyflink")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("apache-flink-libraries is not installed in this Python; run `make venv`.")
    home = Path(next(iter(spec.submodule_search_locations)))
    if not (home / "lib").is_dir():
        raise StackError(f"{home} has no lib/ folder: reinstall apache-flink-libraries (`make venv`).")
    return home


def _one_jar(folder: Path, prefix: str) -> Path:
    found = sorted(folder.glob(f"{prefix}-*.jar"))
    if not found:
        raise StackError(f"{prefix}*.jar is missing under {folder}: run `make jars` (Maven fetches it).")
    return found[-1]


UDF_JAR = "ctxflow-udf.jar"


def _udf_jar(folder: Path) -> Path:
    jar = folder / UDF_JAR
    if not jar.is_file():
        raise StackError(f"{jar} is missing: run `make jars` (Maven builds it from stack/udf).")
    return jar


def python_jar(home: Path) -> str:
    """`:<flink-python jar>` for a classpath, or "" when this apache-flink-libraries has none."""
    found = sorted((home / "opt").glob("flink-python-*.jar"))
    return f":{found[-1]}" if found else ""


@dataclass
class Service:
    name: str
    ports: list[int]
    argv: Callable[[], list[str]]
    healthy: Callable[[], bool]
    describe_health: Callable[[], str]
    # run by `up` just before it starts the process
    prepare: Callable[[], None] = lambda: None

    def log_file(self, s: Settings) -> Path:
        return s.logs_dir / f"{self.name}.log"

    def pid_file(self, s: Settings) -> Path:
        return s.run_dir / f"{self.name}.pid"


def _bash_java_utils(java: str, home: Path, s: Settings, command: str) -> tuple[list[str], list[str]]:
    """Flink's own memory calculation: (JVM flags, -Dkey=value dynamic properties)."""
    out = subprocess.run(
        [
            java,
            "-cp",
            f"{home / 'bin' / 'bash-java-utils.jar'}:{home / 'lib'}/*",
            "org.apache.flink.runtime.util.bash.BashJavaUtils",
            command,
            "--configDir",
            str(s.conf_dir),
        ],
        capture_output=True,
        text=True,
    )
    results = [
        line.split(":", 1)[1] for line in out.stdout.splitlines() if line.startswith("BASH_JAVA_UTILS_EXEC_RESULT:")
    ]
    if out.returncode != 0 or len(results) < 2:
        raise StackError(f"Flink could not compute memory settings ({command}): {out.stdout[-500:]}{out.stderr[-500:]}")
    jvm_flags = results[0].split()
    dynamic = ["-D" + kv for kv in results[1].replace("-D ", " ").split()]
    return jvm_flags, dynamic


def _get_json(url: str) -> dict | None:
    try:
        resp = httpx.get(url, timeout=2.0)
        return resp.json() if resp.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None


def kafka_healthy(s: Settings) -> bool:
    from confluent_kafka.admin import AdminClient

    # log_level 0: librdkafka would print a line per refused connection while the broker starts
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap, "socket.timeout.ms": 2000, "log_level": 0})
    try:
        metadata = admin.list_topics(timeout=2)
    except Exception:  # KafkaException while the broker is still starting
        return False
    return bool(metadata.brokers)


def format_kafka_storage(java: str, s: Settings) -> None:
    """KRaft needs its log dir formatted once; done on first start only."""
    if (s.kafka_data_dir / "meta.properties").exists():
        return
    out = subprocess.run(
        [
            java,
            "-cp",
            f"{s.jars_dir / 'kafka'}/*",
            "kafka.tools.StorageTool",
            "format",
            "--cluster-id",
            uuid.uuid4().hex[:22],
            "--config",
            str(s.conf_dir / "kafka.properties"),
        ],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise StackError(f"Formatting Kafka storage failed: {out.stdout[-800:]}{out.stderr[-800:]}")


@dataclass(frozen=True)
class Runtime:
    """What starting a JVM needs; resolved only when something is started (not for down/status)."""

    java: str
    home: Path
    connector: Path
    udf: Path
    gateway_jar: Path


@functools.cache
def runtime(s: Settings) -> Runtime:
    java = java_binary()
    home = flink_home()
    if not any((s.jars_dir / "kafka").glob("kafka_2.13-*.jar")):
        raise StackError(f"The Kafka broker jars are missing under {s.jars_dir / 'kafka'}: run `make jars`.")
    connector = _one_jar(s.jars_dir / "flink", "flink-sql-connector-kafka")
    udf = _udf_jar(s.jars_dir / "flink")
    gateway_jar = _one_jar(s.jars_dir / "flink", "flink-sql-gateway")
    return Runtime(java, home, connector, udf, gateway_jar)


def build(s: Settings) -> list[Service]:
    """The services in start order (Kafka first; the gateway last, it talks to the JobManager)."""
    log4j = f"-Dlog4j.configurationFile={(s.conf_dir / 'log4j.properties').as_uri()}"
    # The state dir in every command line is the marker that tells our processes from others.
    marker = marker_of(s)

    def log(name: str) -> str:
        return f"-Dlog.file={s.logs_dir / (name + '.log')}"

    def flink_cp(rt: Runtime) -> str:
        # The connector and our UDFs sit on every Flink classpath so jobs need no ADD JAR; flink-python
        # (shipped in opt/) runs Python UDFs, as if moved to lib/ in a Flink distribution.
        return f"{rt.home / 'lib'}/*:{rt.connector}:{rt.udf}{python_jar(rt.home)}"

    def kafka_argv() -> list[str]:
        rt = runtime(s)
        format_kafka_storage(rt.java, s)
        return [
            rt.java,
            f"-Xmx{s.kafka_heap}",
            f"-Xms{s.kafka_heap}",
            marker,
            log("kafka"),
            log4j,
            "-cp",
            f"{s.jars_dir / 'kafka'}/*",
            "kafka.Kafka",
            str(s.conf_dir / "kafka.properties"),
        ]

    def flink_process_argv(name: str, resource_params: str, main_class: str, extra: tuple[str, ...] = ()) -> list[str]:
        """A JobManager or TaskManager JVM, with the memory flags Flink computes for it."""
        rt = runtime(s)
        flags, dyn = _bash_java_utils(rt.java, rt.home, s, resource_params)
        return [rt.java, *flags, *extra, marker, log(name), log4j, "-cp", flink_cp(rt), main_class,
                "--configDir", str(s.conf_dir), *dyn]  # fmt: skip

    def jobmanager_argv() -> list[str]:
        entrypoint = "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint"
        return flink_process_argv("jobmanager", "GET_JM_RESOURCE_PARAMS", entrypoint)

    def empty_rocksdb_dir() -> None:
        # RocksDB's working files of a TaskManager that is gone are never read again (a restarted one
        # restores from checkpoints), and in tmpfs they hold memory
        shutil.rmtree(s.rocksdb_working_dir, ignore_errors=True)
        s.rocksdb_working_dir.mkdir(parents=True)

    def taskmanager_argv() -> list[str]:
        return flink_process_argv(
            "taskmanager",
            "GET_TM_RESOURCE_PARAMS",
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
            # Every collection and every other stop of all threads (safepoint) with its length, to read
            # the latency figures against: a stall that no safepoint explains is not the JVM's. The
            # collector stays Java's default, G1. Parallel drained make bench's backlog 35-42 % faster on
            # 2 cores (39,087 events/s against 27,527 and 28,945 on a warm stack, 2026-12-07), but its
            # full collections stop the TaskManager for as long as it takes to compact the live heap:
            # 2.2 s for 1 GB in the bench's minute at 5,000 events/s, whose decision p99 went to 1,646 ms.
            (f"-Xlog:gc,safepoint:file={s.logs_dir / 'taskmanager-gc.log'}:time,uptime",),
        )

    def gateway_argv() -> list[str]:
        rt = runtime(s)
        return [
            rt.java,
            f"-Xmx{s.gateway_heap}",
            # Flink enriches an error's message by reflection before sending it to the client; without
            # this opening Java 17 refuses, and the client gets "Error while responding" instead of it.
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            marker,
            log("sql-gateway"),
            log4j,
            "-cp",
            f"{flink_cp(rt)}:{rt.gateway_jar}",
            "org.apache.flink.table.gateway.SqlGateway",
            "--configDir",
            str(s.conf_dir),
        ]

    def overview() -> dict | None:
        return _get_json(f"{s.flink_rest_url}/overview")

    def cluster_healthy() -> bool:
        info = overview()
        return bool(info) and info.get("slots-total", 0) >= s.taskmanager_slots

    def cluster_health() -> str:
        info = overview()
        if not info:
            return "no answer"
        return f"Flink {info.get('flink-version')}, {info.get('taskmanagers')} TM, {info.get('slots-total')} slots"

    def gateway_healthy() -> bool:
        return _get_json(f"{s.gateway_url}/v1/info") is not None

    def gateway_health() -> str:
        info = _get_json(f"{s.gateway_url}/v1/info")
        return f"{info.get('productName')} {info.get('version')}" if info else "no answer"

    return [
        Service(
            "kafka",
            [s.kafka_port, s.kafka_controller_port],
            kafka_argv,
            lambda: kafka_healthy(s),
            lambda: "metadata answers" if kafka_healthy(s) else "no answer",
        ),
        Service(
            "jobmanager",
            [s.flink_rest_port, s.flink_rpc_port],
            jobmanager_argv,
            lambda: overview() is not None,
            cluster_health,
        ),
        Service("taskmanager", [], taskmanager_argv, cluster_healthy, cluster_health, empty_rocksdb_dir),
        Service("sql-gateway", [s.gateway_port], gateway_argv, gateway_healthy, gateway_health),
    ]


def marker_of(s: Settings) -> str:
    return f"-Dctxflow.stack={s.state_dir}"


__all__ = ["HOST", "Service", "StackError", "build", "marker_of"]
