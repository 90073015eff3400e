"""`make demo`: the whole product on the local stack, bounded in time, with a verdict per scenario.

Steps: topics -> `dbt seed` -> the scenarios' back-dated history -> `dbt run` (every streaming job, then
the batch profiles once the contract job has typed the history) -> the six scenarios play live while
`watch` shows the outputs (next-best actions with their latency) ->
a summary of which scenarios produced what they expected. The stack is left running.
"""

from __future__ import annotations

import json
import threading
import time

import click
from rich.console import Console
from rich.live import Live
from rich.progress import Progress
from rich.table import Table

from .core import dbtrun
from .core.contract import INPUTS
from .core.events import Event
from .core.kafka_io import admin_client, read_topic
from .core.tally import Tally
from .core.topics import DEFAULT_PREFIX, ensure_contract_topics, typed_counts, wait_until_typed
from .simulate.run import send_history, send_timed
from .simulate.scenarios import NAMES, Scenario, build_scenario
from .simulate.sink import Sink
from .stack.settings import Settings
from .watch.command import ReadLoop
from .watch.state import WatchState
from .watch.tail import Tail
from .watch.view import render

PREFIX = DEFAULT_PREFIX
TIME_SCALE = 0.25  # the scenarios' live phases run 4x faster than scripted (about 40 s for christmas)
CHECK_EVERY_S = 10  # after the live phase: how often to look whether every expectation is met
ALLOWED_LATENESS_MS = 60_000  # the dbt var allowed_lateness_seconds: the watermark's delay
HEARTBEAT_EVERY_S = 5
DEMO_BOUND_S = 360  # the live part never runs longer than this
PROFILES = ("user_profiles", "customer_profiles")  # the batch models over the typed history


def dbt(*args: str) -> None:
    """Runs a dbt command on this project; its output streams to the terminal."""
    click.secho(f"$ dbt {' '.join(args)}", bold=True)
    try:
        dbtrun.run(*args)
    except dbtrun.DbtFailed as err:
        raise click.ClickException(str(err)) from None


def play_live(sink: Sink, scenarios: list[Scenario], stop: threading.Event) -> None:
    """The live phases of all scenarios at once, each event at its offset (a thread of its own).

    Then, until the last campaign window is final, one heartbeat campaign event every few seconds
    with ts = now: event time has to move past a window's end plus the allowed lateness before
    Flink publishes that window, and a real feed never stops while a demo does. The heartbeat
    never runs ahead of the clock, so it cannot make a later run's events late."""
    timed = sorted((t for s in scenarios for t in s.live), key=lambda t: t.send_offset_ms)
    send_timed(sink, timed, _no_progress(), "live")
    window_ends = [e.equals["window_end"] for s in scenarios for e in s.expectations if e.output == "campaign_kpis"]
    final_at_ms = max(window_ends, default=0) + ALLOWED_LATENESS_MS + 5_000
    while not stop.is_set():
        now = int(time.time() * 1000)
        tick = {"event_id": f"heartbeat-{now}", "campaign_id": "demo-heartbeat", "ad_id": "heartbeat",
                "user_id": "heartbeat", "ts": now, "event_type": "impression", "cost": 0, "revenue": 0}  # fmt: skip
        sink.send(Event("campaign_events", "heartbeat", tick), Tally())
        if now > final_at_ms:
            return
        stop.wait(HEARTBEAT_EVERY_S)


def verify(settings: Settings, scenario: Scenario) -> list[tuple[str, bool, str]]:
    """(expectation, met, why not) for each expectation: met when some record with its key satisfies it."""
    results = []
    cache: dict[str, list[dict]] = {}
    for exp in scenario.expectations:
        if exp.output not in cache:
            records = read_topic(settings.kafka_bootstrap, PREFIX + exp.output, timeout_s=30)
            cache[exp.output] = [json.loads(r.value) for r in records if r.value is not None]
        candidates = [v for v in cache[exp.output] if exp.matches_key(v)]
        problems = [exp.check(v) for v in candidates]
        met = any(not p for p in problems)
        why = "" if met else ("; ".join(problems[-1]) if problems else "no record")
        results.append((exp.summary(), met, why))
    return results


def main() -> None:
    settings = Settings.from_env()
    console = Console()
    # Built twice: the history now, the live phase when it starts, so that live events carry the
    # wall-clock time they are sent at (an ad request is decided as of its ts).
    # A new seed each run: a rerun's events would otherwise repeat event ids, which staging drops as
    # duplicates of the first run's.
    seed = int(time.time()) % 1_000_000
    scenarios = build_all(seed)

    created = ensure_contract_topics(admin_client(settings.kafka_bootstrap), PREFIX)
    console.print(f"topics: {len(created)} created")
    dbt("seed")
    before = typed_counts(settings.kafka_bootstrap, PREFIX)
    with Sink(settings.kafka_bootstrap, PREFIX) as sink:
        history = [e for s in scenarios for e in s.history]
        tally = send_history(sink, history, _no_progress(), "history", len(history))
    console.print(f"history: {tally.total} back-dated events sent")
    # The streaming jobs first: the profiles are computed over the typed topics, which the contract
    # job fills from the history; then the batch profiles once it has typed all of it (--full-refresh:
    # built now, even if an earlier run built them within their freshness.build_after).
    dbt("run", "--exclude", *PROFILES)
    wait_until_typed(settings.kafka_bootstrap, before, [e for e in history if e.topic in INPUTS], PREFIX)
    dbt("run", "--select", *PROFILES, "--full-refresh")

    console.print(f"playing {', '.join(NAMES)} live (bounded to {DEMO_BOUND_S} s); Ctrl-C stops")
    scenarios = build_all(seed)
    tail = Tail(settings.kafka_bootstrap, PREFIX, from_beginning=False)
    state = WatchState(keep=10)
    session = ReadLoop(tail, state, as_json=False)
    with Sink(settings.kafka_bootstrap, PREFIX) as sink:
        stop = threading.Event()
        player = threading.Thread(target=play_live, args=(sink, scenarios, stop), daemon=True)
        player.start()
        deadline = time.monotonic() + DEMO_BOUND_S
        next_check = 0.0
        try:
            with Live(render(state), console=console, refresh_per_second=4) as live:
                while time.monotonic() < deadline:
                    if session.step():
                        live.update(render(state))
                    # once everything is sent, stop as soon as every expectation is met
                    if not player.is_alive() and time.monotonic() > next_check:
                        next_check = time.monotonic() + CHECK_EVERY_S
                        if all(ok for s in scenarios for _, ok, _ in verify(settings, s)):
                            break
        except KeyboardInterrupt:
            console.print("[yellow]stopped by Ctrl-C[/yellow]")
        finally:  # the player is a daemon thread: on Ctrl-C it dies with the process
            stop.set()
            tail.close()
    summary(console, settings, scenarios)
    console.print(
        f"The stack is still running: Flink UI {settings.flink_rest_url}, `ctxflow watch` to keep watching, "
        "`make down` to stop it."
    )


def build_all(seed: int) -> list[Scenario]:
    now_ms = int(time.time() * 1000)
    return [build_scenario(name, seed=seed, now_ms=now_ms, time_scale=TIME_SCALE) for name in NAMES]


def summary(console: Console, settings: Settings, scenarios: list[Scenario]) -> None:
    table = Table(title="scenario results")
    table.add_column("scenario")
    table.add_column("expectations met")
    table.add_column("first miss")
    for scenario in scenarios:
        results = verify(settings, scenario)
        met = sum(ok for _, ok, _ in results)
        miss = next((f"{what} -> {why}" for what, ok, why in results if not ok), "")
        colour = "green" if met == len(results) else "red"
        table.add_row(scenario.name, f"[{colour}]{met}/{len(results)}[/{colour}]", miss[:120])
    console.print(table)


def _no_progress() -> Progress:
    return Progress(disable=True)


if __name__ == "__main__":
    main()
