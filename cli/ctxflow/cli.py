"""`ctxflow` console script. Subcommands stay thin: the work is in the packages they call."""

from __future__ import annotations

import json
import sys

import click

from .stack import manager
from .stack.services import StackError
from .stack.settings import Settings


@click.group()
def main() -> None:
    """ctxflow: real-time context and persona platform on dbt + Flink + Kafka."""


@main.group()
def stack() -> None:
    """The local Kafka + Flink + SQL Gateway stack (no Docker). Settings: CTXFLOW_* variables."""


def _run(action) -> None:
    try:
        action()
    except StackError as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(1)


@stack.command()
def up() -> None:
    """Start Kafka, the Flink JobManager and TaskManager and the SQL Gateway; wait until healthy."""
    settings = Settings.from_env()
    _run(lambda: manager.up(settings, click.echo))
    click.echo(
        f"stack up: Kafka {settings.kafka_bootstrap}, Flink UI {settings.flink_rest_url}, "
        f"SQL Gateway {settings.gateway_url}. Stop it with `make down`."
    )


@stack.command()
def down() -> None:
    """Stop exactly the processes `up` started (by PID) and check their ports are free."""
    _run(lambda: manager.down(Settings.from_env(), click.echo))


@stack.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per service.")
def status(as_json: bool) -> None:
    """Each service with its PID, ports and health. Exit code 1 unless all are healthy."""
    rows = manager.status(Settings.from_env())
    for row in rows:
        if as_json:
            click.echo(json.dumps(row.__dict__))
        else:
            pid = str(row.pid) if row.pid else "-"
            ports = ",".join(map(str, row.ports)) or "-"
            state = "healthy" if row.healthy else ("UNHEALTHY" if row.pid else "stopped")
            click.echo(f"{row.name:12} pid {pid:>7}  ports {ports:11}  {state:9}  {row.detail}")
    sys.exit(0 if all(r.healthy for r in rows) else 1)


if __name__ == "__main__":
    main()
