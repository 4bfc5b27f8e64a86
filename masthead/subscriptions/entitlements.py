"""Who may read everything, and when the clock ends a subscription: pure functions of its facts and ``now``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from .states import Event, Status


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


@dataclass(frozen=True, slots=True)
class _FullAccess:
    ends: dt.datetime  # the first moment without full access
    shown_until: dt.datetime  # the date the reader is told


def _full_access(facts: SubscriptionFacts, *, grace: dt.timedelta) -> _FullAccess | None:
    """When full access ends for a trialing, active, past due or canceled subscription; None for the others."""
    status = Status(facts.status)
    end = facts.current_period_end
    if status == Status.TRIALING:
        until = facts.trial_end or end
        return None if until is None else _FullAccess(until, until)
    if status == Status.ACTIVE:
        # A renewal that has not been confirmed yet gets the same grace as a failed one.
        return None if end is None else _FullAccess(end + grace, end)
    if status == Status.PAST_DUE:
        return None if end is None else _FullAccess(end + grace, end + grace)
    if status == Status.CANCELED:
        until = end if facts.ever_paid or facts.trial_end is None else facts.trial_end
        return None if until is None else _FullAccess(until, until)
    return None


def entitlement(facts: SubscriptionFacts, now: dt.datetime, *, grace: dt.timedelta) -> Entitlement:
    """Full access while trialing, active, past due within the grace period, or canceled before the period ends."""
    access = _full_access(facts, grace=grace)
    if access is not None and now < access.ends:
        return Entitlement(True, access.shown_until)
    if Status(facts.status) == Status.INCOMPLETE:
        return Entitlement(False)
    if facts.ever_paid:
        return Entitlement(False, lapse=Lapse.ACCESS_EXPIRED)
    if facts.trial_end is not None:
        return Entitlement(False, lapse=Lapse.TRIAL_EXPIRED)
    return Entitlement(False)


# The statuses the clock ends, and the event that ends each. Active and incomplete subscriptions are the
# provider's to end: a renewal or a first payment is reported by the provider, paid or failed.
EXPIRY_EVENTS: dict[Status, Event] = {
    Status.TRIALING: Event.PERIOD_ENDED,
    Status.PAST_DUE: Event.GRACE_ENDED,
    Status.CANCELED: Event.PERIOD_ENDED,
}


def expiry_event(facts: SubscriptionFacts, now: dt.datetime, *, grace: dt.timedelta) -> Event | None:
    """The event by which the clock ends this subscription at ``now``, or None while it must not.

    A past due or canceled subscription ends the moment its full access ends (``entitlement``). A trial ends
    one grace period later: when it runs out the provider charges or ends it, and the clock steps in only if
    the provider has said nothing by then (the reader has lost full access at the trial's end all the same).
    A subscription without a date to end at is left to the provider.
    """
    status = Status(facts.status)
    access = _full_access(facts, grace=grace)
    if status not in EXPIRY_EVENTS or access is None:
        return None
    wait = grace if status == Status.TRIALING else dt.timedelta(0)
    return EXPIRY_EVENTS[status] if now >= access.ends + wait else None


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


# Dunning: the days of the grace period, counted from the failed renewal, on which the reader is told (and the
# local provider retries the card; day 0 is the failure itself). Then the grace period ends access as usual.
DUNNING_DAYS: tuple[int, ...] = (0, 3, 6)


def dunning_steps_due(started_at: dt.datetime, now: dt.datetime) -> int:
    """How many of the DUNNING_DAYS have come by ``now`` for a dunning that started at ``started_at``."""
    return sum(1 for day in DUNNING_DAYS if now >= started_at + dt.timedelta(days=day))
