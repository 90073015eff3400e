"""`ctxflow` console script. Subcommands stay thin: the work is in the packages they call."""

from __future__ import annotations

import json
import sys

import click

from .core.kafka_io import KafkaUnreachable, admin_client
from .core.topics import ensure_contract_topics
from .simulate.command import simulate
from .stack import manager
from .stack.services import StackError
from .stack.settings import Settings
from .watch.command import watch


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
@click.argument("service", type=click.Choice(["kafka", "jobmanager", "taskmanager", "sql-gateway"]))
def restart(service: str) -> None:
    """Stop one service and start it again (then wait until the stack is healthy)."""
    _run(lambda: manager.restart(Settings.from_env(), service, click.echo))


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


@main.command()
@click.option("--prefix", default="ctx.", show_default=True, help="Topic name prefix (the dbt var topic_prefix).")
@click.option("--partitions", default=1, show_default=True)
@click.option("--bootstrap", default=None, help="Kafka bootstrap servers (default: the local stack's).")
def topics(prefix: str, partitions: int, bootstrap: str | None) -> None:
    """Create the event-contract topics (inputs, outputs, rules) that do not exist yet."""
    bootstrap = bootstrap or Settings.from_env().kafka_bootstrap
    try:
        created = ensure_contract_topics(admin_client(bootstrap), prefix, partitions)
    except KafkaUnreachable as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"created {len(created)} topics" + (f": {', '.join(created)}" if created else " (all existed)"))


main.add_command(simulate)
main.add_command(watch)


if __name__ == "__main__":
    main()
