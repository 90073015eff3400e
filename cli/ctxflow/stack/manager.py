"""up / down / restart / status of the local stack.

`up` is idempotent (a service whose PID file names a live process of ours is left alone, a dead one
is started again), checks
every port it is about to bind before starting anything, waits for health with a deadline, and on
any failure stops what it started so nothing is left half-up.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass

from . import configs, processes
from .services import Service, StackError, build, marker_of
from .settings import Settings

Echo = Callable[[str], None]


@dataclass
class ServiceStatus:
    name: str
    pid: int | None
    ports: list[int]
    healthy: bool
    detail: str


def _running_pid(svc: Service, s: Settings) -> int | None:
    return processes.read_pid(svc.pid_file(s), marker_of(s))


def _check_ports(to_start: list[Service]) -> None:
    taken = [(svc.name, port) for svc in to_start for port in svc.ports if processes.port_in_use(port)]
    if not taken:
        return
    lines = []
    for name, port in taken:
        owner = processes.port_owner(port) or "owner unknown (no permission to see it)"
        lines.append(f"  port {port} (needed by {name}) is already in use by {owner}")
    raise StackError(
        "Cannot start the stack, ports are taken:\n" + "\n".join(lines) + "\n"
        "Stop that process, or move the stack with CTXFLOW_KAFKA_PORT, CTXFLOW_KAFKA_CONTROLLER_PORT, "
        "CTXFLOW_FLINK_REST_PORT, CTXFLOW_FLINK_RPC_PORT, CTXFLOW_GATEWAY_PORT (see README)."
    )


def up(s: Settings, echo: Echo = print) -> None:
    services = build(s)
    s.state_dir.mkdir(parents=True, exist_ok=True)
    running = {svc.name: _running_pid(svc, s) for svc in services}
    to_start = [svc for svc in services if running[svc.name] is None]
    for svc in services:
        if running[svc.name] is not None:
            echo(f"{svc.name:12} already running (pid {running[svc.name]})")
    if to_start:
        _check_ports(to_start)
        configs.write_all(s)
    started: list[Service] = []
    try:
        for svc in to_start:
            svc.prepare()
            argv = svc.argv()
            # FLINK_CONF_DIR: the SQL Gateway reads its session defaults from there, not from --configDir
            env = {**os.environ, "FLINK_CONF_DIR": str(s.conf_dir)}
            pid = processes.spawn(argv, svc.log_file(s).with_suffix(".out"), svc.pid_file(s), env)
            started.append(svc)
            echo(f"{svc.name:12} started (pid {pid}), log {svc.log_file(s)}")
        _wait_healthy(services, s, echo)
    except BaseException:  # also Ctrl-C: never leave a half-started stack behind
        for svc in reversed(started):
            _stop_one(svc, s)
        raise


def _wait_healthy(services: list[Service], s: Settings, echo: Echo) -> None:
    start = time.monotonic()
    deadline = start + s.health_timeout_s
    pending = list(services)
    while pending:
        for svc in list(pending):
            if _running_pid(svc, s) is None:
                raise StackError(_failure(svc, s, "exited during start-up"))
            if svc.healthy():
                echo(f"{svc.name:12} healthy after {time.monotonic() - start:.1f}s: {svc.describe_health()}")
                pending.remove(svc)
        if pending and time.monotonic() > deadline:
            raise StackError(_failure(pending[0], s, f"not healthy after {s.health_timeout_s:.0f}s"))
        if pending:
            time.sleep(0.5)


def _failure(svc: Service, s: Settings, what: str) -> str:
    log = svc.log_file(s)
    out = log.with_suffix(".out")
    return (
        f"{svc.name} {what}. Last lines of {log}:\n{processes.tail(log)}\n"
        f"--- {out}:\n{processes.tail(out, 10)}\n"
        "The stack was stopped; fix the cause and run `make up` again."
    )


def _stop_one(svc: Service, s: Settings) -> int | None:
    pid = _running_pid(svc, s)
    if pid is not None:
        processes.stop(pid)
    svc.pid_file(s).unlink(missing_ok=True)
    return pid


def down(s: Settings, echo: Echo = print) -> None:
    services = build(s)
    for svc in reversed(services):  # gateway first, Kafka last
        pid = _stop_one(svc, s)
        echo(f"{svc.name:12} {f'stopped (pid {pid})' if pid else 'not running'}")
    # no TaskManager reads them again, and in tmpfs they hold memory (settings.default_rocksdb_dir)
    shutil.rmtree(s.rocksdb_working_dir, ignore_errors=True)
    busy = [port for svc in services for port in svc.ports if not processes.wait_port_free(port, 15)]
    if busy:
        owners = ", ".join(f"{p}: {processes.port_owner(p) or 'unknown'}" for p in busy)
        raise StackError(f"Stack processes are stopped but ports are still in use ({owners}).")


def restart(s: Settings, name: str, echo: Echo = print) -> None:
    """Stop one service (if it runs) and start it again, then wait until the whole stack is healthy.
    Flink's jobs survive a TaskManager or broker restart (they restart from their last checkpoint);
    a JobManager restart loses them (no HA locally): `dbt run` brings them back (README)."""
    services = {svc.name: svc for svc in build(s)}
    if name not in services:
        raise StackError(f"No service {name!r}: the stack's services are {', '.join(services)}.")
    svc = services[name]
    pid = _stop_one(svc, s)
    echo(f"{name:12} {f'stopped (pid {pid})' if pid else 'was not running'}")
    busy = [port for port in svc.ports if not processes.wait_port_free(port, 15)]
    if busy:
        raise StackError(f"{name} is stopped but its ports are still in use: {busy}.")
    up(s, echo)


def pid_of(s: Settings, name: str) -> int | None:
    """The live PID of one service, from its PID file (never by name), without a health check."""
    svc = next((svc for svc in build(s) if svc.name == name), None)
    if svc is None:
        raise StackError(f"No service {name!r}: the stack's services are {', '.join(x.name for x in build(s))}.")
    return _running_pid(svc, s)


def status(s: Settings) -> list[ServiceStatus]:
    result = []
    for svc in build(s):
        pid = _running_pid(svc, s)
        healthy = pid is not None and svc.healthy()
        detail = svc.describe_health() if pid is not None else "stopped"
        result.append(ServiceStatus(svc.name, pid, svc.ports, healthy, detail))
    return result
