"""`up`, `up` again, `status`, `down`, and `up` with a port taken: on a second stack of our own."""

from __future__ import annotations

import socket
from pathlib import Path

from ctxflow.stack import processes
from ctxflow.stack.settings import Settings


def _our_processes(state_dir: Path) -> list[int]:
    """PIDs of every process whose command line carries this stack's marker."""
    marker = f"-Dctxflow.stack={state_dir}"
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            cmd = processes.command_line(int(proc.name)) or ""
            if marker in cmd and not processes.is_zombie(int(proc.name)):
                pids.append(int(proc.name))
    return sorted(pids)


def _ports(s: Settings) -> list[int]:
    return [s.kafka_port, s.kafka_controller_port, s.flink_rest_port, s.flink_rpc_port, s.gateway_port]


def test_up_twice_keeps_one_of_each_and_down_frees_everything(cli, spare_stack_env):
    settings = Settings.from_env(spare_stack_env)
    try:
        first = cli("stack", "up", env=spare_stack_env)
        assert first.returncode == 0, first.stdout + first.stderr
        pids = _our_processes(settings.state_dir)
        assert len(pids) == 4, f"expected kafka, jobmanager, taskmanager, sql-gateway; got {pids}"

        second = cli("stack", "up", env=spare_stack_env)
        assert second.returncode == 0, second.stdout + second.stderr
        assert second.stdout.count("already running") == 4
        assert _our_processes(settings.state_dir) == pids

        status = cli("stack", "status", "--json", env=spare_stack_env)
        assert status.returncode == 0, status.stdout
        assert status.stdout.count('"healthy": true') == 4
    finally:
        down = cli("stack", "down", env=spare_stack_env)
    assert down.returncode == 0, down.stdout + down.stderr
    assert _our_processes(settings.state_dir) == []
    assert [p for p in _ports(settings) if processes.port_in_use(p)] == []
    assert cli("stack", "status", env=spare_stack_env).returncode == 1


def test_up_with_a_port_taken_names_it_and_starts_nothing(cli, spare_stack_env):
    settings = Settings.from_env(spare_stack_env)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.gateway_port))
        squatter.listen()
        result = cli("stack", "up", env=spare_stack_env)
    assert result.returncode == 1
    assert f"port {settings.gateway_port} (needed by sql-gateway) is already in use by pid" in result.stderr
    assert "CTXFLOW_GATEWAY_PORT" in result.stderr
    assert _our_processes(settings.state_dir) == []
    assert list((settings.run_dir).glob("*.pid")) == []
    assert [p for p in _ports(settings) if processes.port_in_use(p)] == []
