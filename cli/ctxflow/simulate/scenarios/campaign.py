"""Campaign (the Black Friday story): three campaigns burst for a few minutes; KPIs per minute.

Event time spans the last few minutes before `now_ms`; the events are sent compressed (10x faster
than event time) and a few arrive late, up to 30 s behind the newest event already sent, as mobile
clients do. The expected KPIs are `reference_kpis` of these very events.
"""

from __future__ import annotations

import random

from ...core.events import Event
from ..campaigns import Campaign, cents, funnel, make_campaign, reference_kpis
from ..ids import Ids
from .model import Expectation, Scenario, Timed

BURST_S = 180
IMPRESSIONS_PER_S = 25  # per campaign: enough conversions per minute for CPA and ROAS to mean something
LATE_SHARE = 0.05
MAX_LATENESS_MS = 30_000
COMPRESSION = 10  # event-time seconds per second of sending
# Black Friday converts well, but inside the usual bounds: CTR 1-5 %, CVR 2-10 % of clicks
RATES = ((0.05, 0.10), (0.03, 0.08), (0.02, 0.05))


def campaigns(seed: int) -> list[Campaign]:
    rng = random.Random(f"bf-campaigns:{seed}")
    return [make_campaign(f"bf-{seed}-{i}", rng, ctr, cvr) for i, (ctr, cvr) in enumerate(RATES, start=1)]


def burst(seed: int) -> list[Event]:
    """The burst's events with ts from 0, in ts order (shifted to real time by `build`)."""
    rng = random.Random(f"bf:{seed}")
    ids = Ids(seed, "bf")
    running = campaigns(seed)
    events = []
    for i in range(BURST_S * IMPRESSIONS_PER_S):
        ts = i * 1000 // IMPRESSIONS_PER_S
        for c in running:
            events += funnel(c, f"shopper-{seed}-{rng.randrange(5000):04d}", ts + rng.randrange(80), rng, ids)
    return sorted(events, key=lambda e: e.ts)


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    events = burst(seed)
    shift = now_ms - events[-1].ts  # the newest event happens "now"
    rng = random.Random(f"bf-late:{seed}")
    arrivals = []
    for n, e in enumerate(events):
        e = Event(e.topic, e.key, {**e.value, "ts": e.ts + shift})
        late = rng.randint(1_000, MAX_LATENESS_MS) if rng.random() < LATE_SHARE else 0
        arrivals.append((e.ts + late, n, e))
    arrivals.sort(key=lambda a: (a[0], a[1]))
    first = arrivals[0][0]
    live = [Timed(int((at - first) / COMPRESSION * time_scale), e) for at, _, e in arrivals]
    kpis = reference_kpis(e for _, _, e in arrivals)
    expectations = [
        Expectation(
            "campaign_kpis",
            {"campaign_id": k.campaign_id, "grain": "minute", "window_start": k.window_start},
            "1-minute window of the Black Friday burst",
            equals={
                "window_end": k.window_end,
                "impressions": k.impressions,
                "clicks": k.clicks,
                "conversions": k.conversions,
                "spend": k.spend,
                "revenue": k.revenue,
                "cpa": cents(k.cpa),  # a DECIMAL(14, 2) column: to the cent
            },
            approx={"ctr": k.ctr, "cvr": k.cvr, "roas": k.roas},  # DOUBLE columns
        )
        for k in kpis
    ]
    ids = ", ".join(c.campaign_id for c in campaigns(seed))
    return Scenario(
        "campaign",
        f"Black Friday burst of {ids} over {BURST_S // 60} minutes of event time (plus late clicks and "
        f"conversions), {LATE_SHARE:.0%} of events up to {MAX_LATENESS_MS // 1000} s late, sent {COMPRESSION}x faster",
        [],
        live,
        expectations,
    )
