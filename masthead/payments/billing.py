"""Billing arithmetic on the payment contract's terms: period ends and the charge for each interval. Pure."""

from __future__ import annotations

import calendar
import datetime as dt

from .interface import Interval, OfferTerms


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


def charge_for_interval(base_minor: int, terms: OfferTerms | None, interval_number: int) -> int:
    """What the ``interval_number``-th paid interval costs on a plan priced ``base_minor``, under an offer."""
    if terms is None:
        return base_minor
    return interval_price(
        base_minor=base_minor,
        interval_number=interval_number,
        intro_minor=terms.intro_amount_minor,
        intro_intervals=terms.intro_intervals,
        percent_off=terms.percent_off,
        percent_off_intervals=terms.percent_off_intervals,
    )
