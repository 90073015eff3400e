"""The end-of-run summary: events per topic and phase, achieved rate, malformed counts."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from ..core.tally import Tally
from .malformed import KINDS


def summary(console: Console, phases: dict[str, Tally], malformed: Counter, unacked: int, asked_rate: float | None):
    table = Table(title="sent", show_footer=True)
    table.add_column("topic", footer="total")
    topics = sorted({t for tally in phases.values() for t in tally.per_topic})
    for name, tally in phases.items():
        table.add_column(name, justify="right", footer=f"{tally.total:,}")
    for topic in topics:
        table.add_row(topic, *(f"{tally.per_topic[topic]:,}" for tally in phases.values()))
    console.print(table)
    for name, tally in phases.items():
        line = f"{name}: {tally.total:,} events in {tally.seconds:.1f} s = {tally.rate:,.0f} events/s"
        if name == "live" and asked_rate:
            line += f" (asked {asked_rate:,.0f}/s: {tally.rate / asked_rate:.1%})"
            if tally.rate < 0.9 * asked_rate:  # one process is CPU-bound at roughly 10-15k events/s
                line += "; below the asked rate: run several simulators with different --seed"
        console.print(line)
    broken = sum(malformed.values())
    if broken:
        kinds = ", ".join(f"{k} {malformed[k]:,}" for k in KINDS)
        total = sum(tally.total for tally in phases.values())
        console.print(f"malformed: {broken:,} of {total:,} ({broken / total:.2%}): {kinds}")
    if unacked:
        console.print(f"[red]{unacked:,} events were not acknowledged by Kafka[/red]")
