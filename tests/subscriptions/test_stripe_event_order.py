"""Stripe events late, out of order or from the same second: a paid subscription never goes back to incomplete.

Rules: provider state older than what was applied is ignored; within the same second the later lifecycle
stage wins; a payment failure for an invoice older than the last paid one changes nothing; a paid retry of
a failed invoice brings the subscription back.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from masthead.subscriptions.models import Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.payments.test_webhooks import event, invoice, post, subscription_object

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit

DAY = 86400
PAYMENT_FAILED = "Your payment failed"


@pytest.fixture
def now(clock) -> int:
    return int(clock.now.timestamp())


@pytest.fixture
def deliver(client, stripe_settings, stripe_checkout):
    """Deliver one Stripe event through the webhook endpoint; returns the outcome (or "duplicate")."""
    reference = str(stripe_checkout.reference)

    def send(kind: str, event_id: str, created: int, **fields) -> str:
        if kind.startswith("invoice."):
            body = invoice(event_id, kind, fields["invoice_id"], 1200, created, fields["period_end"])
        else:
            body = event(event_id, kind, subscription_object(reference, **fields), created)
        response = post(client, body)
        assert response.status_code == 200, response.content
        return "duplicate" if response.json().get("duplicate") else response.json()["outcome"]

    return send


def subscription() -> Subscription:
    return Subscription.objects.get()


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


@pytest.fixture
def paid(deliver, now) -> Subscription:
    """Created incomplete, its first invoice paid, then updated to active: all within the same second."""
    period_end = now + 30 * DAY
    assert deliver("customer.subscription.created", "evt_created", now, status="incomplete", period_end=period_end)
    assert subscription().status == "incomplete"
    deliver("invoice.paid", "evt_paid_1", now, invoice_id="in_1", period_end=period_end)
    deliver("customer.subscription.updated", "evt_active", now, status="active", period_end=period_end)
    paid = subscription()
    assert paid.status == "active" and paid.ever_paid
    return paid


def test_a_same_second_incomplete_created_event_delivered_last_does_not_demote_a_paid_subscription(deliver, now):
    period_end = now + 30 * DAY
    deliver("invoice.paid", "evt_paid_1", now, invoice_id="in_1", period_end=period_end)
    deliver("customer.subscription.updated", "evt_active", now, status="active", period_end=period_end)
    assert subscription().status == "active"  # positive control: the subscription is paid and active

    outcome = deliver("customer.subscription.created", "evt_created", now, status="incomplete", period_end=period_end)
    assert outcome == "ignored"
    assert subscription().status == "active"
    assert "incomplete" not in subscription().history.values_list("to_status", flat=True)


def test_a_paid_subscription_never_goes_back_to_incomplete_even_on_a_newer_event(paid, deliver, now):
    outcome = deliver(
        "customer.subscription.updated", "evt_later", now + 60, status="incomplete", period_end=now + 30 * DAY
    )
    assert outcome == "ignored"
    assert subscription().status == "active"


def test_within_the_same_second_the_later_lifecycle_stage_wins(deliver, now):
    trial_end = now + 14 * DAY
    deliver(
        "customer.subscription.updated", "evt_trial", now, status="trialing", period_end=trial_end, trial_end=trial_end
    )
    assert subscription().status == "trialing"  # positive control: an unpaid trial, so only the order can decide
    assert (
        deliver("customer.subscription.created", "evt_created", now, status="incomplete", period_end=trial_end)
        == "ignored"
    )
    assert subscription().status == "trialing"

    deliver(
        "customer.subscription.updated", "evt_cancel", now + 1, status="trialing", period_end=trial_end, cancel=True
    )
    deliver("customer.subscription.updated", "evt_keep", now + 1, status="trialing", period_end=trial_end)
    assert subscription().status == "canceled"  # the request to cancel is the later stage


def test_a_later_second_still_wins_over_a_later_stage(paid, deliver, now):
    """The control for the tie rule: across seconds, time decides (a resume after a cancel)."""
    period_end = now + 30 * DAY
    deliver("customer.subscription.updated", "evt_cancel", now + 5, status="active", period_end=period_end, cancel=True)
    assert subscription().status == "canceled"
    deliver("customer.subscription.updated", "evt_resume", now + 6, status="active", period_end=period_end)
    assert subscription().status == "active"


@pytest.mark.parametrize("late_by", [0, 1], ids=["same-second", "one-second-later"])
def test_a_late_payment_failure_for_an_older_invoice_changes_nothing_and_sends_no_email(paid, deliver, now, late_by):
    first_end, second_end = now + 30 * DAY, now + 60 * DAY
    second_paid_at = now + 30 * DAY + 10
    deliver("invoice.paid", "evt_paid_2", second_paid_at, invoice_id="in_2", period_end=second_end)
    mail.outbox.clear()

    # A failed attempt on an older invoice (another one for the first period), delivered after in_2 was paid.
    late = deliver(
        "invoice.payment_failed", "evt_failed_old", second_paid_at - late_by, invoice_id="in_old", period_end=first_end
    )
    assert late == "ignored"
    assert subscription().status == "active"
    assert PAYMENT_FAILED not in subjects()
    assert not Payment.objects.filter(provider_invoice_id="in_old").exists()

    # Positive control: a failure for the newest invoice still moves it to past due and says so.
    deliver("invoice.payment_failed", "evt_failed_3", now + 60 * DAY + 10, invoice_id="in_3", period_end=now + 90 * DAY)
    assert subscription().status == "past_due"
    assert PAYMENT_FAILED in subjects()


def test_a_paid_retry_of_a_failed_invoice_is_recorded_paid_and_brings_the_subscription_back(
    paid, deliver, now, clock, settings
):
    settings.MASTHEAD_GRACE_DAYS = 7
    second_end = now + 60 * DAY
    deliver("invoice.payment_failed", "evt_failed_2", now + 30 * DAY, invoice_id="in_2", period_end=second_end)
    assert subscription().status == "past_due"  # positive control: the renewal failed
    assert Payment.objects.get(provider_invoice_id="in_2").outcome == "failed"
    assert PAYMENT_FAILED in subjects()

    retry = deliver("invoice.paid", "evt_paid_2", now + 33 * DAY, invoice_id="in_2", period_end=second_end)
    assert retry == "processed"
    assert Payment.objects.get(provider_invoice_id="in_2").outcome == "paid"
    recovered = subscription()
    assert recovered.status == "active"
    assert recovered.current_period_end == dt.datetime.fromtimestamp(second_end, dt.UTC)
    assert subjects().count("Your receipt from The Masthead Review") == 2

    clock.set(dt.datetime.fromtimestamp(now + 40 * DAY, dt.UTC))  # past the grace period of the failure
    subscriptions_tick()
    assert subscription().status == "active"


def test_a_free_trials_invoice_of_nothing_leaves_the_trial_a_trial(client, deliver, now):
    """Stripe pays a trial's first invoice, for 0, at its start: that is not a payment and ends no trial."""
    trial_end, period_end = now + 14 * DAY, now + 14 * DAY
    body = invoice("evt_trial_invoice", "invoice.paid", "in_trial", 0, now, period_end)
    deliver(
        "customer.subscription.created",
        "evt_trialing",
        now,
        status="trialing",
        period_end=period_end,
        trial_end=trial_end,
    )
    assert subscription().status == "trialing"  # positive control: the trial is there
    response = post(client, body)
    assert response.status_code == 200, response.content
    trial = subscription()
    assert trial.status == "trialing" and not trial.ever_paid
    assert trial.payments.get().amount_minor == 0  # the invoice is kept, for the record
    assert not any("receipt" in subject.lower() for subject in subjects())
