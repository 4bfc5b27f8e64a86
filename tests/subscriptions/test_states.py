"""The transition table, checked for every pair of state and event."""

import itertools

import pytest

from masthead.subscriptions.states import Event, InvalidTransition, Status, can, provider_may_move, transition

S, E = Status, Event
ALLOWED = {
    (S.INCOMPLETE, E.TRIAL_STARTED): S.TRIALING,
    (S.INCOMPLETE, E.PAYMENT_SUCCEEDED): S.ACTIVE,
    (S.INCOMPLETE, E.PAYMENT_FAILED): S.INCOMPLETE,
    (S.INCOMPLETE, E.CHECKOUT_FAILED): S.EXPIRED,
    (S.TRIALING, E.PAYMENT_SUCCEEDED): S.ACTIVE,
    (S.TRIALING, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.TRIALING, E.CANCEL): S.CANCELED,
    (S.TRIALING, E.PERIOD_ENDED): S.EXPIRED,
    (S.ACTIVE, E.PAYMENT_SUCCEEDED): S.ACTIVE,
    (S.ACTIVE, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.ACTIVE, E.CANCEL): S.CANCELED,
    (S.PAST_DUE, E.PAYMENT_SUCCEEDED): S.ACTIVE,
    (S.PAST_DUE, E.PAYMENT_FAILED): S.PAST_DUE,
    (S.PAST_DUE, E.GRACE_ENDED): S.EXPIRED,
    (S.PAST_DUE, E.CANCEL): S.EXPIRED,
    (S.CANCELED, E.RESUME): S.ACTIVE,
    (S.CANCELED, E.RESUME_TRIAL): S.TRIALING,
    (S.CANCELED, E.PERIOD_ENDED): S.EXPIRED,
}


@pytest.mark.parametrize(("status", "event"), list(itertools.product(Status, Event)))
def test_every_state_and_event(status, event):
    if (status, event) in ALLOWED:
        assert transition(status, event) == ALLOWED[(status, event)]
        assert can(status, event)
    else:
        with pytest.raises(InvalidTransition, match=f"{status} subscription cannot take the event {event}"):
            transition(status, event)
        assert not can(status, event)


def test_expired_is_final():
    assert not any(can(Status.EXPIRED, event) for event in Event)


def test_the_lifecycle_reads_as_the_product_describes_it():
    status = Status.INCOMPLETE
    for event in (
        E.TRIAL_STARTED,
        E.PAYMENT_SUCCEEDED,
        E.PAYMENT_FAILED,
        E.PAYMENT_SUCCEEDED,
        E.CANCEL,
        E.RESUME,
        E.CANCEL,
        E.PERIOD_ENDED,
    ):
        status = transition(status, event)
    assert status == Status.EXPIRED


@pytest.mark.parametrize("target", list(Status))
def test_a_provider_may_move_a_paid_subscription_anywhere_but_back_to_incomplete(target):
    assert provider_may_move(target, ever_paid=False)  # positive control: unpaid, every status is open
    assert provider_may_move(target, ever_paid=True) == (target != Status.INCOMPLETE)
