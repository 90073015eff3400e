"""Bank (the brief's third story): a family on holiday abroad, late in the evening, the father's
card declined at the car rental desk because of his card limit, retried twice. He repays reliably,
so the bank offers him a higher limit within seconds: one action for the three declines. Beside him:
a reliable-enough customer whose larger risk gets an instant loan instead; a customer declined at home
for insufficient funds (no offer); a suspected fraud (a fraud check, never an offer); and a customer
who opted out of offers (none); and the father's twin from a country whose quiet hours cover the late
evening (none).

Every customer's time zone is the one where it is late evening now, so the story plays at any hour.
"""

from __future__ import annotations

from ..finance import Customer, customer_history, late_evening_zone, payment
from ..ids import Ids
from .model import Scenario, action_for
from .scripting import HISTORY_GAP_MS, Timeline

HISTORY_DAYS = 180  # six monthly card repayments: the repayment record


def customers(seed: int, now_ms: int) -> dict[str, Customer]:
    tz = late_evening_zone(now_ms)
    p = f"bank-{seed}"
    return {
        "father": Customer(f"{p}-father", "DE", tz, 2000, "A", "plus", typical_spend=60, repays_on_time=1.0),
        "stretched": Customer(f"{p}-stretched", "DE", tz, 1000, "C", "basic", typical_spend=80, repays_on_time=0.8),
        "home": Customer(f"{p}-home", "PL", tz, 3000, "B", "plus", typical_spend=40),
        "fraud": Customer(f"{p}-fraud", "NL", tz, 3000, "A", "plus", typical_spend=90),
        "opted_out": Customer(f"{p}-optout", "DE", tz, 2000, "A", "plus", typical_spend=60, opted_out=True),
        # the father's twin but for his home country, whose quiet hours (seed nba_quiet_hours) cover 22:00
        "quiet": Customer(f"{p}-quiet", "SE", tz, 2000, "A", "plus", typical_spend=60, repays_on_time=1.0),
    }


def build(seed: int, now_ms: int, time_scale: float = 1.0) -> Scenario:
    who = customers(seed, now_ms)
    ids = Ids(seed, "bank:live")
    t = Timeline(now_ms, time_scale)
    father, stretched = who["father"], who["stretched"]
    # dinner in Italy goes through; then the rental car, declined three times within a minute
    t.add(payment(ids, father, t.at(2), 86.40, "restaurants", "IT"))
    rental = [
        t.add(payment(ids, father, t.at(10 + 20 * i), 1850, "car_rental", "IT", "declined", "limit_exceeded"))
        for i in range(3)
    ]
    hotel = t.add(payment(ids, stretched, t.at(14), 700, "hotels", "FR", "declined", "limit_exceeded"))
    groceries = t.add(payment(ids, who["home"], t.at(18), 85.20, "groceries", "PL", "declined", "insufficient_funds"))
    fraud = t.add(
        payment(ids, who["fraud"], t.at(22), 1299, "electronics", "ES", "declined", "fraud_suspected", "online")
    )
    opted = t.add(payment(ids, who["opted_out"], t.at(26), 1500, "car_rental", "IT", "declined", "limit_exceeded"))
    quiet = t.add(payment(ids, who["quiet"], t.at(30), 1850, "car_rental", "IT", "declined", "limit_exceeded"))
    t.timed.sort(key=lambda timed: timed.send_offset_ms)

    expectations = [
        action_for(
            rental[0],
            "declined abroad, late evening, limit exceeded, reliable repayer: a higher card limit",
            equals={"situation": "declined_abroad", "action": "raise_card_limit", "offer_id": "raise_limit"},
            at_least={"new_limit": 1850 + father.card_limit},
            at_most={"score": 0.25},
        ),
        action_for(
            hotel,
            "declined abroad, limit exceeded, a riskier repayment record: an instant loan instead",
            equals={"situation": "declined_abroad", "action": "offer_instant_loan", "offer_id": "instant_loan"},
            at_least={"loan_amount": 700, "score": 0.25},
            at_most={"score": 0.6},
        ),
        action_for(
            groceries,
            "declined at home for insufficient funds: no offer",
            equals={"situation": "declined_at_home", "action": "none", "offer_id": None},
        ),
        action_for(
            fraud,
            "fraud suspected: a fraud check, never an offer",
            equals={"action": "fraud_check", "offer_id": None},
        ),
        action_for(
            opted,
            "opted out of offers: none",
            equals={"situation": "declined_abroad", "action": "none", "offer_id": None},
        ),
        action_for(
            quiet,
            "the father's decline, but his home country's quiet hours (SE, from 21:00) hold: none",
            equals={"situation": "declined_abroad", "action": "none", "offer_id": None},
            mentions={"reason": "quiet hours in SE (21:00 to 8:00 local)"},
        ),
    ]
    return Scenario(
        "bank",
        f"{father.user_id} declined 3 times at a car rental in Italy late in the evening (limit 2000, A band, "
        f"repays on time); {stretched.user_id} declined at a hotel in France (C band, a late repayment); "
        f"{who['home'].user_id} declined at home for insufficient funds; {who['fraud'].user_id} a suspected "
        f"fraud in Spain; {who['opted_out'].user_id} opted out of offers; {who['quiet'].user_id} declined like the "
        f"father, in the quiet hours of his home country. {HISTORY_DAYS} days of history each",
        customer_history(list(who.values()), seed, now_ms - HISTORY_GAP_MS, HISTORY_DAYS),
        t.timed,
        expectations,
    )
