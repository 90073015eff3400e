"""Start and stop background JVMs by PID, and find who holds a TCP port.

A PID file alone is not proof that the process is ours (PIDs are reused), so a process counts as
ours only while its command line still contains the marker we started it with (the state dir).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

from ..waiting import wait_for
from .settings import HOST


def command_line(pid: int) -> str | None:
    """The process's command line, or None if it does not exist (Linux /proc, else `ps`)."""
    proc = Path(f"/proc/{pid}/cmdline")
    if proc.parent.parent.exists() and Path("/proc/self").exists():
        try:
            return proc.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return None
    out = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
    return out.stdout.strip() or None


def is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return False


def read_pid(pid_file: Path, marker: str) -> int | None:
    """The live PID recorded in pid_file if that process is still ours; clears stale files."""
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    cmd = command_line(pid)
    # An empty command line is a process between fork and exec (a service just spawned, on a busy
    # machine): still ours. Any other command line without our marker is a reused PID.
    if cmd is None or is_zombie(pid) or (cmd.strip() and marker not in cmd):
        pid_file.unlink(missing_ok=True)
        return None
    return pid


def spawn(argv: list[str], log_file: Path, pid_file: Path, env: dict[str, str] | None = None) -> int:
    """Start argv detached (own session, so Ctrl-C in the terminal does not hit it)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=env,
        )
    pid_file.write_text(f"{proc.pid}\n")
    return proc.pid


def stop(pid: int, timeout_s: float = 30.0) -> None:
    """SIGTERM, wait up to timeout_s, then SIGKILL. Reaps the child if we are its parent."""
    _signal(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout_s):
        _signal(pid, signal.SIGKILL)
        _wait_gone(pid, 10.0)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _wait_gone(pid: int, timeout_s: float) -> bool:
    def gone() -> bool:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done == pid:
                return True
        except ChildProcessError:
            pass  # not our child (started by an earlier `up`): poll existence instead
        return command_line(pid) is None or is_zombie(pid)

    return _within(gone, f"pid {pid} to exit", timeout_s)


def port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR so that sockets in TIME_WAIT (from a stack just stopped) do not count.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def port_owner(port: int) -> str | None:
    """'pid 123 (java ...)' of the process listening on port, when the OS lets us see it."""
    pid = _listener_pid_proc(port) or _listener_pid_lsof(port)
    if pid is None:
        return None
    cmd = (command_line(pid) or "?")[:120]
    return f"pid {pid} ({cmd})"


def _listener_pid_proc(port: int) -> int | None:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(f"socket:[{inode}]")
    if not inodes:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(proc.name)
        except (PermissionError, FileNotFoundError, ProcessLookupError):
            continue
    return None


def _listener_pid_lsof(port: int) -> int | None:
    try:
        out = subprocess.run(
            ["lsof", "-nP", f"-iTCP:{port}", "-sTCP:LISTEN", "-t"], capture_output=True, text=True, timeout=10
        )
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return None
    first = out.stdout.split()
    return int(first[0]) if first else None


def wait_port_free(port: int, timeout_s: float) -> bool:
    return _within(lambda: not port_in_use(port), f"port {port} to be free", timeout_s)


def _within(predicate, what: str, timeout_s: float) -> bool:
    """wait_for as a yes/no: whether `predicate` held before the deadline."""
    try:
        wait_for(predicate, what, timeout_s=timeout_s, every_s=0.2)
    except TimeoutError:
        return False
    return True


def tail(path: Path, lines: int = 25) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return f"(no log at {path})"
