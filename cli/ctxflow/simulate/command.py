"""`ctxflow simulate`: background traffic (history + live) or a named scenario, into Kafka."""

from __future__ import annotations

import heapq
import sys
import time

import click
from rich.console import Console

from ..core.events import to_epoch_ms
from ..core.kafka_io import KafkaUnreachable
from ..core.topics import DEFAULT_PREFIX
from ..stack.settings import Settings
from .campaigns import make_campaigns
from .finance import background_history, background_live, customers_of
from .population import make_users
from .report import summary
from .run import play, progress_bar, send_history, send_paced
from .scenarios import NAMES, build_scenario
from .sink import Sink
from .traffic import history_events, live_events

SHOWN_EXPECTATIONS = 12


def _epoch_ms(text: str | None) -> int:
    """--start: epoch ms or an ISO date-time (UTC unless it says otherwise); default now."""
    if text is None:
        return int(time.time() * 1000)
    ms = to_epoch_ms(text)
    if ms is None:
        raise click.BadParameter(f"{text!r} is neither epoch ms nor an ISO date-time", param_hint="--start")
    return ms


def _sink(opts: dict, console: Console) -> Sink:
    bootstrap = opts["bootstrap"] or Settings.from_env().kafka_bootstrap
    try:
        sink = Sink(bootstrap, opts["topic_prefix"], opts["partitions"], opts["malformed_rate"], opts["seed"])
    except KafkaUnreachable as err:
        click.secho(f"error: {err}", fg="red", err=True)
        sys.exit(1)
    if sink.created:
        console.print(f"created topics: {', '.join(sink.created)}")
    return sink


def _finish(console: Console, sink: Sink, phases: dict, asked_rate: float | None) -> None:
    unacked = sink.close()
    summary(console, phases, sink.mixer.counts, unacked, asked_rate)
    if unacked or sum(sink.producer.failed.values()):
        click.secho(f"error: Kafka did not take every event ({sink.producer.last_error})", fg="red", err=True)
        sys.exit(1)


def shared_options(f):
    """Options of both `simulate` and `simulate scenario` (given on either; the subcommand's win)."""
    options = [
        click.option("--seed", type=int, help="Same seed and --start: byte-identical events.  [default: 42]"),
        click.option("--start", help="Live start / history end: epoch ms or ISO date-time.  [default: now]"),
        click.option("--bootstrap", help="Kafka bootstrap servers.  [default: the local stack's]"),
        click.option("--topic-prefix", help=f"Prefix of the input topics.  [default: {DEFAULT_PREFIX}]"),
        click.option("--partitions", type=click.IntRange(1), help="Partitions of topics it creates.  [default: 1]"),
        click.option("--malformed-rate", type=click.FloatRange(0, 1), help="Share of broken events.  [default: 0]"),
    ]
    for option in reversed(options):
        f = option(f)
    return f


DEFAULTS = {
    "seed": 42,
    "start": None,
    "bootstrap": None,
    "topic_prefix": DEFAULT_PREFIX,
    "partitions": 1,
    "malformed_rate": 0.0,
}


def _resolve(parent: dict, given: dict) -> dict:
    return {k: given.get(k) if given.get(k) is not None else parent.get(k, DEFAULTS[k]) for k in DEFAULTS}


@click.group(invoke_without_command=True)
@shared_options
@click.option("--users", type=click.IntRange(1), default=100, show_default=True, help="Synthetic users.")
@click.option("--history-days", type=click.FloatRange(0), default=0, show_default=True, help="Back-dated days.")
@click.option("--rate", type=click.FloatRange(0, min_open=True), default=100, show_default=True, help="Live ev/s.")
@click.option("--duration", type=click.FloatRange(0), help="Seconds of live traffic (0: none).  [default: unbounded]")
@click.option("--events", "limit", type=click.IntRange(0), help="Live events to send (0: none).")
@click.option(
    "--finance-share",
    type=click.FloatRange(0, 1, max_open=True),
    default=0.0,
    show_default=True,
    help="Share of bank and telecom traffic (customers, payments, data usage) among the events.",
)
@click.option("--scenario", type=click.Choice(NAMES), help="Run this scenario instead (as `simulate scenario NAME`).")
@click.pass_context
def simulate(ctx, users, history_days, rate, duration, limit, finance_share, scenario, **shared) -> None:
    """Synthetic traffic into the input topics: --history-days back-dated, then live at --rate until
    --duration/--events (or Ctrl-C). `simulate scenario NAME` plays a scripted scenario instead."""
    opts = _resolve({}, shared)
    ctx.obj = opts
    if ctx.invoked_subcommand is not None:
        return
    if scenario is not None:
        _run_scenario(scenario, opts, time_scale=1.0)
        return
    console = Console()
    start = _epoch_ms(opts["start"])  # bad arguments fail before anything touches Kafka
    sink = _sink(opts, console)
    people, campaigns = make_users(opts["seed"], users), make_campaigns(opts["seed"])
    customers = customers_of(people, opts["seed"]) if finance_share > 0 else []
    phases = {}
    with progress_bar(console) as progress:
        if history_days > 0:
            history = history_events(people, campaigns, opts["seed"], start, history_days)
            if customers:  # the bank's and operator's history beside the rest, in ts order
                finance = background_history(customers, opts["seed"], start, history_days)
                history = heapq.merge(finance, history, key=lambda e: e.ts)
            phases["history"] = send_history(sink, history, progress, f"history {history_days:g} d")
        if duration != 0 and limit != 0:
            stream = live_events(people, campaigns, opts["seed"], start, rate * (1 - finance_share))
            if customers:  # two clocks at the two shares of the rate, merged: together on pace
                finance = background_live(customers, opts["seed"], start, rate * finance_share)
                stream = heapq.merge(finance, stream, key=lambda e: e.ts)
            phases["live"] = send_paced(sink, stream, rate, progress, limit, duration)
    _finish(console, sink, phases, rate if "live" in phases else None)


@simulate.command("scenario")
@click.argument("name", type=click.Choice(NAMES))
@shared_options
@click.option(
    "--time-scale",
    type=click.FloatRange(0, min_open=True),
    default=1.0,
    show_default=True,
    help="Multiplies the live phase's offsets (0.1: ten times faster).",
)
@click.pass_obj
def scenario_command(parent: dict, name: str, time_scale: float, **shared) -> None:
    """Play scenario NAME (christmas, gift, car, campaign, bank, telco) and print what the outputs should show."""
    _run_scenario(name, _resolve(parent, shared), time_scale)


def _run_scenario(name: str, opts: dict, time_scale: float) -> None:
    console = Console()
    scenario = build_scenario(name, opts["seed"], _epoch_ms(opts["start"]), time_scale)
    sink = _sink(opts, console)
    console.print(f"scenario {name}: {scenario.description}", style="bold", markup=False)
    console.print("expect (watch it with `ctxflow watch`):")
    for exp in scenario.expectations[:SHOWN_EXPECTATIONS]:
        console.print(f"  • {exp.summary()}", highlight=False, markup=False)  # keys look like [markup]
    if len(scenario.expectations) > SHOWN_EXPECTATIONS:
        console.print(f"  … and {len(scenario.expectations) - SHOWN_EXPECTATIONS} more of the same kind")
    with progress_bar(console) as progress:
        phases = play(sink, scenario, progress)
    _finish(console, sink, phases, None)
