"""Full access at the edges of periods, trials and grace."""

import datetime as dt

import pytest

from masthead.subscriptions.entitlements import Lapse, SubscriptionFacts, best_entitlement, entitlement
from masthead.subscriptions.states import Status

END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
GRACE = dt.timedelta(days=7)
TICK = dt.timedelta(microseconds=1)


def access(status, now, *, trial_end=None, ever_paid=True, period_end=END):
    facts = SubscriptionFacts(status=status, current_period_end=period_end, trial_end=trial_end, ever_paid=ever_paid)
    return entitlement(facts, now, grace=GRACE)


@pytest.mark.parametrize(
    ("status", "now", "expected"),
    [
        (Status.ACTIVE, END - TICK, True),
        (Status.ACTIVE, END + GRACE - TICK, True),  # a renewal not yet confirmed
        (Status.ACTIVE, END + GRACE, False),
        (Status.PAST_DUE, END + GRACE - TICK, True),
        (Status.PAST_DUE, END + GRACE, False),
        (Status.CANCELED, END - TICK, True),
        (Status.CANCELED, END, False),
        (Status.EXPIRED, END - dt.timedelta(days=10), False),
        (Status.INCOMPLETE, END - dt.timedelta(days=10), False),
    ],
)
def test_paid_periods(status, now, expected):
    assert access(status, now).full_access is expected


def test_a_trial_gives_access_until_its_last_moment():
    trial_end = END
    assert access(Status.TRIALING, trial_end - TICK, trial_end=trial_end, ever_paid=False).full_access
    assert not access(Status.TRIALING, trial_end, trial_end=trial_end, ever_paid=False).full_access


def test_a_canceled_trial_ends_with_the_trial():
    trial_end = END - dt.timedelta(days=3)
    assert access(Status.CANCELED, trial_end - TICK, trial_end=trial_end, ever_paid=False).full_access
    assert not access(Status.CANCELED, trial_end, trial_end=trial_end, ever_paid=False).full_access


def test_the_lapse_tells_a_trial_from_paid_access():
    later = END + dt.timedelta(days=30)
    assert access(Status.EXPIRED, later, trial_end=END, ever_paid=False).lapse == Lapse.TRIAL_EXPIRED
    assert access(Status.EXPIRED, later, trial_end=END, ever_paid=True).lapse == Lapse.ACCESS_EXPIRED
    assert access(Status.EXPIRED, later, ever_paid=False).lapse == Lapse.NONE


def test_any_current_subscription_wins_over_old_ones():
    now = END - dt.timedelta(days=1)
    old = SubscriptionFacts(Status.EXPIRED, END - dt.timedelta(days=60), ever_paid=True)
    new = SubscriptionFacts(Status.ACTIVE, END, ever_paid=True)
    assert best_entitlement([old, new], now, grace=GRACE).full_access
    assert best_entitlement([old], now, grace=GRACE).lapse == Lapse.ACCESS_EXPIRED
    assert not best_entitlement([], now, grace=GRACE).full_access
