"""Pure logic of the stack: settings from the environment, rendered configs, the Java check."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import yaml

from ctxflow.stack import configs, settings
from ctxflow.stack.services import StackError, build, java_binary, runtime
from ctxflow.stack.settings import Settings


def test_environment_overrides_ports_memory_and_state_dir(tmp_path):
    s = Settings.from_env(
        {"CTXFLOW_STACK_DIR": str(tmp_path), "CTXFLOW_KAFKA_PORT": "29092", "CTXFLOW_TM_MEMORY": "3g"}
    )
    assert s.state_dir == tmp_path.resolve()
    assert s.kafka_bootstrap == "127.0.0.1:29092"
    assert s.taskmanager_memory == "3g"
    assert s.gateway_port == 8083  # untouched default


def test_a_non_numeric_port_is_a_clear_error():
    with pytest.raises(SystemExit, match="CTXFLOW_GATEWAY_PORT='x' is not a port"):
        Settings.from_env({"CTXFLOW_GATEWAY_PORT": "x"})


def test_rendered_configs_carry_the_settings(tmp_path):
    s = Settings(state_dir=tmp_path, kafka_port=1111, flink_rest_port=2222, gateway_port=3333, taskmanager_slots=7)
    configs.write_all(s)
    flink = yaml.safe_load((s.conf_dir / "config.yaml").read_text())
    assert flink["rest"]["port"] == 2222
    assert flink["taskmanager"]["numberOfTaskSlots"] == 7
    assert flink["sql-gateway"]["endpoint"]["rest"]["port"] == 3333
    assert flink["state"]["savepoints"]["dir"] == s.savepoints_dir.as_uri()
    assert flink["rest"]["flamegraph"]["enabled"] is True  # the bench profiles jobs with them
    kafka = (s.conf_dir / "kafka.properties").read_text()
    assert "listeners=PLAINTEXT://127.0.0.1:1111," in kafka
    assert f"log.dirs={s.kafka_data_dir}" in kafka


def test_state_on_the_heap_by_default_and_rocksdb_on_request(tmp_path):
    heap = configs.flink_config(Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path)}))
    assert heap["state"]["backend"]["type"] == "hashmap"
    assert heap["taskmanager"]["memory"]["managed"]["fraction"] == 0.15
    # on for every job: a job that picks RocksDB itself (the shopping group) checkpoints incrementally
    assert heap["execution"]["checkpointing"]["incremental"] is True

    s = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path), "CTXFLOW_STATE_BACKEND": "rocksdb"})
    rocks = configs.flink_config(s)
    assert rocks["state"]["backend"]["type"] == "rocksdb"
    assert rocks["state"]["backend"]["rocksdb"]["localdir"] == str(s.rocksdb_working_dir)


def test_rocksdb_works_in_memory_where_the_machine_has_tmpfs_one_dir_per_stack(tmp_path, monkeypatch):
    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(settings, "SHM", shm)
    first = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path / "a")})
    second = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path / "b")})
    assert first.rocksdb_working_dir.parent == shm
    assert first.rocksdb_working_dir != second.rocksdb_working_dir  # two stacks side by side
    monkeypatch.setattr(settings, "SHM", tmp_path / "no-tmpfs")
    # never /tmp: `make clean` removes the state dir
    assert first.rocksdb_working_dir.is_relative_to((tmp_path / "a").resolve())
    chosen = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path), "CTXFLOW_ROCKSDB_DIR": str(tmp_path / "ssd")})
    assert chosen.rocksdb_working_dir == tmp_path / "ssd"


def test_rocksdb_has_one_budget_per_taskmanager_and_bloom_filters_whichever_the_default(tmp_path):
    for backend in ("hashmap", "rocksdb"):
        s = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path), "CTXFLOW_STATE_BACKEND": backend})
        rocksdb = configs.flink_config(s)["state"]["backend"]["rocksdb"]
        # fixed-per-tm takes effect only when RocksDB does not use managed memory (Flink's RocksDBOptions)
        assert rocksdb["memory"] == {"managed": False, "fixed-per-tm": configs.ROCKSDB_MEMORY}
        assert rocksdb["use-bloom-filter"] is True


def test_an_unknown_state_backend_is_a_clear_error():
    with pytest.raises(SystemExit, match="CTXFLOW_STATE_BACKEND='forst': use one of rocksdb, hashmap"):
        Settings.from_env({"CTXFLOW_STATE_BACKEND": "forst"})


def _fake_java(folder: Path, version_line: str) -> Path:
    java = folder / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{version_line}' >&2\n")
    java.chmod(java.stat().st_mode | stat.S_IEXEC)
    return folder


def test_missing_java_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "nowhere"))
    with pytest.raises(StackError, match=r"Java 17\+ was not found.*openjdk-17"):
        java_binary()


def test_too_old_java_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("JAVA_HOME", str(_fake_java(tmp_path, 'openjdk version "11.0.22" 2024-01-16')))
    with pytest.raises(StackError, match=r"is Java 11; the stack needs Java 17\+"):
        java_binary()


def test_java_17_is_accepted(tmp_path, monkeypatch):
    home = _fake_java(tmp_path, 'openjdk version "17.0.15" 2025-04-15')
    monkeypatch.setenv("JAVA_HOME", str(home))
    assert java_binary() == os.path.join(home, "bin", "java")


def _jars(state: Path, udf: bool) -> Settings:
    """A state dir whose jars folder holds (empty) stand-ins for what `make jars` produces."""
    s = Settings(state_dir=state)
    for jar in ("kafka/kafka_2.13-4.1.1.jar", "flink/flink-sql-connector-kafka-5.0.0-2.2.jar",
                "flink/flink-sql-gateway-2.2.1.jar", *(["flink/ctxflow-udf.jar"] if udf else [])):  # fmt: skip
        (s.jars_dir / jar).parent.mkdir(parents=True, exist_ok=True)
        (s.jars_dir / jar).touch()
    return s


def test_a_missing_udf_jar_says_run_make_jars(tmp_path):
    with pytest.raises(StackError, match=r"ctxflow-udf.jar is missing: run `make jars`"):
        runtime(_jars(tmp_path, udf=False))


def test_the_udf_jar_is_on_every_flink_classpath(tmp_path):
    s = _jars(tmp_path, udf=True)
    configs.write_all(s)  # the JobManager/TaskManager command lines are computed from config.yaml
    # (not Kafka's: its command line formats the broker's storage, which needs the real jars)
    argv = {svc.name: svc.argv() for svc in build(s) if svc.name != "kafka"}
    udf = str(s.jars_dir / "flink" / "ctxflow-udf.jar")
    for name in ("jobmanager", "taskmanager", "sql-gateway"):
        classpath = argv[name][argv[name].index("-cp") + 1]
        assert udf in classpath.split(":"), name


def test_flink_python_and_the_pyflink_venv_reach_every_flink_process(tmp_path):
    """Python UDFs (pyudf/): flink-python on the JobManager, TaskManager and gateway classpaths, and
    python.executable / python.client.executable set to the PyFlink venv's Python."""
    python = tmp_path / "pyflink" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    s = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path / "stack"), "CTXFLOW_PYFLINK_PYTHON": str(python)})
    assert s.pyflink_python == python
    config = configs.flink_config(s)["python"]
    assert config == {"executable": str(python), "client": {"executable": str(python)}}
    s = _jars(tmp_path, udf=True)
    configs.write_all(s)
    argv = {svc.name: svc.argv() for svc in build(s) if svc.name != "kafka"}
    for name in ("jobmanager", "taskmanager", "sql-gateway"):
        classpath = argv[name][argv[name].index("-cp") + 1].split(":")
        assert any(Path(p).name.startswith("flink-python-") for p in classpath), name


def test_without_a_pyflink_venv_no_python_is_configured(tmp_path):
    s = Settings.from_env({"CTXFLOW_STACK_DIR": str(tmp_path), "CTXFLOW_PYFLINK_PYTHON": str(tmp_path / "none")})
    assert s.pyflink_python is None and "python" not in configs.flink_config(s)
