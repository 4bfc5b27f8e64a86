"""The money paths of the Stripe provider, through Masthead's services, against localstripe where it can.

What localstripe lacks (proration_behavior and discounts on a subscription update, Checkout Sessions) is
covered in test_stripe_http.py against a scripted Stripe at the HTTP level.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import pytest
import stripe
from django.contrib.auth.models import User

from masthead.payments.providers.stripe import StripeProvider
from masthead.subscriptions.models import Checkout, Offer, Plan, Subscription, TrialCard
from masthead.subscriptions.services import subscription_cancel

from .stripe_setup import create_subscription, ensure_customer, ensure_product_and_plan, stripe_client
from .stripe_signing import sign
from .test_stripe_provider import API_KEY, WEBHOOK_SECRET, _subscribe, stored
from .test_stripe_provider import MONTHLY as MONTHLY_TERMS


@pytest.fixture
def sdk(localstripe) -> stripe.StripeClient:
    """The tests' own SDK client, for what a paying reader and the dashboard would do."""
    return stripe_client(localstripe)


@pytest.fixture
def stripe_site(settings, localstripe):
    settings.MASTHEAD_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = API_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    return StripeProvider(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, api_base=localstripe)


@pytest.fixture
def reader(db):
    return User.objects.create_user("stripe-reader@example.com", email="stripe-reader@example.com", password="x" * 16)


def ours(reader, provider_subscription_id: str, status: str, clock) -> Subscription:
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=900, provider_plan_id="plan_monthly")
    return Subscription.objects.create(
        user=reader,
        plan=plan,
        status=status,
        provider="stripe",
        provider_subscription_id=provider_subscription_id,
        current_period_start=clock.now - dt.timedelta(days=31),
        current_period_end=clock.now - dt.timedelta(days=1),
        ever_paid=True,
        created_at=clock.now - dt.timedelta(days=31),
    )


# -- finding 4 --------------------------------------------------------------------------------------------
def test_cancelling_a_past_due_subscription_cancels_it_at_stripe_at_once(stripe_site, localstripe, reader, clock, sdk):
    _, subscription_id = _subscribe(sdk)
    subscription = ours(reader, subscription_id, "past_due", clock)
    subscription_cancel(user=reader, subscription_id=subscription.pk)
    assert stored(localstripe, f"/v1/subscriptions/{subscription_id}")["status"] == "canceled"  # no more retries
    subscription.refresh_from_db()
    assert subscription.status == "expired"


def test_cancelling_a_paid_subscription_leaves_it_running_at_stripe_until_the_period_ends(
    stripe_site, localstripe, reader, clock, sdk
):
    """The positive control: a paid period is kept; Stripe is told to stop at its end."""
    _, subscription_id = _subscribe(sdk)
    subscription = ours(reader, subscription_id, "active", clock)
    subscription_cancel(user=reader, subscription_id=subscription.pk)
    at_stripe = stored(localstripe, f"/v1/subscriptions/{subscription_id}")
    assert at_stripe["status"] == "active" and at_stripe["cancel_at_period_end"] is True
    subscription.refresh_from_db()
    assert subscription.status == "canceled"


# -- finding 8 (Stripe) and finding 14 (Stripe): a hosted checkout, checked once it is paid ----------------
def session_completed(checkout: Checkout, customer_id: str, subscription_id: str) -> bytes:
    reference = str(checkout.reference)
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:12]}",
            "object": "event",
            "type": "checkout.session.completed",
            "created": int(time.time()),
            "api_version": "2025-03-31.basil",
            "livemode": False,
            "data": {
                "object": {
                    "id": f"cs_test_{uuid.uuid4().hex[:8]}",
                    "object": "checkout.session",
                    "mode": "subscription",
                    "client_reference_id": reference,
                    "customer": customer_id,
                    "subscription": subscription_id,
                    "status": "complete",
                    "payment_status": "paid",
                    "metadata": {"masthead_reference": reference},
                }
            },
        }
    ).encode()


def deliver(client, payload: bytes):
    signature = sign(payload, WEBHOOK_SECRET, int(time.time()))
    response = client.post(
        "/payments/webhooks/stripe/", payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 200, response.content
    return response


def paid_checkout(reader, plan: Plan, clock, offer: Offer | None = None) -> Checkout:
    return Checkout.objects.create(
        user=reader, plan=plan, offer=offer, provider="stripe", created_at=clock.now, expires_at=clock.now
    )


def refunds_of(localstripe: str, subscription_id: str) -> list[dict]:
    invoice = stored(localstripe, f"/v1/subscriptions/{subscription_id}")["latest_invoice"]
    intent = stored(localstripe, f"/v1/invoices/{invoice}")["payment_intent"]
    return stored(localstripe, f"/v1/refunds?payment_intent={intent}")["data"]


def test_a_second_paid_checkout_is_flagged_canceled_and_refunded_at_stripe(
    client, stripe_site, localstripe, reader, clock, django_capture_on_commit_callbacks, sdk
):
    _, first_id = _subscribe(sdk)
    first = ours(reader, first_id, "active", clock)
    customer_id, second_id = _subscribe(sdk)
    checkout = paid_checkout(reader, first.plan, clock)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, session_completed(checkout, customer_id, second_id))

    second = Subscription.objects.get(provider_subscription_id=second_id)
    assert "Duplicate" in second.attention and "Canceled and refunded at the provider." in second.attention
    assert stored(localstripe, f"/v1/subscriptions/{second_id}")["status"] == "canceled"
    assert [refund["amount"] for refund in refunds_of(localstripe, second_id)] == [900]
    first.refresh_from_db()
    assert first.status == "active" and not first.attention
    assert stored(localstripe, f"/v1/subscriptions/{first_id}")["status"] == "active"
    assert refunds_of(localstripe, first_id) == []


def test_a_first_paid_checkout_is_left_alone(
    client, stripe_site, localstripe, reader, clock, django_capture_on_commit_callbacks, sdk
):
    """The positive control: a reader's first subscription is neither flagged nor refunded."""
    customer_id, subscription_id = _subscribe(sdk)
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=900, provider_plan_id="plan_monthly")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, session_completed(paid_checkout(reader, plan, clock), customer_id, subscription_id))
    subscription = Subscription.objects.get(provider_subscription_id=subscription_id)
    assert not subscription.attention
    assert stored(localstripe, f"/v1/subscriptions/{subscription_id}")["status"] == "active"
    assert refunds_of(localstripe, subscription_id) == []


@pytest.fixture
def trial_offer(db, clock):
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=900, provider_plan_id="plan_monthly")
    return Offer.objects.create(
        name="Try it free",
        slug="trial",
        plan=plan,
        kind="free_trial",
        trial_days=14,
        starts_at=clock.now - dt.timedelta(days=1),
        ends_at=clock.now + dt.timedelta(days=30),
    )


def other_card(sdk: stripe.StripeClient) -> str:
    method = sdk.v1.payment_methods.create(
        params={"type": "card", "card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123"}}
    )
    return method.id


def trial_through_checkout(client, sdk, reader, offer, clock, capture, payment_method="pm_card_visa") -> str:
    customer_id = ensure_customer(sdk, reader.email)
    subscription_id = create_subscription(
        sdk, customer_id, ensure_product_and_plan(sdk, MONTHLY_TERMS), payment_method=payment_method
    )
    with capture(execute=True):
        deliver(
            client, session_completed(paid_checkout(reader, offer.plan, clock, offer), customer_id, subscription_id)
        )
    return subscription_id


def test_a_second_trial_on_a_card_that_had_one_is_ended_at_stripe(
    client, stripe_site, localstripe, reader, clock, trial_offer, django_capture_on_commit_callbacks, sdk
):
    first_id = trial_through_checkout(client, sdk, reader, trial_offer, clock, django_capture_on_commit_callbacks)
    assert TrialCard.objects.filter(provider="stripe").count() == 1
    assert stored(localstripe, f"/v1/subscriptions/{first_id}")["status"] == "active"

    other = User.objects.create_user("new-email@example.com", email="new-email@example.com", password="x" * 16)
    second_id = trial_through_checkout(client, sdk, other, trial_offer, clock, django_capture_on_commit_callbacks)
    second = Subscription.objects.get(provider_subscription_id=second_id)
    assert "A second free trial on a card that already had one." in second.attention
    assert stored(localstripe, f"/v1/subscriptions/{second_id}")["status"] == "canceled"
    assert TrialCard.objects.count() == 1


def test_a_trial_on_another_card_goes_on(
    client, stripe_site, localstripe, reader, clock, trial_offer, django_capture_on_commit_callbacks, sdk
):
    """The positive control: another card, another trial."""
    trial_through_checkout(client, sdk, reader, trial_offer, clock, django_capture_on_commit_callbacks)
    other = User.objects.create_user("new-email@example.com", email="new-email@example.com", password="x" * 16)
    second_id = trial_through_checkout(
        client,
        sdk,
        other,
        trial_offer,
        clock,
        django_capture_on_commit_callbacks,
        payment_method=other_card(sdk),
    )
    assert not Subscription.objects.get(provider_subscription_id=second_id).attention
    assert stored(localstripe, f"/v1/subscriptions/{second_id}")["status"] == "active"
    assert TrialCard.objects.count() == 2
