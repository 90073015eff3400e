"""Where the local stack lives and which ports and memory it uses.

Every value can be overridden by an environment variable (documented in the README), so a second
stack can run beside the first (the lifecycle tests do exactly that) and a laptop with a busy
port 8081 still works.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
STATE_BACKENDS = ("rocksdb", "hashmap")


def _repo_root() -> Path:
    # cli/ctxflow/stack/settings.py -> repo root is four levels up
    return Path(__file__).resolve().parents[3]


@dataclass(frozen=True)
class Settings:
    state_dir: Path
    kafka_port: int = 9092
    kafka_controller_port: int = 9093
    flink_rest_port: int = 8081
    flink_rpc_port: int = 6123
    gateway_port: int = 8083
    kafka_heap: str = "1g"
    jobmanager_memory: str = "1600m"
    taskmanager_memory: str = "4096m"
    taskmanager_slots: int = 16
    gateway_heap: str = "1g"
    # Where keyed state lives unless a job chooses: "hashmap" (Java objects on the heap, fastest while
    # it fits) or "rocksdb" (serialized off the heap on local disk, incremental checkpoints).
    state_backend: str = "hashmap"
    health_timeout_s: float = 90.0
    # The Python of PyFlink's workers (Python UDFs): its own venv (`make pyflink`), apart from dbt's,
    # whose protobuf pin full PyFlink cannot share. None: the cluster runs no Python UDFs.
    pyflink_python: Path | None = None
    # RocksDB's working files (not its checkpoints): see default_rocksdb_dir.
    rocksdb_dir: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        state_dir = Path(env.get("CTXFLOW_STACK_DIR", _repo_root() / ".stack")).resolve()
        ints = {
            "kafka_port": "CTXFLOW_KAFKA_PORT",
            "kafka_controller_port": "CTXFLOW_KAFKA_CONTROLLER_PORT",
            "flink_rest_port": "CTXFLOW_FLINK_REST_PORT",
            "flink_rpc_port": "CTXFLOW_FLINK_RPC_PORT",
            "gateway_port": "CTXFLOW_GATEWAY_PORT",
            "taskmanager_slots": "CTXFLOW_TM_SLOTS",
        }
        strs = {
            "kafka_heap": "CTXFLOW_KAFKA_HEAP",
            "jobmanager_memory": "CTXFLOW_JM_MEMORY",
            "taskmanager_memory": "CTXFLOW_TM_MEMORY",
            "gateway_heap": "CTXFLOW_GATEWAY_HEAP",
            "state_backend": "CTXFLOW_STATE_BACKEND",
        }
        kwargs: dict[str, object] = {"state_dir": state_dir}
        for field, var in ints.items():
            if var in env:
                try:
                    kwargs[field] = int(env[var])
                except ValueError:
                    raise SystemExit(f"{var}={env[var]!r} is not a port/number") from None
        for field, var in strs.items():
            if var in env:
                kwargs[field] = env[var]
        if kwargs.get("state_backend", "hashmap") not in STATE_BACKENDS:
            raise SystemExit(
                f"CTXFLOW_STATE_BACKEND={kwargs['state_backend']!r}: use one of {', '.join(STATE_BACKENDS)}"
            )
        pyflink = Path(env.get("CTXFLOW_PYFLINK_PYTHON", _repo_root() / ".venv-pyflink" / "bin" / "python"))
        if pyflink.exists():
            kwargs["pyflink_python"] = pyflink.absolute()
        kwargs["rocksdb_dir"] = Path(env["CTXFLOW_ROCKSDB_DIR"]) if env.get("CTXFLOW_ROCKSDB_DIR") else None
        if "CTXFLOW_HEALTH_TIMEOUT" in env:
            kwargs["health_timeout_s"] = float(env["CTXFLOW_HEALTH_TIMEOUT"])
        return cls(**kwargs)  # type: ignore[arg-type]

    # Folders under the state dir: one place to look, one place to delete.
    @property
    def jars_dir(self) -> Path:
        return self.state_dir / "jars"

    @property
    def conf_dir(self) -> Path:
        return self.state_dir / "conf"

    @property
    def logs_dir(self) -> Path:
        return self.state_dir / "logs"

    @property
    def run_dir(self) -> Path:
        return self.state_dir / "run"

    @property
    def kafka_data_dir(self) -> Path:
        return self.state_dir / "kafka-data"

    @property
    def checkpoints_dir(self) -> Path:
        return self.state_dir / "flink" / "checkpoints"

    @property
    def rocksdb_working_dir(self) -> Path:
        return self.rocksdb_dir or default_rocksdb_dir(self.state_dir)

    @property
    def savepoints_dir(self) -> Path:
        return self.state_dir / "flink" / "savepoints"

    @property
    def kafka_bootstrap(self) -> str:
        return f"{HOST}:{self.kafka_port}"

    @property
    def flink_rest_url(self) -> str:
        return f"http://{HOST}:{self.flink_rest_port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{HOST}:{self.gateway_port}"


SHM = Path("/dev/shm")


def default_rocksdb_dir(state_dir: Path) -> Path:
    """RocksDB's working files in memory (tmpfs) where the machine has it, else under the state dir.

    Why: Flink's RocksDB checkpoint flushes each instance's memtables and syncs the files in the task's
    own thread, and no record moves meanwhile. On this project's reference machine one fsync takes 6.6 ms,
    and at 5,000 events/s the contract group's dedup stalled for 160-530 ms at every checkpoint, which
    set make bench's p99 of ad decisions (on tmpfs: 25-155 ms). Only working files live here: a restarted
    TaskManager restores from the checkpoints, which stay on disk. One dir per stack (by its state dir).
    """
    if SHM.is_dir() and os.access(SHM, os.W_OK):
        tag = hashlib.sha1(str(state_dir).encode()).hexdigest()[:10]
        return SHM / f"ctxflow-{tag}-rocksdb"  # one level: `down` removes all of it
    return state_dir / "flink" / "rocksdb"
