"""The repayment-risk score: how likely a customer is not to repay a larger limit or an instant loan.

A deliberately small logistic model of the kind a bank's data scientists write and own in Python:
it is plain Python (no Flink import) so it is unit-tested on its own; flink.py wraps it as a PyFlink
scalar UDF. 0 is no risk, 1 is certain default; a customer we know nothing about scores 1.
"""

from __future__ import annotations

import math
from decimal import Decimal

# Log-odds of default by credit score band before the payment's own signals (A best, E worst).
BAND_BASE = {"A": -3.5, "B": -2.6, "C": -1.6, "D": -0.6, "E": 0.5}
# How much each signal moves the log-odds.
LATE_WEIGHT = 4.0  # a fully late repayment record against a spotless one
SPEND_WEIGHT = 0.35  # per doubling of the amount over the customer's typical spend
OVER_LIMIT_WEIGHT = 0.8  # per card limit the amount exceeds the limit by


Number = float | int | Decimal


def repayment_risk(
    amount: Number | None,
    card_limit: Number | None,
    typical_spend: Number | None,
    on_time_ratio: Number | None,
    credit_band: str | None,
) -> float:
    """Risk in [0, 1], rounded to 4 decimals: the larger the amount against the customer's typical
    spend and limit, the worse their repayment record (share of repayments on time) and credit band,
    the higher. Missing or unusable inputs (no profile yet, unknown band) give 1.0: no offer on a guess."""
    if None in (amount, card_limit, typical_spend, on_time_ratio) or credit_band not in BAND_BASE:
        return 1.0
    amount, card_limit, typical_spend, on_time = (float(x) for x in (amount, card_limit, typical_spend, on_time_ratio))
    if amount <= 0 or card_limit <= 0 or not 0.0 <= on_time <= 1.0:
        return 1.0
    spend_ratio = amount / max(typical_spend, 1.0)
    log_odds = (
        BAND_BASE[credit_band]
        + LATE_WEIGHT * (1.0 - on_time)
        + SPEND_WEIGHT * max(0.0, math.log2(spend_ratio))
        + OVER_LIMIT_WEIGHT * max(0.0, amount / card_limit - 1.0)
    )
    return round(1.0 / (1.0 + math.exp(-log_odds)), 4)
