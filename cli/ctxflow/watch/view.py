"""Rendering the watch state as rich tables: one per output, newest changes first."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..core.events import to_epoch_ms
from .records import OutputRecord
from .state import WatchState


def _clock(value: object) -> str:
    ms = to_epoch_ms(value)
    if ms is None:
        return "-"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%H:%M:%S.%f")[:-3]


def _list(value: object) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else ("-" if value is None else str(value))


def _num(places: int) -> Callable[[object], str]:
    def fmt(value: object) -> str:
        try:
            return f"{float(value):,.{places}f}"
        except (TypeError, ValueError):
            return "-"

    return fmt


# how to show a field, by name; lists and plain values otherwise
FORMATS: dict[str, Callable[[object], str]] = {
    **dict.fromkeys(("updated_at", "decided_at", "window_start"), _clock),
    **dict.fromkeys(("deviation_score", "persona_score", "size_score", "urgency_score", "budget_score"), _num(2)),
    **dict.fromkeys(("spend", "revenue", "cpa", "roas", "new_limit", "loan_amount"), _num(2)),
    "score": _num(3),
    **dict.fromkeys(("ctr", "cvr"), _num(4)),
}
CONTEXT = ("user_id", "context_signals", "blocked_categories", "whitelisted_categories", "rule_ids", "updated_at")
PERSONAS = (
    "user_id",
    "session_id",
    "persona",
    "recipient_gender",
    "recipient_age_band",
    "deviation_score",
    "persona_score",
    "updated_at",
)
CAR_INTENT = (
    "session_id",
    "user_id",
    "size_class",
    "urgency",
    "budget",
    "size_score",
    "urgency_score",
    "budget_score",
    "updated_at",
)
KPIS = (
    "campaign_id",
    "grain",
    "window_start",
    "impressions",
    "clicks",
    "conversions",
    "spend",
    "revenue",
    "ctr",
    "cvr",
    "cpa",
    "roas",
)
DECISIONS = ("request_id", "user_id", "served_category", "blocked_categories", "decided_at")
ACTIONS = (
    "user_id",
    "situation",
    "action",
    "new_limit",
    "loan_amount",
    "pack_mb",
    "score",
    "reason",
    "decided_at",
)


def _table(title: str, columns: tuple[str, ...], records: list[OutputRecord], latency: bool = False) -> Table:
    table = Table(title=title, title_justify="left", expand=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    if latency:
        table.add_column("latency ms", justify="right")
    for rec in records:
        value = rec.value if isinstance(rec.value, dict) else {}
        cells = [FORMATS.get(name, _list)(value.get(name)) for name in columns]
        if latency:
            cells.append("-" if rec.latency_ms is None else f"{rec.latency_ms:,}")
        table.add_row(*cells)
    return table


def render(state: WatchState) -> Group:
    lat = state.latency()
    latency = f"latency p50 {lat[0]:,} ms, p95 {lat[1]:,} ms over {lat[2]:,}" if lat else "no decisions yet"
    counts = ", ".join(f"{t} {n:,}" for t, n in sorted(state.counts.items())) or "nothing yet"
    dead = ", ".join(f"{src} {n:,}" for src, n in state.dead_by_source.most_common()) or "none"
    last_error = ""
    if state.dead_letters and isinstance(state.dead_letters[-1].value, dict):
        last_error = f" (last: {state.dead_letters[-1].value.get('error', '?')})"
    return Group(
        Text(f"records seen: {counts}", style="bold"),
        _table("context: ad eligibility per user", CONTEXT, state.recent("ad_eligibility")),
        _table(f"ad decisions: {latency}", DECISIONS, list(reversed(state.decisions)), latency=True),
        _table("personas per session", PERSONAS, state.recent("personas")),
        _table("car intent per session", CAR_INTENT, state.recent("car_intent")),
        _table("campaign KPIs per minute", KPIS, state.recent("campaign_kpis")),
        _table(
            "next-best actions (latency: from the event that opened the situation)",
            ACTIONS,
            state.recent("next_best_actions"),
            latency=True,
        ),
        Text(f"dead letters by source: {dead}{last_error}"),
    )
