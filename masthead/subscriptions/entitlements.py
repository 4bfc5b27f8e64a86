"""Who may read everything, and when: a pure function of a subscription's facts and ``now``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .states import Status


class Lapse(StrEnum):
    NONE = "none"
    TRIAL_EXPIRED = "trial_expired"  # "Your trial period has expired"
    ACCESS_EXPIRED = "access_expired"  # "Your full access to … has expired"


@dataclass(frozen=True, slots=True)
class SubscriptionFacts:
    status: Status
    current_period_end: dt.datetime | None
    trial_end: dt.datetime | None = None
    ever_paid: bool = False


@dataclass(frozen=True, slots=True)
class Entitlement:
    full_access: bool
    until: dt.datetime | None = None
    lapse: Lapse = Lapse.NONE


def entitlement(facts: SubscriptionFacts, now: dt.datetime, *, grace: dt.timedelta) -> Entitlement:
    """Full access while trialing, active, past due within the grace period, or canceled before the period ends."""
    status = Status(facts.status)
    end = facts.current_period_end
    if status == Status.TRIALING:
        until = facts.trial_end or end
        if until is not None and now < until:
            return Entitlement(True, until)
    elif status == Status.ACTIVE:
        # A renewal that has not been confirmed yet gets the same grace as a failed one.
        if end is not None and now < end + grace:
            return Entitlement(True, end)
    elif status == Status.PAST_DUE:
        if end is not None and now < end + grace:
            return Entitlement(True, end + grace)
    elif status == Status.CANCELED:
        until = end if facts.ever_paid or facts.trial_end is None else facts.trial_end
        if until is not None and now < until:
            return Entitlement(True, until)
    if status == Status.INCOMPLETE:
        return Entitlement(False)
    if facts.ever_paid:
        return Entitlement(False, lapse=Lapse.ACCESS_EXPIRED)
    if facts.trial_end is not None:
        return Entitlement(False, lapse=Lapse.TRIAL_EXPIRED)
    return Entitlement(False)


def best_entitlement(all_facts: list[SubscriptionFacts], now: dt.datetime, *, grace: dt.timedelta) -> Entitlement:
    """Across a reader's subscriptions: any full access wins; else the most telling lapse."""
    results = [entitlement(facts, now, grace=grace) for facts in all_facts]
    for result in results:
        if result.full_access:
            return result
    for lapse in (Lapse.ACCESS_EXPIRED, Lapse.TRIAL_EXPIRED):
        if any(result.lapse == lapse for result in results):
            return Entitlement(False, lapse=lapse)
    return Entitlement(False)
