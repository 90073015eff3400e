"""The repayment-risk score, unit-tested as plain Python (the PyFlink wrapper adds only typing)."""

from decimal import Decimal

import pytest
from ctxflow_pyudf.risk import repayment_risk

GOOD = dict(amount=Decimal("900.00"), card_limit=Decimal("800.00"), typical_spend=Decimal("600.00"), on_time_ratio=1.0)


def test_good_customer_slightly_over_limit_is_low_risk():
    assert repayment_risk(**GOOD, credit_band="A") < 0.1


@pytest.mark.parametrize("band", ["A", "B", "C", "D", "E"])
def test_score_is_within_unit_interval(band):
    for amount in (1, 100, 10_000, 1_000_000):
        for on_time in (0.0, 0.5, 1.0):
            score = repayment_risk(amount, 500, 300, on_time, band)
            assert 0.0 <= score <= 1.0


def test_worse_band_means_higher_risk():
    scores = [repayment_risk(**GOOD, credit_band=b) for b in "ABCDE"]
    assert scores == sorted(scores) and len(set(scores)) == 5


def test_late_repayments_raise_risk():
    assert repayment_risk(**{**GOOD, "on_time_ratio": 0.5}, credit_band="B") > repayment_risk(**GOOD, credit_band="B")


def test_amount_far_above_typical_spend_raises_risk():
    big = {**GOOD, "amount": Decimal("9000.00")}
    assert repayment_risk(**big, credit_band="B") > repayment_risk(**GOOD, credit_band="B")


def test_amount_within_typical_spend_and_limit_adds_nothing():
    # below the typical spend and the limit, only the band and the record count
    assert repayment_risk(100, 800, 600, 1.0, "C") == repayment_risk(200, 800, 600, 1.0, "C")


@pytest.mark.parametrize(
    "args",
    [
        (None, 800, 600, 1.0, "A"),
        (900, None, 600, 1.0, "A"),
        (900, 800, None, 1.0, "A"),
        (900, 800, 600, None, "A"),
        (900, 800, 600, 1.0, None),
        (900, 800, 600, 1.0, "Z"),
        (0, 800, 600, 1.0, "A"),
        (900, 0, 600, 1.0, "A"),
        (900, 800, 600, 1.5, "A"),
    ],
)
def test_unknown_or_unusable_inputs_score_as_certain_risk(args):
    assert repayment_risk(*args) == 1.0


def test_decimal_and_float_inputs_agree():
    assert repayment_risk(Decimal("950.50"), Decimal("800"), Decimal("610.25"), Decimal("0.9"), "B") == repayment_risk(
        950.5, 800.0, 610.25, 0.9, "B"
    )
