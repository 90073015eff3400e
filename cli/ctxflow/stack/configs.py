"""Renders the configuration files of the stack's services from Settings.

They are generated on every `up` (never edited by hand) so that a changed port or memory
variable takes effect on the next start.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from .settings import HOST, Settings

# Native memory, outside the TaskManager's process size, shared by every RocksDB instance of the
# TaskManager (block cache, write buffers, index and filter blocks).
ROCKSDB_MEMORY = "512mb"
# RocksDB has its own budget (above), so managed memory serves the batch sorts and joins of `dbt test`
# queries and bounded jobs only; a small fraction leaves the heap to state.
MANAGED_FRACTION = 0.15

LOG4J = """\
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = MainAppender
appender.main.name = MainAppender
appender.main.type = File
appender.main.append = true
appender.main.fileName = ${sys:log.file}
appender.main.layout.type = PatternLayout
appender.main.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %c - %m%n
logger.kafka.name = org.apache.kafka
logger.kafka.level = WARN
"""


def flink_config(s: Settings) -> dict:
    """Flink 2.x reads config.yaml (not flink-conf.yaml); shared by JM, TM and the SQL Gateway."""
    return {**_base_flink_config(s), **python_config(s)}


def python_config(s: Settings) -> dict:
    """PyFlink: the gateway plans Python UDFs with `python.client.executable`, the TaskManager runs
    them in `python.executable` workers; both the PyFlink venv (the UDF package installed in it)."""
    if s.pyflink_python is None:
        return {}
    return {"python": {"executable": str(s.pyflink_python), "client": {"executable": str(s.pyflink_python)}}}


def _base_flink_config(s: Settings) -> dict:
    return {
        "jobmanager": {
            "rpc": {"address": HOST, "port": s.flink_rpc_port},
            "bind-host": HOST,
            "memory": {"process": {"size": s.jobmanager_memory}},
        },
        "taskmanager": {
            "bind-host": HOST,
            "host": HOST,
            "numberOfTaskSlots": s.taskmanager_slots,
            "memory": {"process": {"size": s.taskmanager_memory}, "managed": {"fraction": MANAGED_FRACTION}},
        },
        # Flame graphs in the web UI / REST API, for profiling the bench's jobs.
        "rest": {"address": HOST, "bind-address": HOST, "port": s.flink_rest_port, "flamegraph": {"enabled": True}},
        "parallelism": {"default": 1},
        "state": _state_config(s),
        "execution": {
            "checkpointing": {
                "interval": "10s",
                "externalized-checkpoint-retention": "RETAIN_ON_CANCELLATION",
                # a job on RocksDB (the cluster's backend or its own) uploads only the files new since
                # the last checkpoint; the hashmap backend ignores this
                "incremental": True,
            },
        },
        # The REST API's metrics (sources' current offsets, busy time) are refreshed every second
        # rather than every 10 s, so `make bench` and `watch` see a drain end within a second.
        "metrics": {"fetcher": {"update-interval": 1000}},
        # The default for bounded queries (dbt test, dbt show, batch models): fail fast with the cause.
        # Streaming jobs deployed by dbt restart with an exponential delay instead, without limit
        # (the adapter sets it per job: dbt.adapters.flink.lifecycle.STREAMING_RESTARTS).
        "restart-strategy": {"type": "fixed-delay", "fixed-delay": {"attempts": 3, "delay": "2s"}},
        "sql-gateway": {"endpoint": {"rest": {"address": HOST, "bind-address": HOST, "port": s.gateway_port}}},
        # A finished job stays listed for a day (default: an hour): a batch table built within its
        # freshness.build_after is recognised by its finished job (dbt.adapters.flink.lifecycle.recent_build).
        "jobstore": {"expiration-time": 86400},
    }


def _state_config(s: Settings) -> dict:
    """The cluster's default backend (a job may choose its own: the contract and shopping groups run
    on RocksDB, the ads and eligibility groups on the heap, see dbt_project.yml and macros/kafka.sql);
    RocksDB's files live under the stack's dir whichever job uses it, and its tuning is the cluster's
    (README, "Where state lives")."""
    return {
        "backend": {"type": s.state_backend, "rocksdb": _rocksdb_config(s)},
        "checkpoints": {"dir": s.checkpoints_dir.as_uri()},
        "savepoints": {"dir": s.savepoints_dir.as_uri()},
    }


def _rocksdb_config(s: Settings) -> dict:
    # Managed memory is shared by slot: with 16 slots a RocksDB job got 1/16 of it (about 30 MB) for its
    # block cache and write buffers, and the contract group's dedup, whose every lookup is of a new event
    # id, read SST files for each. So the RocksDB jobs share one budget of their own per TaskManager, and
    # bloom filters answer "not there" without reading a file.
    return {
        "localdir": str(s.rocksdb_working_dir),
        "memory": {"managed": False, "fixed-per-tm": ROCKSDB_MEMORY},
        "use-bloom-filter": True,
    }


def kafka_properties(s: Settings) -> str:
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{HOST}:{s.kafka_controller_port}",
        "listeners": f"PLAINTEXT://{HOST}:{s.kafka_port},CONTROLLER://{HOST}:{s.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://{HOST}:{s.kafka_port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(s.kafka_data_dir),
        "num.partitions": "1",
        "auto.create.topics.enable": "true",
        # single node: every internal topic has one replica
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


def write_all(s: Settings) -> None:
    for d in (s.conf_dir, s.logs_dir, s.run_dir, s.kafka_data_dir, s.checkpoints_dir, s.savepoints_dir):
        d.mkdir(parents=True, exist_ok=True)
    _write(s.conf_dir / "config.yaml", yaml.safe_dump(flink_config(s), sort_keys=False))
    _write(s.conf_dir / "log4j.properties", LOG4J)
    _write(s.conf_dir / "kafka.properties", kafka_properties(s))


def _write(path: Path, text: str) -> None:
    path.write_text(text)
