"""The three ways of sending: as fast as possible (history), at a steady rate (live), on a script (scenario)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ..core.events import Event
from ..core.pacing import Pacer, wait_until
from ..core.tally import Tally
from .scenarios import Scenario, Timed
from .sink import Sink


def progress_bar(console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>8.0f} ev/s"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def send_history(
    sink: Sink, events: Iterable[Event], progress: Progress, label: str, total: int | None = None
) -> Tally:
    """Back-dated events as fast as the producer takes them, each stamped in Kafka with its own ts."""
    tally, started = Tally(), time.monotonic()
    task = progress.add_task(label, total=total, rate=0.0)
    for n, event in enumerate(events, start=1):
        sink.send(event, tally, backdated=True)
        if n % 2000 == 0:
            progress.update(task, completed=n, rate=n / (time.monotonic() - started))
    tally.seconds = time.monotonic() - started
    progress.update(task, completed=tally.total, total=tally.total, rate=tally.rate)
    return tally


def send_paced(
    sink: Sink, events: Iterator[Event], rate: float, progress: Progress, limit: int | None, duration_s: float | None
) -> Tally:
    """Sends at `rate` events/s until `limit` events or `duration_s` seconds (or Ctrl-C)."""
    total = limit if limit is not None else (int(rate * duration_s) if duration_s is not None else None)
    task = progress.add_task(f"live @ {rate:g}/s", total=total, rate=0.0)
    tally, pacer = Tally(), Pacer(rate)
    sent = 0
    try:
        while (limit is None or sent < limit) and (duration_s is None or pacer.elapsed() < duration_s):
            due = pacer.take()
            if limit is not None:
                due = min(due, limit - sent)
            for _ in range(due):
                sink.send(next(events), tally)
            sent += due
            if sent % 500 < due:
                progress.update(task, completed=sent, rate=sent / max(pacer.elapsed(), 1e-9))
    except KeyboardInterrupt:
        pass  # Ctrl-C ends an unbounded run; the summary still follows
    tally.seconds = pacer.elapsed()
    progress.update(task, completed=sent, rate=tally.rate)
    return tally


def send_timed(sink: Sink, timed: list[Timed], progress: Progress, label: str) -> Tally:
    """Sends each event at its offset after now; the scenario's timing is part of what it tests."""
    task = progress.add_task(label, total=len(timed), rate=0.0)
    tally, started = Tally(), time.monotonic()
    for n, item in enumerate(timed, start=1):
        wait_until(started, item.send_offset_ms / 1000)
        sink.send(item.event, tally)
        if n % 200 == 0 or n == len(timed):
            progress.update(task, completed=n, rate=n / max(time.monotonic() - started, 1e-9))
    tally.seconds = time.monotonic() - started
    return tally


def play(sink: Sink, scenario: Scenario, progress: Progress | None = None) -> dict[str, Tally]:
    """Sends a scenario: its history as fast as possible, then each live event at its offset (blocking)."""
    progress = progress or Progress(disable=True)
    phases = {}
    if scenario.history:
        phases["history"] = send_history(sink, scenario.history, progress, "history", len(scenario.history))
    span = scenario.live[-1].send_offset_ms / 1000 if scenario.live else 0
    phases["live"] = send_timed(sink, scenario.live, progress, f"live ({span:.0f} s)")
    return phases
