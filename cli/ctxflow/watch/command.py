"""`ctxflow watch`: a live terminal view of the output topics, or JSON lines for machines."""

from __future__ import annotations

import sys
import time

import click
from rich.console import Console
from rich.live import Live

from ..core.kafka_io import KafkaUnreachable
from ..core.topics import DEFAULT_PREFIX, STREAMING_OUTPUTS
from ..stack.settings import Settings
from ..waiting import wait_for
from .records import OutputRecord
from .state import WatchState
from .tail import Tail
from .view import render

ONCE_TIMEOUT_S = 30  # --once gives up reading (and prints what it has) after this long
REFRESH_TOPICS_S = 2.0
PIPED_WIDTH = 220  # how often to look for output topics that did not exist yet


class ReadLoop:
    """The read loop: poll, apply, emit; shared by --once, --for, the endless view and `make demo`."""

    def __init__(self, tail: Tail, state: WatchState, as_json: bool) -> None:
        self.tail, self.state, self.as_json = tail, state, as_json
        self._topics_checked = time.monotonic()

    def step(self, timeout_s: float = 0.2) -> list[OutputRecord]:
        records = self.tail.poll(timeout_s)
        for record in records:
            self.state.apply(record)
            if self.as_json:
                sys.stdout.write(record.json_line() + "\n")
        if self.as_json and records:
            sys.stdout.flush()
        if time.monotonic() - self._topics_checked > REFRESH_TOPICS_S:
            self._topics_checked = time.monotonic()
            for topic in self.tail.refresh():
                click.echo(f"now watching {topic}", err=True)
        return records


@click.command()
@click.option("--from-beginning", is_flag=True, help="Read the topics from their start instead of their end.")
@click.option("--once", is_flag=True, help="Read everything in the topics now, print it, exit.")
@click.option("--for", "for_s", type=click.FloatRange(0, min_open=True), help="Stop after SECONDS.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per record: topic, key, value, latency_ms.")
@click.option("--bootstrap", help="Kafka bootstrap servers.  [default: the local stack's]")
@click.option("--topic-prefix", default=DEFAULT_PREFIX, show_default=True, help="Prefix of the output topics.")
@click.option("--rows", type=click.IntRange(1), default=12, show_default=True, help="Rows per table.")
def watch(from_beginning, once, for_s, as_json, bootstrap, topic_prefix, rows) -> None:
    """Tail the output topics (eligibility, decisions, personas, car intent, KPIs, dead letters) live.

    Ad decisions and next-best actions show their latency: when the record arrived minus the ts of the
    event it answers (the ad request; the decline or exhausted plan); p50/p95 for ad decisions."""
    bootstrap = bootstrap or Settings.from_env().kafka_bootstrap
    try:
        tail = Tail(bootstrap, topic_prefix, from_beginning or once)
    except KafkaUnreachable as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(1)
    missing = [t for t in STREAMING_OUTPUTS if f"{topic_prefix}{t}" not in tail.assigned]
    where = "from the beginning" if from_beginning or once else "from the end"
    note = f" ({', '.join(missing)} not created yet: picked up when they appear)" if missing else ""
    click.echo(f"watching {len(tail.assigned)} output topics at {bootstrap} {where}{note}", err=True)

    state = WatchState(keep=rows)
    session = ReadLoop(tail, state, as_json)
    deadline = time.monotonic() + for_s if for_s else None
    try:
        if once:

            def read_to_the_end() -> bool:
                session.step()
                return tail.caught_up()

            try:
                wait_for(read_to_the_end, "the end of the output topics", timeout_s=ONCE_TIMEOUT_S, every_s=0)
            except TimeoutError as err:
                click.echo(f"warning: {err}; showing what was read", err=True)
        elif as_json:
            while deadline is None or time.monotonic() < deadline:
                session.step()
        else:
            with Live(render(state), console=Console(), refresh_per_second=4) as live:
                while deadline is None or time.monotonic() < deadline:
                    if session.step():
                        live.update(render(state))
    except KeyboardInterrupt:
        pass
    finally:
        tail.close()
    if once and not as_json:
        # piped into a file or a test, rich would fold the tables at 80 columns
        Console(width=None if sys.stdout.isatty() else PIPED_WIDTH).print(render(state))
