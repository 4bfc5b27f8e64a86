"""The local provider's proration rule, as a table (payments.billing.plan_change is pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.payments.billing import add_months, plan_change
from masthead.payments.interface import Interval

START = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
MONTH_END = dt.datetime(2027, 1, 31, tzinfo=dt.UTC)  # a 30-day period


@pytest.mark.parametrize(
    ("paid", "days_used", "price", "credit", "charge"),
    [
        (300, 10, 12000, 200, 11800),  # an introductory $3 month, two thirds unused, then Annual
        (1200, 0, 12000, 1200, 10800),  # changed at once: all of it is credited
        (1200, 30, 12000, 0, 12000),  # at the period's very end: nothing left to credit
        (1200, 15, 1200, 600, 600),  # to another plan at the same price
        (0, 5, 12000, 0, 12000),  # a trial: nothing was paid, nothing is credited
        (1000, 10, 900, 666, 234),  # credits round down to the minor unit
    ],
)
def test_the_unused_part_is_credited_and_the_difference_charged_now(paid, days_used, price, credit, charge):
    now = START + dt.timedelta(days=days_used)
    change = plan_change(
        paid_minor=paid,
        period_start=START,
        period_end=MONTH_END,
        now=now,
        new_price_minor=price,
        new_interval=Interval.YEAR,
    )
    assert (change.credit_minor, change.charge_minor) == (credit, charge)
    assert change.period_start == now and change.period_end == add_months(now, 12)


def test_a_credit_larger_than_the_new_price_lengthens_the_new_period():
    year_end = add_months(START, 12)
    change = plan_change(
        paid_minor=12000,
        period_start=START,
        period_end=year_end,
        now=year_end - dt.timedelta(days=292),
        new_price_minor=1200,
        new_interval=Interval.MONTH,
    )
    now = year_end - dt.timedelta(days=292)
    assert change.credit_minor == 12000 * 292 // 365 == 9600
    assert change.charge_minor == 0
    month_end = add_months(now, 1)
    assert change.period_end == month_end + (month_end - now) * 7  # $84 left buys seven months at $12
    assert change.period_value_minor == 9600


def test_a_period_of_no_length_credits_nothing():
    change = plan_change(
        paid_minor=1200,
        period_start=START,
        period_end=START,
        now=START,
        new_price_minor=1200,
        new_interval=Interval.MONTH,
    )
    assert (change.credit_minor, change.charge_minor) == (0, 1200)
