"""The provider's subscription statuses, translated into ours: every status, with and without a pending cancel."""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.payments.interface import ProviderStatus
from masthead.subscriptions.entitlements import SubscriptionFacts, entitlement
from masthead.subscriptions.handlers import status_from_provider
from masthead.subscriptions.states import Status

KEPT = None  # ours stays as it is

# (the provider's status, cancel_at_period_end) -> our Status
EXPECTED: dict[tuple[ProviderStatus, bool], Status | None] = {
    (ProviderStatus.INCOMPLETE, False): Status.INCOMPLETE,
    (ProviderStatus.INCOMPLETE, True): Status.INCOMPLETE,
    (ProviderStatus.INCOMPLETE_EXPIRED, False): Status.EXPIRED,
    (ProviderStatus.INCOMPLETE_EXPIRED, True): Status.EXPIRED,
    (ProviderStatus.TRIALING, False): Status.TRIALING,
    (ProviderStatus.TRIALING, True): Status.CANCELED,  # a trial that ends with the trial
    (ProviderStatus.ACTIVE, False): Status.ACTIVE,
    (ProviderStatus.ACTIVE, True): Status.CANCELED,  # ends at the period's end: our CANCELED
    (ProviderStatus.PAST_DUE, False): Status.PAST_DUE,
    (ProviderStatus.PAST_DUE, True): Status.PAST_DUE,
    (ProviderStatus.UNPAID, False): Status.PAST_DUE,
    (ProviderStatus.UNPAID, True): Status.PAST_DUE,
    (ProviderStatus.CANCELED, False): Status.EXPIRED,  # the provider's CANCELED is over: our EXPIRED
    (ProviderStatus.CANCELED, True): Status.EXPIRED,
    (ProviderStatus.PAUSED, False): KEPT,
    (ProviderStatus.PAUSED, True): KEPT,
}


def test_the_table_covers_every_provider_status_both_ways():
    assert set(EXPECTED) == {(status, pending) for status in ProviderStatus for pending in (False, True)}


@pytest.mark.parametrize(("provider_status", "cancel_at_period_end"), list(EXPECTED))
def test_each_provider_status_becomes_ours(provider_status, cancel_at_period_end):
    expected = EXPECTED[(provider_status, cancel_at_period_end)]
    assert status_from_provider(provider_status, cancel_at_period_end=cancel_at_period_end) == expected
    # Events carry the status as the provider spelled it, a plain string.
    assert status_from_provider(str(provider_status), cancel_at_period_end=cancel_at_period_end) == expected


@pytest.mark.parametrize("unknown", ["", "some_new_status", "CANCELED", "expired"])
def test_a_status_the_table_does_not_know_keeps_ours(unknown):
    assert status_from_provider(unknown, cancel_at_period_end=False) is KEPT
    assert status_from_provider(unknown, cancel_at_period_end=True) is KEPT


def test_canceled_means_opposite_things_on_either_side():
    """The provider's "canceled" has ended; ours still reads in full until the period ends."""
    period_end = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    before_the_end = period_end - dt.timedelta(days=10)
    grace = dt.timedelta(days=7)

    def reads_in_full(status: Status) -> bool:
        facts = SubscriptionFacts(status=status, current_period_end=period_end, ever_paid=True)
        return entitlement(facts, before_the_end, grace=grace).full_access

    theirs = status_from_provider(ProviderStatus.CANCELED, cancel_at_period_end=False)
    ours = status_from_provider(ProviderStatus.ACTIVE, cancel_at_period_end=True)
    assert theirs == Status.EXPIRED and not reads_in_full(theirs)
    assert ours == Status.CANCELED == ProviderStatus.CANCELED and reads_in_full(ours)
