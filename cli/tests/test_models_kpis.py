"""Campaign KPIs (the Black Friday story) end to end: every 1-minute window of campaign_kpis equals, to
the cent, the reference computed in Python from the very events sent, late events included; the
day-to-date totals are the running sums of those minutes."""

from __future__ import annotations

import random
import time
from decimal import Decimal

from dbt_project import Project, poll_until, wait_for_expectations
from rich.progress import Progress

from ctxflow.core.events import Event, to_epoch_ms
from ctxflow.simulate.campaigns import WINDOW_MS, reference_kpis
from ctxflow.simulate.run import play, send_history
from ctxflow.simulate.scenarios import build_scenario

pytest_plugins = ["conftest_models"]

TIME_SCALE = 0.5
ALLOWED_LATENESS_MS = 60_000  # dbt_project.yml allowed_lateness_seconds
CLOSE_AFTER_MS = 2 * WINDOW_MS  # the closing event: this far past the end of the last window


def test_minute_kpis_equal_the_python_reference_to_the_cent_including_late_events(project: Project):
    seed = random.randrange(1_000_000)
    scenario = build_scenario("campaign", seed, int(time.time() * 1000), time_scale=TIME_SCALE)
    sent = [t.event for t in scenario.live]
    reference = reference_kpis(sent)
    campaigns = {k.campaign_id for k in reference}
    assert campaigns == {f"bf-{seed}-{i}" for i in (1, 2, 3)}

    # the scenario does send late events, all of them inside the allowed lateness
    newest, lateness = 0, []
    for e in sent:
        if e.ts < newest:
            lateness.append(newest - e.ts)
        newest = max(newest, e.ts)
    assert lateness, "the scenario sent no late event"
    assert max(lateness) < ALLOWED_LATENESS_MS

    with project.sink() as sink:
        play(sink, scenario)
        # a valid event of another campaign well after the last window, stamped in Kafka with its own ts,
        # moves the watermark past every window of the burst so that the last ones are emitted too
        last_end = max(k.window_end for k in reference)
        closing = dict(sent[-1].value, event_id=f"close-{seed}", campaign_id=f"close-{seed}")
        closing.update(ts=last_end + CLOSE_AFTER_MS, event_type="impression", cost=Decimal("0.00"))
        send_history(sink, [Event("campaign_events", closing["user_id"], closing)], Progress(disable=True), "close")

    wait_for_expectations(project, scenario.expectations, timeout_s=90)  # each minute window, once, to the cent

    def records(grain: str) -> list[dict]:
        return [
            r.value
            for r in project.read("campaign_kpis")
            if r.value and r.value["campaign_id"] in campaigns and r.value["grain"] == grain
        ]

    minutes = records("minute")
    assert sorted((m["campaign_id"], to_epoch_ms(m["window_start"])) for m in minutes) == sorted(
        (k.campaign_id, k.window_start) for k in reference
    ), "minute windows other than the reference's"

    # day to date: every minute step up to the last window, the running sum of the reference minutes
    def day_to_date() -> list[dict] | None:
        rows = [d for d in records("day_to_date") if to_epoch_ms(d["window_end"]) <= last_end]
        return rows if len(rows) >= len({(k.campaign_id, k.window_end) for k in reference}) else None

    rows = poll_until(day_to_date, "the day-to-date windows of the burst", timeout_s=60)
    steps = {(d["campaign_id"], to_epoch_ms(d["window_end"])) for d in rows}
    assert {(k.campaign_id, k.window_end) for k in reference} <= steps, "a minute without its day-to-date step"
    for d in rows:
        start, end = to_epoch_ms(d["window_start"]), to_epoch_ms(d["window_end"])
        assert start % 86_400_000 == 0 and (end - start) % WINDOW_MS == 0, d
        part = [k for k in reference if k.campaign_id == d["campaign_id"] and start <= k.window_start < end]
        want = (
            sum(k.impressions for k in part),
            sum(k.clicks for k in part),
            sum(k.conversions for k in part),
            sum((k.spend for k in part), Decimal("0.00")),
            sum((k.revenue for k in part), Decimal("0.00")),
        )
        got = (d["impressions"], d["clicks"], d["conversions"], Decimal(str(d["spend"])), Decimal(str(d["revenue"])))
        assert got == want, d
