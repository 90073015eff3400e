"""Ad campaigns: the impression -> click -> conversion funnel, and the reference KPIs in Decimal.

`reference_kpis` is the oracle the campaign KPI model is tested against: it computes, from the very
events that were sent, what each 1-minute tumbling window on `ts` must report, to the cent.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..core.events import CENT, Event, money
from .ids import Ids

WINDOW_MS = 60_000
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Campaign:
    campaign_id: str
    ad_ids: tuple[str, ...]
    ctr: float  # clicks per impression, 1-5 %
    cvr: float  # conversions per click, 2-10 %
    impression_cost: Decimal  # CPM-style cost per impression
    click_cost: Decimal  # CPC-style cost per click
    basket: tuple[float, float]  # revenue range of a conversion


def make_campaign(campaign_id: str, rng: random.Random, ctr: float | None = None, cvr: float | None = None) -> Campaign:
    return Campaign(
        campaign_id=campaign_id,
        ad_ids=tuple(f"{campaign_id}-ad{i}" for i in range(1, 4)),
        ctr=ctr if ctr is not None else rng.uniform(0.01, 0.05),
        cvr=cvr if cvr is not None else rng.uniform(0.02, 0.10),
        impression_cost=money(rng.choice(("0.01", "0.02", "0.03"))),
        click_cost=money(rng.uniform(0.15, 0.90)),
        basket=(19.99, rng.choice((89.0, 149.0, 249.0))),
    )


def make_campaigns(seed: int, count: int = 5) -> list[Campaign]:
    rng = random.Random(f"campaigns:{seed}")
    return [make_campaign(f"cmp-{seed}-{i}", rng) for i in range(1, count + 1)]


def funnel(campaign: Campaign, user_id: str, ts: int, rng: random.Random, ids: Ids) -> list[Event]:
    """One impression and, with the campaign's rates, a click seconds later and a conversion minutes later."""
    ad_id = rng.choice(campaign.ad_ids)

    def event(kind: str, at: int, cost: Decimal, revenue: Decimal) -> Event:
        value = {
            "event_id": ids.next(),
            "campaign_id": campaign.campaign_id,
            "ad_id": ad_id,
            "user_id": user_id,
            "ts": at,
            "event_type": kind,
            "cost": cost,
            "revenue": revenue,
        }
        return Event("campaign_events", user_id, value)

    out = [event("impression", ts, campaign.impression_cost, ZERO)]
    if rng.random() < campaign.ctr:
        clicked = ts + rng.randint(1_000, 15_000)
        out.append(event("click", clicked, campaign.click_cost, ZERO))
        if rng.random() < campaign.cvr:
            revenue = money(rng.uniform(*campaign.basket))
            out.append(event("conversion", clicked + rng.randint(20_000, 300_000), ZERO, revenue))
    return out


@dataclass(frozen=True)
class Kpis:
    campaign_id: str
    window_start: int  # epoch ms, inclusive
    window_end: int  # epoch ms, exclusive
    impressions: int
    clicks: int
    conversions: int
    spend: Decimal
    revenue: Decimal
    ctr: Decimal | None  # clicks / impressions; None when the denominator is 0
    cvr: Decimal | None  # conversions / clicks
    cpa: Decimal | None  # spend / conversions
    roas: Decimal | None  # revenue / spend


def cents(amount: Decimal | None) -> Decimal | None:
    """A money KPI as a DECIMAL(14, 2) column holds it: rounded half up, as Flink's CAST does."""
    return None if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _ratio(num: Decimal | int, den: Decimal | int) -> Decimal | None:
    return Decimal(num) / Decimal(den) if den else None


def reference_kpis(events: Iterable[Event], window_ms: int = WINDOW_MS) -> list[Kpis]:
    """Per campaign and tumbling window on `ts`: counts, spend and revenue (exact), and the four ratios.

    Ratios are exact Decimal quotients (28 significant digits), unrounded: compare them with a tolerance
    or round both sides the same way; counts, spend and revenue must match exactly.
    """
    sums: dict[tuple[str, int], list] = {}
    for e in events:
        if e.topic != "campaign_events":
            continue
        v = e.value
        start = v["ts"] - v["ts"] % window_ms
        acc = sums.setdefault((v["campaign_id"], start), [0, 0, 0, ZERO, ZERO])
        acc[EVENT_INDEX[v["event_type"]]] += 1
        acc[3] += v["cost"]
        acc[4] += v["revenue"]
    return [
        Kpis(
            cid,
            start,
            start + window_ms,
            imp,
            clk,
            conv,
            spend,
            rev,
            _ratio(clk, imp),
            _ratio(conv, clk),
            _ratio(spend, conv),
            _ratio(rev, spend),
        )
        for (cid, start), (imp, clk, conv, spend, rev) in sorted(sums.items())
    ]


EVENT_INDEX = {"impression": 0, "click": 1, "conversion": 2}
