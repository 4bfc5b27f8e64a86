"""The price schedule: billing's steps (pure), and the words every page and email shows for them."""

from __future__ import annotations

import datetime as dt
import itertools

from hypothesis import given
from hypothesis import strategies as st

from masthead.payments.billing import (
    ScheduleStep,
    charge_for_interval,
    next_period_end,
    price_schedule,
    yearly_saving,
)
from masthead.payments.interface import Interval, OfferTerms, PlanTerms

UTC = dt.UTC
MONTHLY = PlanTerms("monthly", "Monthly", 1200, "usd", Interval.MONTH)
ANNUAL = PlanTerms("annual", "Annual", 12000, "usd", Interval.YEAR)
START = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


def per_interval(steps: list[ScheduleStep], how_many: int) -> list[int]:
    """The charge of each of the next ``how_many`` paid intervals, read off the steps."""
    amounts: list[int] = []
    for step in steps:
        if step.interval is None:
            continue
        amounts += [step.amount_minor] * (step.count if step.count is not None else how_many)
    return amounts[:how_many]


# -- the steps (payments.billing, pure) -------------------------------------------------------------


def test_no_offer_is_one_ongoing_step():
    assert price_schedule(MONTHLY, None, start=START) == [ScheduleStep(1200, "usd", Interval.MONTH, None, START, None)]


def test_an_intro_price_then_the_plan_price():
    steps = price_schedule(MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=3), start=START)
    assert steps == [
        ScheduleStep(300, "usd", Interval.MONTH, 3, START, at(2027, 3, 1)),
        ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 3, 1), None),
    ]


def test_a_free_trial_comes_first_and_billing_starts_when_it_ends():
    steps = price_schedule(ANNUAL, OfferTerms("trial", trial_days=14), start=START)
    assert steps == [
        ScheduleStep(0, "usd", None, 14, START, at(2026, 12, 15)),
        ScheduleStep(12000, "usd", Interval.YEAR, None, at(2026, 12, 15), None),
    ]


def test_a_discount_for_good_is_one_ongoing_step_at_the_discounted_price():
    steps = price_schedule(MONTHLY, OfferTerms("forever", percent_off=25), start=START)
    assert steps == [ScheduleStep(900, "usd", Interval.MONTH, None, START, None)]


def test_an_intro_price_and_a_longer_discount_make_three_steps():
    terms = OfferTerms("both", intro_amount_minor=100, intro_intervals=2, percent_off=50, percent_off_intervals=5)
    steps = price_schedule(MONTHLY, terms, start=START)
    assert [(s.amount_minor, s.count, s.starts) for s in steps] == [
        (100, 2, START),
        (600, 3, at(2027, 2, 1)),
        (1200, None, at(2027, 5, 1)),
    ]


def test_months_chain_from_a_month_end_as_the_renewals_do():
    # Jan 31 + 1 month is Feb 28; the next renewal is a month after that (next_period_end, chained).
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=1), start=at(2027, 1, 31)
    )
    assert steps[1].starts == at(2027, 2, 28)
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=3), start=at(2027, 1, 31)
    )
    assert steps[1].starts == at(2027, 4, 28)
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=1), start=at(2028, 1, 31)
    )
    assert steps[1].starts == at(2028, 2, 29)


def test_a_subscription_already_billed_starts_its_schedule_at_the_next_interval_without_the_trial():
    terms = OfferTerms("intro", intro_amount_minor=300, intro_intervals=3, trial_days=7)
    steps = price_schedule(MONTHLY, terms, start=at(2027, 1, 1), intervals_billed=1)
    assert steps == [
        ScheduleStep(300, "usd", Interval.MONTH, 2, at(2027, 1, 1), at(2027, 3, 1)),
        ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 3, 1), None),
    ]
    past_the_offer = price_schedule(MONTHLY, terms, start=at(2027, 6, 1), intervals_billed=5)
    assert past_the_offer == [ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 6, 1), None)]


def test_a_yearly_plan_saves_against_twelve_months_of_the_monthly_one():
    assert yearly_saving(yearly=ANNUAL, monthly=MONTHLY) == 2400
    dearer = PlanTerms("annual", "Annual", 15000, "usd", Interval.YEAR)
    assert yearly_saving(yearly=dearer, monthly=MONTHLY) == 0
    in_euros = PlanTerms("monthly-eur", "Monthly", 1000, "eur", Interval.MONTH)
    assert yearly_saving(yearly=ANNUAL, monthly=in_euros) == 0
    assert yearly_saving(yearly=MONTHLY, monthly=MONTHLY) == 0


plans = st.builds(
    PlanTerms,
    st.just("plan"),
    st.just("Plan"),
    st.integers(min_value=0, max_value=500_000),
    st.sampled_from(["usd", "jpy", "eur"]),
    st.sampled_from(list(Interval)),
)
offers = st.none() | st.builds(
    OfferTerms,
    code=st.just("offer"),
    trial_days=st.integers(min_value=0, max_value=90),
    percent_off=st.integers(min_value=0, max_value=100),
    percent_off_intervals=st.integers(min_value=0, max_value=30),
    intro_amount_minor=st.none() | st.integers(min_value=0, max_value=500_000),
    intro_intervals=st.integers(min_value=0, max_value=30),
)
starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2040, 12, 31), timezones=st.just(UTC))


@given(plan=plans, offer=offers, start=starts, billed=st.integers(min_value=0, max_value=30))
def test_the_schedule_charges_what_billing_charges_for_every_interval(plan, offer, start, billed):
    steps = price_schedule(plan, offer, start=start, intervals_billed=billed)
    expected = [charge_for_interval(plan.amount_minor, offer, billed + n) for n in range(1, 25)]
    assert per_interval(steps, 24) == expected
    # The steps follow one another without a gap, on the renewals' dates; only the last is ongoing.
    paid = [step for step in steps if step.interval is not None]
    assert [step.count is None for step in paid] == [False] * (len(paid) - 1) + [True]
    assert all(step.count and step.count > 0 for step in steps[:-1])
    assert all(a.ends == b.starts for a, b in itertools.pairwise(steps))
    assert all(a.amount_minor != b.amount_minor for a, b in itertools.pairwise(paid))
    trial = offer is not None and offer.trial_days > 0 and billed == 0
    assert steps[0].starts == start
    assert paid[0].starts == (start + dt.timedelta(days=offer.trial_days) if trial else start)
    moment = paid[0].starts
    for step in paid[:-1]:
        for _ in range(step.count):
            moment = next_period_end(moment, plan.interval)
        assert step.ends == moment
