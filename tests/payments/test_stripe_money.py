"""The money paths of the Stripe provider, through Masthead's services, against localstripe where it can.

What localstripe lacks (proration_behavior and discounts on a subscription update, Checkout Sessions) is
covered in test_stripe_http.py against a scripted Stripe at the HTTP level.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from masthead.payments.providers.stripe import StripeProvider
from masthead.subscriptions.models import Plan, Subscription
from masthead.subscriptions.services import subscription_cancel

from .test_stripe_provider import API_KEY, WEBHOOK_SECRET, _subscribe, stored


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
def test_cancelling_a_past_due_subscription_cancels_it_at_stripe_at_once(stripe_site, localstripe, reader, clock):
    _, subscription_id = _subscribe(stripe_site)
    subscription = ours(reader, subscription_id, "past_due", clock)
    subscription_cancel(user=reader, subscription_id=subscription.pk)
    assert stored(localstripe, f"/v1/subscriptions/{subscription_id}")["status"] == "canceled"  # no more retries
    subscription.refresh_from_db()
    assert subscription.status == "expired"


def test_cancelling_a_paid_subscription_leaves_it_running_at_stripe_until_the_period_ends(
    stripe_site, localstripe, reader, clock
):
    """The positive control: a paid period is kept; Stripe is told to stop at its end."""
    _, subscription_id = _subscribe(stripe_site)
    subscription = ours(reader, subscription_id, "active", clock)
    subscription_cancel(user=reader, subscription_id=subscription.pk)
    at_stripe = stored(localstripe, f"/v1/subscriptions/{subscription_id}")
    assert at_stripe["status"] == "active" and at_stripe["cancel_at_period_end"] is True
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
