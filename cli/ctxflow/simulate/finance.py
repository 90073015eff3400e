"""Bank and telecom customers: their reference record, card payments and mobile data use.

Used by the background traffic and by the `bank` and `telco` scenarios, so a scripted customer's
history looks like everyone else's. A customer's reference record (home, time zone, card limit,
credit band, plan, opted out) is what the bank's customer master feeds to the upsert topic
`customers`; payments and data usage are events of the contract (`payments`, `telco_usage`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from ..core.contract import allowed
from ..core.events import Event, money
from .ids import Ids

DAY_MS = 86_400_000
HOUR_MS = 3_600_000

CURRENCIES = {"PL": "PLN", "SE": "SEK", "GB": "GBP", "US": "USD"}  # every other country pays in EUR
TIME_ZONES = {
    "PL": "Europe/Warsaw",
    "DE": "Europe/Berlin",
    "SE": "Europe/Stockholm",
    "GB": "Europe/London",
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "US": "America/New_York",
}
EVERYDAY = ("groceries", "restaurants", "fuel", "retail", "electronics")
COUNTRIES = allowed("payments", "merchant_country")
CHANNELS = allowed("payments", "channel")


@dataclass(frozen=True)
class Customer:
    user_id: str
    home_country: str
    time_zone: str
    card_limit: int
    credit_band: str
    plan: str
    opted_out: bool = False
    typical_spend: float = 60.0  # mean everyday payment
    repays_on_time: float = 1.0  # share of monthly card repayments that go through
    daily_data_mb: int = 800  # mobile data on a day with sessions


def currency(country: str) -> str:
    return CURRENCIES.get(country, "EUR")


def late_evening_zone(now_ms: int, hour: int = 22) -> str:
    """The fixed-offset time zone in which it is `hour` o'clock at now_ms (Etc/GMT signs are inverted),
    so that a scripted late-evening story is late evening whenever it is played."""
    utc_hour = now_ms // HOUR_MS % 24
    offset = (hour - utc_hour + 12) % 24 - 12  # within -12 .. +11
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


def reference_record(c: Customer, ts: int) -> Event:
    """The customer master's record: key = JSON of the primary key (the upsert topic's key format)."""
    value = {
        "user_id": c.user_id,
        "home_country": c.home_country,
        "time_zone": c.time_zone,
        "card_limit": money(c.card_limit),
        "credit_band": c.credit_band,
        "plan": c.plan,
        "opted_out": c.opted_out,
        "ts": ts,  # when the record changed; not a column of the topic
    }
    return Event("customers", json.dumps({"user_id": c.user_id}), value)


def payment(
    ids: Ids,
    c: Customer,
    ts: int,
    amount: float,
    category: str,
    country: str,
    status: str = "approved",
    decline_reason: str | None = None,
    channel: str = "card_present",
) -> Event:
    value = {
        "event_id": ids.next(),
        "user_id": c.user_id,
        "ts": ts,
        "amount": money(amount),
        "currency": currency(country),
        "merchant_category": category,
        "merchant_country": country,
        "channel": channel,
        "status": status,
    }
    if decline_reason is not None:
        value["decline_reason"] = decline_reason
    return Event("payments", c.user_id, value)


def usage(
    ids: Ids, c: Customer, ts: int, country: str, used_mb: int, remaining_mb: int, kind: str = "session"
) -> Event:
    value = {
        "event_id": ids.next(),
        "user_id": c.user_id,
        "ts": ts,
        "country": country,
        "roaming": country != c.home_country,
        "data_used_mb": used_mb,
        "plan_remaining_mb": remaining_mb,
        "kind": kind,
    }
    return Event("telco_usage", c.user_id, value)


def make_customer(user_id: str, home_country: str, rng: random.Random) -> Customer:
    """A background customer: most repay reliably; limits, bands and data use vary."""
    band = rng.choices("ABCDE", (0.25, 0.3, 0.25, 0.15, 0.05))[0]
    return Customer(
        user_id=user_id,
        home_country=home_country,
        time_zone=TIME_ZONES[home_country],
        card_limit=rng.choice((1000, 2000, 3000, 5000)),
        credit_band=band,
        plan=rng.choice(("basic", "plus", "unlimited")),
        opted_out=rng.random() < 0.1,
        typical_spend=rng.uniform(20, 120),
        repays_on_time=rng.choice((1.0, 1.0, 0.95, 0.85)),
        daily_data_mb=rng.randint(200, 4000),
    )


def customer_day(c: Customer, day_start: int, rng: random.Random, ids: Ids, abroad: str | None = None) -> list[Event]:
    """One day of a customer's payments and data sessions, at home or travelling in `abroad`.
    The first of the month brings the card repayment, which goes through with `repays_on_time`."""
    where = abroad or c.home_country
    events = []
    for _ in range(rng.randint(0, 3)):
        ts = day_start + int(rng.uniform(8, 22) * HOUR_MS)
        amount = max(1.0, rng.gauss(c.typical_spend, c.typical_spend / 3))
        events.append(payment(ids, c, ts, amount, rng.choice(EVERYDAY), where, channel=rng.choice(CHANNELS)))
    day = day_start // DAY_MS
    if day % 30 == 0:
        # deterministic, so a scripted customer's record is the same for every seed: a repayment fails
        # each time the running count of expected failures, (1 - repays_on_time) a month, passes a whole
        month, late = day // 30, 1.0 - c.repays_on_time
        ok = int((month + 1) * late + 1e-9) == int(month * late + 1e-9)
        ts = day_start + 6 * HOUR_MS
        reason = None if ok else "insufficient_funds"
        status = "approved" if ok else "declined"
        events.append(payment(ids, c, ts, c.card_limit / 3, "card_repayment", c.home_country, status, reason, "online"))
    sessions = rng.randint(1, 4)
    remaining = 20_000
    for i in range(sessions):
        ts = day_start + int((8 + i * 14 / sessions + rng.uniform(0, 2)) * HOUR_MS)
        used = max(1, int(rng.gauss(c.daily_data_mb / sessions, c.daily_data_mb / sessions / 4)))
        remaining = max(0, remaining - used)
        events.append(usage(ids, c, ts, where, used, remaining))
    return events


def customer_history(customers: list[Customer], seed: int, end_ms: int, days: int) -> list[Event]:
    """Every customer's reference record, then `days` of payments and data use before end_ms, in ts order;
    the reference records come first (stamped at the history's start), as the bank had them then."""
    rng = random.Random(f"finance-history:{seed}:{end_ms}:{days}")
    ids = Ids(seed, f"finance-history:{end_ms}")
    begin = end_ms - days * DAY_MS
    events = []
    for day_start in range(begin - begin % DAY_MS, end_ms, DAY_MS):
        for c in customers:
            events += [e for e in customer_day(c, day_start, rng, ids) if begin <= e.ts < end_ms]
    return [reference_record(c, begin) for c in customers] + sorted(events, key=lambda e: e.ts)


# --- background traffic -------------------------------------------------------------------------
TRAVELLERS = 0.1  # share of customers abroad at any time (on a trip of a few days)
DECLINE_RATE = 0.04
DECLINE_REASONS = (
    ("limit_exceeded", 0.4),
    ("insufficient_funds", 0.4),
    ("fraud_suspected", 0.1),
    ("card_blocked", 0.1),
)


def customers_of(users: list, seed: int) -> list[Customer]:
    """A bank and telecom customer for each simulated user (home = the user's country)."""
    rng = random.Random(f"customers:{seed}")
    return [make_customer(u.user_id, u.country, rng) for u in users]


def _trip(c: Customer, day: int, seed: int) -> str | None:
    """Where the customer is travelling on `day` (days since the epoch), or None when at home: trips
    of a week, one customer in ten away at any time, the destination fixed per trip."""
    rng = random.Random(f"trip:{seed}:{c.user_id}:{day // 7}")
    if rng.random() >= TRAVELLERS:
        return None
    return rng.choice([k for k in COUNTRIES if k != c.home_country])


def background_history(customers: list[Customer], seed: int, end_ms: int, days: float) -> list[Event]:
    """The customers' reference records, then their days of payments and data use (with trips), by ts."""
    rng = random.Random(f"finance-background:{seed}:{end_ms}:{days}")
    ids = Ids(seed, f"finance-background:{end_ms}")
    begin = end_ms - int(days * DAY_MS)
    events = []
    for day_start in range(begin - begin % DAY_MS, end_ms, DAY_MS):
        for c in customers:
            abroad = _trip(c, day_start // DAY_MS, seed)
            events += [e for e in customer_day(c, day_start, rng, ids, abroad) if begin <= e.ts < end_ms]
    return [reference_record(c, begin) for c in customers] + sorted(events, key=lambda e: e.ts)


def background_live(customers: list[Customer], seed: int, start_ms: int, rate: float):
    """Endless payments and data usage with ts = start_ms + i/rate, after the customers' reference
    records (ts = start_ms): a few declines, exhausted plans and top-ups among them, more by day."""
    rng = random.Random(f"finance-live:{seed}:{start_ms}")
    ids = Ids(seed, f"finance-live:{start_ms}")
    yield from (reference_record(c, start_ms) for c in customers)
    reasons, weights = zip(*DECLINE_REASONS, strict=True)
    i = 0
    while True:
        ts = start_ms + int(i * 1000 / rate)
        i += 1
        c = rng.choice(customers)
        where = _trip(c, ts // DAY_MS, seed) or c.home_country
        hour = ts // HOUR_MS % 24
        if rng.random() < (0.6 if 8 <= hour < 23 else 0.2):  # payments follow the day; data use less so
            amount = max(1.0, rng.gauss(c.typical_spend, c.typical_spend / 3))
            if rng.random() < DECLINE_RATE:
                reason = rng.choices(reasons, weights)[0]
                yield payment(ids, c, ts, amount * 4, rng.choice(EVERYDAY), where, "declined", reason)
            else:
                yield payment(ids, c, ts, amount, rng.choice(EVERYDAY), where, channel=rng.choice(CHANNELS))
        else:
            roll = rng.random()
            kind = "plan_exhausted" if roll < 0.01 else "topup" if roll < 0.015 else "session"
            used = 0 if kind != "session" else rng.randint(1, max(2, c.daily_data_mb // 4))
            remaining = 0 if kind == "plan_exhausted" else rng.randint(0, 20_000)
            yield usage(ids, c, ts, where, used, remaining, kind)
