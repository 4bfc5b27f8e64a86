"""The local provider's proration rule, as a table (payments.billing.plan_change is pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.payments.billing import add_months, charge_for_interval, plan_change, price_schedule
from masthead.payments.interface import Discount, Interval, OfferTerms, PlanTerms

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


# -- a discount given to a running subscription (a retention offer) ------------------------------------------

_MONTHLY = PlanTerms("monthly", "Monthly", 1200, "usd", Interval.MONTH)


def test_a_discount_takes_its_percentage_off_exactly_its_intervals():
    discount = Discount(percent_off=50, first_interval=3, intervals=3)
    charges = [charge_for_interval(1200, None, number, discount) for number in range(1, 9)]
    assert charges == [1200, 1200, 600, 600, 600, 1200, 1200, 1200]


def test_a_discount_comes_on_top_of_the_offers_price_for_its_intervals_only():
    intro = OfferTerms("intro", intro_amount_minor=300, intro_intervals=2)
    discount = Discount(percent_off=25, first_interval=2, intervals=2)
    charges = [charge_for_interval(1200, intro, number, discount) for number in range(1, 5)]
    assert charges == [300, 225, 900, 1200]
    assert charge_for_interval(999, None, 1, Discount(33, 1, 1)) == 669  # rounded down to the cent


def test_the_schedule_shows_a_discount_as_its_own_step():
    start = dt.datetime(2026, 12, 15, tzinfo=dt.UTC)
    steps = price_schedule(_MONTHLY, None, start=start, intervals_billed=1, discount=Discount(50, 2, 3))
    assert [(s.amount_minor, s.count, s.starts.date()) for s in steps] == [
        (600, 3, dt.date(2026, 12, 15)),
        (1200, None, dt.date(2027, 3, 15)),
    ]
