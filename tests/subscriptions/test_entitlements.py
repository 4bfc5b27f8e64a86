"""Full access at the edges of periods, trials and grace, and when the clock ends a subscription."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.subscriptions.entitlements import (
    DUNNING_DAYS,
    Lapse,
    SubscriptionFacts,
    best_entitlement,
    dunning_steps_due,
    entitlement,
    expiry_event,
)
from masthead.subscriptions.states import Event, Status, can

END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
GRACE = dt.timedelta(days=7)
TICK = dt.timedelta(microseconds=1)
LONG_AGO = END - dt.timedelta(days=3650)
TRIAL_END = END - dt.timedelta(days=3)
NO_EVENT = None


def access(status, now, *, trial_end=None, ever_paid=True, period_end=END):
    facts = SubscriptionFacts(status=status, current_period_end=period_end, trial_end=trial_end, ever_paid=ever_paid)
    return entitlement(facts, now, grace=GRACE)


def paid(status, period_end=END):
    return SubscriptionFacts(status=status, current_period_end=period_end, ever_paid=True)


def trial(status, trial_end=END, period_end=END):
    return SubscriptionFacts(status=status, current_period_end=period_end, trial_end=trial_end, ever_paid=False)


PAID_AFTER_TRIAL = SubscriptionFacts(Status.CANCELED, current_period_end=END, trial_end=TRIAL_END, ever_paid=True)

# One table for both rules: (facts, now) -> (full access?, the event by which the clock ends it).
TABLE = [
    pytest.param(paid(Status.ACTIVE), END - TICK, True, NO_EVENT, id="active"),
    pytest.param(paid(Status.ACTIVE), END + GRACE - TICK, True, NO_EVENT, id="active, renewal not yet confirmed"),
    pytest.param(paid(Status.ACTIVE), END + GRACE, False, NO_EVENT, id="active, renewal never confirmed"),
    pytest.param(paid(Status.PAST_DUE), END + GRACE - TICK, True, NO_EVENT, id="past due, in grace"),
    pytest.param(paid(Status.PAST_DUE), END + GRACE, False, Event.GRACE_ENDED, id="past due, grace over"),
    pytest.param(paid(Status.CANCELED), END - TICK, True, NO_EVENT, id="canceled, period running"),
    pytest.param(paid(Status.CANCELED), END, False, Event.PERIOD_ENDED, id="canceled, period over"),
    pytest.param(paid(Status.EXPIRED), END - dt.timedelta(days=10), False, NO_EVENT, id="expired"),
    pytest.param(paid(Status.INCOMPLETE), END - dt.timedelta(days=10), False, NO_EVENT, id="incomplete"),
    pytest.param(paid(Status.INCOMPLETE), END + GRACE, False, NO_EVENT, id="incomplete, long after"),
    pytest.param(trial(Status.TRIALING), END - TICK, True, NO_EVENT, id="trial, last moment"),
    pytest.param(trial(Status.TRIALING), END, False, NO_EVENT, id="trial over, the provider's turn"),
    pytest.param(trial(Status.TRIALING), END + GRACE - TICK, False, NO_EVENT, id="trial over, provider silent"),
    pytest.param(trial(Status.TRIALING), END + GRACE, False, Event.PERIOD_ENDED, id="trial over a grace ago"),
    pytest.param(trial(Status.TRIALING, trial_end=None), END - TICK, True, NO_EVENT, id="trial on the period"),
    pytest.param(
        trial(Status.TRIALING, trial_end=None), END + GRACE, False, Event.PERIOD_ENDED, id="trial on period, over"
    ),
    pytest.param(trial(Status.CANCELED, TRIAL_END), TRIAL_END - TICK, True, NO_EVENT, id="canceled trial, running"),
    pytest.param(trial(Status.CANCELED, TRIAL_END), TRIAL_END, False, Event.PERIOD_ENDED, id="canceled trial, over"),
    pytest.param(PAID_AFTER_TRIAL, TRIAL_END, True, NO_EVENT, id="canceled after a paid trial, period running"),
    pytest.param(PAID_AFTER_TRIAL, END, False, Event.PERIOD_ENDED, id="canceled after a paid trial, period over"),
    pytest.param(paid(Status.PAST_DUE, period_end=None), END + GRACE, False, NO_EVENT, id="past due, no period"),
    pytest.param(paid(Status.CANCELED, period_end=None), END, False, NO_EVENT, id="canceled, no period"),
    pytest.param(trial(Status.TRIALING, None, None), END, False, NO_EVENT, id="trialing, no dates"),
]

# How long after full access ends the clock ends each status; the statuses missing here wait for the provider.
CLOCK_WAITS = {Status.PAST_DUE: dt.timedelta(0), Status.CANCELED: dt.timedelta(0), Status.TRIALING: GRACE}


@pytest.mark.parametrize(("facts", "now", "full_access", "event"), TABLE)
def test_entitlement(facts, now, full_access, event):
    assert entitlement(facts, now, grace=GRACE).full_access is full_access


@pytest.mark.parametrize(("facts", "now", "full_access", "event"), TABLE)
def test_expiry_event(facts, now, full_access, event):
    assert expiry_event(facts, now, grace=GRACE) == event
    if event is not None:
        assert can(facts.status, event)


def assert_the_clock_agrees_with_the_entitlement(facts: SubscriptionFacts, now: dt.datetime) -> None:
    """The clock ends a subscription exactly when its full access has ended (a trial: a grace period later)."""

    def full(at: dt.datetime) -> bool:
        return entitlement(facts, at, grace=GRACE).full_access

    fires = expiry_event(facts, now, grace=GRACE) is not None
    if fires:
        assert not full(now)  # the clock never ends a subscription that still reads in full
    if facts.status in CLOCK_WAITS:
        had_access_and_lost_it = full(LONG_AGO) and not full(now - CLOCK_WAITS[facts.status])
        assert fires == had_access_and_lost_it
    else:
        assert not fires


@pytest.mark.parametrize(("facts", "now", "full_access", "event"), TABLE)
def test_the_clock_ends_a_subscription_exactly_when_its_access_has_ended(facts, now, full_access, event):
    assert_the_clock_agrees_with_the_entitlement(facts, now)


DATES = [END - GRACE, TRIAL_END, END]
# Every edge a rule could draw (a date, plus a grace period or two, give or take a tick), and moments between.
EDGES = sorted(
    {date + wait + tick for date in DATES for wait in (0 * GRACE, GRACE, 2 * GRACE) for tick in (-TICK, 0 * TICK, TICK)}
)
MOMENTS = st.one_of(
    st.sampled_from(EDGES),
    st.timedeltas(min_value=-3 * GRACE, max_value=4 * GRACE).map(lambda offset: END + offset),
)


@given(
    status=st.sampled_from(Status),
    period_end=st.sampled_from([None, *DATES]),
    trial_end=st.sampled_from([None, *DATES]),
    ever_paid=st.booleans(),
    now=MOMENTS,
)
def test_the_clock_agrees_with_the_entitlement_for_any_facts(status, period_end, trial_end, ever_paid, now):
    assert_the_clock_agrees_with_the_entitlement(SubscriptionFacts(status, period_end, trial_end, ever_paid), now)


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


# -- dunning: the days of the grace period on which the reader is told ---------------------------------------
@pytest.mark.parametrize(
    ("after", "steps"),
    [
        (dt.timedelta(0), 1),  # day 0: the failure itself
        (dt.timedelta(days=3) - dt.timedelta(seconds=1), 1),
        (dt.timedelta(days=3), 2),
        (dt.timedelta(days=5, hours=23), 2),
        (dt.timedelta(days=6), 3),
        (dt.timedelta(days=30), 3),  # never more than the three steps
        (-dt.timedelta(seconds=1), 0),  # a clock behind the failure takes no step
    ],
)
def test_dunning_steps_come_on_days_0_3_and_6(after, steps):
    assert DUNNING_DAYS == (0, 3, 6)
    started = dt.datetime(2026, 12, 15, 12, 0, tzinfo=dt.UTC)
    assert dunning_steps_due(started, started + after) == steps
