"""A price schedule in words, in the active language: the one writer every page and email uses.

``payments.billing.price_schedule`` does the arithmetic (which charge, from when); this module only words
it: "$3 a month for 3 months, then $12 a month from March 1, 2027", "Free for 14 days, then $12 a month
from December 15", "$120 a year — save $24 against monthly". Dates are in the site's time zone and the
active language's formats, without the year when it is the year of ``today``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import npgettext, pgettext

from masthead.payments.billing import ScheduleStep, price_schedule, yearly_saving
from masthead.payments.interface import Discount, Interval, PlanTerms

from .models import Offer, Plan, Subscription
from .money import format_money
from .selectors import paid_intervals, subscription_discount
from .services import offer_terms, plan_terms
from .states import Status


def schedule_for(
    plan: Plan, offer: Offer | None, *, start: dt.datetime, intervals_billed: int = 0
) -> list[ScheduleStep]:
    """The steps of ``plan`` under ``offer`` (see ``payments.billing.price_schedule``)."""
    terms = offer_terms(offer) if offer is not None else None
    return price_schedule(plan_terms(plan), terms, start=start, intervals_billed=intervals_billed)


def describe_plan(plan: Plan, offer: Offer | None = None, *, now: dt.datetime, monthly_plan: Plan | None = None) -> str:
    """What subscribing to ``plan`` (under ``offer``) at ``now`` costs, in words.

    With ``monthly_plan``, a yearly plan's words add what it saves against twelve months of it.
    """
    steps = schedule_for(plan, offer, start=now)
    monthly = plan_terms(monthly_plan) if monthly_plan is not None else None
    return describe(steps, today=timezone.localdate(now), monthly=monthly)


def subscription_schedule(subscription: Subscription) -> list[ScheduleStep]:
    """What a running subscription charges from its next charge on; [] when it will charge nothing more.

    A trial's schedule starts when the trial ends; a paid subscription's at the end of its current period,
    counting the intervals paid so far against its offer and any discount it was given (a retention offer).
    A canceled, unpaid or ended one has none.
    """
    if subscription.status not in (Status.TRIALING, Status.ACTIVE) or subscription.cancel_at_period_end:
        return []
    terms = offer_terms(subscription.offer) if subscription.offer else None
    if subscription.status == Status.TRIALING:
        start, billed = subscription.trial_end, 0
        terms = dataclasses.replace(terms, trial_days=0) if terms else None
    else:
        start = subscription.current_period_end
        billed = paid_intervals(subscription)
    if start is None:
        return []
    return price_schedule(
        plan_terms(subscription.plan),
        terms,
        start=start,
        intervals_billed=billed,
        discount=subscription_discount(subscription),
    )


def describe_subscription(subscription: Subscription, *, now: dt.datetime) -> str:
    """``subscription_schedule`` in words, read at ``now``: "$3 a month for 2 months from Jan. 1, 2027, then ..."."""
    return describe(subscription_schedule(subscription), today=timezone.localdate(now))


def describe(steps: Sequence[ScheduleStep], *, today: dt.date, monthly: PlanTerms | None = None) -> str:
    """The schedule in words. The first step is dated only when it starts after ``today``.

    With ``monthly`` (the monthly plan to compare with), an ongoing yearly step that costs less than twelve
    months of it says how much less.
    """
    if not steps:
        return ""
    parts = [
        _step_words(step, today=today, dated=index > 0 or _date(step.starts) > today)
        for index, step in enumerate(steps)
    ]
    text = pgettext("price schedule: between two steps", ", then ").join(parts)
    last = steps[-1]
    if monthly is not None and last.interval == Interval.YEAR and last.count is None:
        yearly = PlanTerms("", "", last.amount_minor, last.currency, Interval.YEAR)
        saving = yearly_saving(yearly=yearly, monthly=monthly)
        if saving:
            text = pgettext("price schedule", "%(schedule)s — save %(saving)s against monthly") % {
                "schedule": text,
                "saving": format_money(saving, last.currency),
            }
    return capfirst(text)


def schedule_date(moment: dt.datetime | dt.date, *, today: dt.date) -> str:
    """``moment``'s date in the active language, without the year when it is ``today``'s year."""
    day = _date(moment)
    if day.year == today.year:
        return dateformat.format(day, pgettext("date format in a price schedule, this year", "F j"))
    return dateformat.format(day, pgettext("date format in a price schedule, another year", "F j, Y"))


def _date(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _step_words(step: ScheduleStep, *, today: dt.date, dated: bool) -> str:
    words = _ongoing_words(step) if step.count is None else _counted_words(step)
    if not dated:
        return words
    values = {"step": words, "date": schedule_date(step.starts, today=today)}
    if step.count is None:
        return pgettext("price schedule: a step that lasts from a date on", "%(step)s from %(date)s") % values
    return pgettext("price schedule: a step of some intervals from a date", "%(step)s from %(date)s") % values


def _ongoing_words(step: ScheduleStep) -> str:
    amount = format_money(step.amount_minor, step.currency)
    if step.amount_minor == 0:
        return pgettext("price schedule: no charge, for good", "free")
    if step.interval == Interval.YEAR:
        return pgettext("price schedule", "%(amount)s a year") % {"amount": amount}
    return pgettext("price schedule", "%(amount)s a month") % {"amount": amount}


def _counted_words(step: ScheduleStep) -> str:
    count = step.count or 0
    amount = format_money(step.amount_minor, step.currency)
    values = {"count": count, "amount": amount, "price": _ongoing_words(step)}
    if step.interval is None:
        return npgettext("price schedule", "free for one day", "free for %(count)s days", count) % values
    if step.amount_minor == 0:
        if step.interval == Interval.YEAR:
            return npgettext("price schedule", "free for one year", "free for %(count)s years", count) % values
        return npgettext("price schedule", "free for one month", "free for %(count)s months", count) % values
    if step.interval == Interval.YEAR:
        return npgettext("price schedule", "%(amount)s for one year", "%(price)s for %(count)s years", count) % values
    return npgettext("price schedule", "%(amount)s for one month", "%(price)s for %(count)s months", count) % values


def describe_with_discount(subscription: Subscription, *, percent_off: int, intervals: int, now: dt.datetime) -> str:
    """What the subscription would charge if it took ``percent_off`` off its next ``intervals`` charges, in words:
    what a retention offer means for this reader ("$6 a month for 3 months, then $12 a month from March 15")."""
    if subscription.current_period_end is None:
        return ""
    billed = paid_intervals(subscription)
    steps = price_schedule(
        plan_terms(subscription.plan),
        offer_terms(subscription.offer) if subscription.offer else None,
        start=subscription.current_period_end,
        intervals_billed=billed,
        discount=Discount(percent_off, billed + 1, intervals),
    )
    return describe(steps, today=timezone.localdate(now))
