"""Billing arithmetic on the payment contract's terms: period ends, the charge for each interval, the
price schedule those make, and the tax on a charge. Pure: no Django, no clock."""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from .interface import Discount, Interval, OfferTerms, PlanTerms


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day ``months`` later, clamped to the month's last day (Jan 31 + 1 month → Feb 28/29)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def next_period_end(start: dt.datetime, interval: Interval | str) -> dt.datetime:
    return add_months(start, 12 if interval == Interval.YEAR else 1)


def interval_price(
    *,
    base_minor: int,
    interval_number: int,
    intro_minor: int | None,
    intro_intervals: int,
    percent_off: int,
    percent_off_intervals: int,
) -> int:
    """The charge for the ``interval_number``-th paid interval (1-based) under an offer."""
    if intro_minor is not None and interval_number <= intro_intervals:
        return intro_minor
    if percent_off and (percent_off_intervals == 0 or interval_number <= percent_off_intervals):
        return base_minor * (100 - percent_off) // 100
    return base_minor


def charge_for_interval(
    base_minor: int, terms: OfferTerms | None, interval_number: int, discount: Discount | None = None
) -> int:
    """What the ``interval_number``-th paid interval costs on a plan priced ``base_minor``, under an offer.

    A ``discount`` given to a running subscription (a retention offer) takes its percentage off what each
    interval it covers would cost otherwise (the offer's price included), rounded down to the minor unit, as
    Stripe applies a second coupon after the first.
    """
    charge = (
        base_minor
        if terms is None
        else interval_price(
            base_minor=base_minor,
            interval_number=interval_number,
            intro_minor=terms.intro_amount_minor,
            intro_intervals=terms.intro_intervals,
            percent_off=terms.percent_off,
            percent_off_intervals=terms.percent_off_intervals,
        )
    )
    if discount is not None and discount.covers(interval_number):
        charge = charge * (100 - discount.percent_off) // 100
    return charge


@dataclass(frozen=True, slots=True)
class ScheduleStep:
    """One stretch of a price schedule: ``count`` intervals at ``amount_minor`` each, from ``starts``.

    A free trial is a step with ``interval`` None, ``amount_minor`` 0 and ``count`` in days.
    """

    amount_minor: int  # the charge for each interval of the step
    currency: str
    interval: Interval | None  # None: a free trial, counted in days
    count: int | None  # intervals (days, for a trial) at this amount; None: from ``starts`` on, for good
    starts: dt.datetime
    ends: dt.datetime | None  # when the step's last interval ends; None for the ongoing step


def offer_horizon(terms: OfferTerms | None) -> int:
    """How many paid intervals an offer changes the price for differently from the ones after it.

    From interval ``offer_horizon + 1`` on, every interval costs the same (the plan's price, or its
    price under a discount that lasts for good).
    """
    if terms is None:
        return 0
    intro = terms.intro_intervals if terms.intro_amount_minor is not None else 0
    percent = terms.percent_off_intervals if terms.percent_off else 0
    return max(intro, percent)


def price_schedule(
    plan: PlanTerms,
    offer: OfferTerms | None,
    *,
    start: dt.datetime,
    intervals_billed: int = 0,
    discount: Discount | None = None,
) -> list[ScheduleStep]:
    """What a subscription to ``plan`` under ``offer`` charges, and from when, as steps.

    ``start`` is when the subscription starts (``intervals_billed`` 0: a free trial, if the offer has one,
    comes first), or when the next paid interval begins on a subscription that has been billed
    ``intervals_billed`` intervals already (no trial then). The charges are ``charge_for_interval``'s and
    the periods ``next_period_end``'s, chained as the renewals chain them; a run of intervals with the same
    charge is one step, and the last step is ongoing. A ``discount`` counts as ``charge_for_interval`` counts it.
    """
    interval = Interval(plan.interval)
    steps: list[ScheduleStep] = []
    if intervals_billed == 0 and offer is not None and offer.trial_days > 0:
        trial_end = start + dt.timedelta(days=offer.trial_days)
        steps.append(ScheduleStep(0, plan.currency, None, offer.trial_days, start, trial_end))
        start = trial_end
    first = intervals_billed + 1
    # The first interval of the ongoing step, at the latest.
    last = max(offer_horizon(offer) + 1, discount.first_interval + discount.intervals if discount else 0, first)
    period_start = run_start = start
    run_amount, run_count = charge_for_interval(plan.amount_minor, offer, first, discount), 0
    for number in range(first, last + 1):
        amount = charge_for_interval(plan.amount_minor, offer, number, discount)
        if amount != run_amount:
            steps.append(ScheduleStep(run_amount, plan.currency, interval, run_count, run_start, period_start))
            run_amount, run_start, run_count = amount, period_start, 0
        run_count += 1
        if number < last:
            period_start = next_period_end(period_start, interval)
    steps.append(ScheduleStep(run_amount, plan.currency, interval, None, run_start, None))
    return steps


def yearly_saving(*, yearly: PlanTerms, monthly: PlanTerms) -> int:
    """What a year on ``yearly`` saves against twelve months of ``monthly``; 0 when it saves nothing.

    Plans in different currencies, or not a yearly and a monthly plan, save nothing.
    """
    if Interval(yearly.interval) != Interval.YEAR or Interval(monthly.interval) != Interval.MONTH:
        return 0
    if yearly.currency.lower() != monthly.currency.lower():
        return 0
    return max(0, 12 * monthly.amount_minor - yearly.amount_minor)


@dataclass(frozen=True, slots=True)
class PlanChange:
    credit_minor: int  # the unused part of the current period, valued at what was paid for it
    charge_minor: int  # charged now
    period_start: dt.datetime  # the new plan's first period starts at the change
    period_end: dt.datetime
    period_value_minor: int  # what that first period is worth: the price, or the credit when it is larger


def plan_change(
    *,
    paid_minor: int,
    period_start: dt.datetime,
    period_end: dt.datetime,
    now: dt.datetime,
    new_price_minor: int,
    new_interval: Interval | str,
) -> PlanChange:
    """The proration rule for a change of plan (the local provider's; Stripe's with billing_cycle_anchor=now).

    The change takes effect ``now``. The unused part of the current period is credited at what was paid for
    it, pro rata by time (rounded down to the minor unit); the new plan's price less that credit is charged
    now; the new plan's first period starts now. A credit larger than the new price (a move to a cheaper plan)
    is not lost: the rest lengthens that first period by what it buys at the new plan's rate.
    """
    total = _microseconds(period_end - period_start)
    unused = min(max(_microseconds(period_end - now), 0), total)
    credit = paid_minor * unused // total if total > 0 else 0
    charge = max(new_price_minor - credit, 0)
    end = next_period_end(now, new_interval)
    leftover = credit - (new_price_minor - charge)
    if leftover > 0 and new_price_minor > 0:
        end += (end - now) * leftover / new_price_minor
    return PlanChange(credit, charge, now, end, max(new_price_minor, credit))


def _microseconds(delta: dt.timedelta) -> int:
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


# -- tax ------------------------------------------------------------------------------------------------
_TAX_RATE = re.compile(r"(?:(?P<name>.*\S)\s+)?(?P<percent>\d{1,2}(?:\.\d{1,4})?)\s*%?", re.ASCII)
TAX_NAME_LENGTH = 40


@dataclass(frozen=True, slots=True)
class TaxRate:
    """One tax rate: ``percent`` of the price before tax, named as receipts print it ("VAT")."""

    name: str
    percent: Decimal

    @property
    def label(self) -> str:
        """``VAT 20%``; ``8.875%`` when it has no name."""
        return f"{self.name} {format(self.percent.normalize(), 'f')}%".strip()


def parse_tax_rate(text: str) -> TaxRate | None:
    """A rate written as ``20``, ``20%``, ``8.875`` or with a name, ``VAT 20%``; None for none ("" or 0).

    Raises ValueError, saying what is accepted, for anything else: a rate of 100% or more, more than four
    decimals, a name longer than TAX_NAME_LENGTH or with control characters.
    """
    text = text.strip()
    if not text:
        return None
    match = _TAX_RATE.fullmatch(text)
    name = (match.group("name") or "") if match else ""
    if match is None or len(name) > TAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(
            f"a percentage below 100 with at most four decimals, optionally after a name of up to "
            f"{TAX_NAME_LENGTH} characters (e.g. 20, 8.875% or VAT 20%), not {text!r}"
        )
    percent = Decimal(match.group("percent"))
    return TaxRate(name, percent) if percent else None


@dataclass(frozen=True, slots=True)
class TaxedAmount:
    """A charge split into its price before tax (``net_minor``), its tax, and what is paid (``total_minor``)."""

    net_minor: int
    tax_minor: int
    total_minor: int


def apply_tax(amount_minor: int, rate: TaxRate | None, *, inclusive: bool) -> TaxedAmount:
    """The charge for a price of ``amount_minor`` under ``rate``.

    ``inclusive``: the price includes the tax, which is split out of it (the reader pays the price).
    Otherwise the tax is added to the price. The tax is rounded to the currency's minor unit, half up, as
    Stripe rounds it; the net is what remains, so net + tax is always the total to the minor unit.
    """
    if rate is None or not rate.percent or amount_minor <= 0:
        return TaxedAmount(amount_minor, 0, amount_minor)
    percent = Fraction(rate.percent)
    if inclusive:
        tax = _round_half_up(amount_minor * percent / (100 + percent))
        return TaxedAmount(amount_minor - tax, tax, amount_minor)
    tax = _round_half_up(amount_minor * percent / 100)
    return TaxedAmount(amount_minor, tax, amount_minor + tax)


def _round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))
