"""A checkout whose payment provider cannot be reached: a clear message, and no orphan Checkout row."""

from __future__ import annotations

import pytest

from masthead.subscriptions.models import Checkout

UNAVAILABLE = "Payments are unavailable right now"


@pytest.fixture
def stripe_plan(commerce):
    commerce.monthly.provider_plan_id = "plan_monthly"  # so the provider is really asked, not refused beforehand
    commerce.monthly.save(update_fields=["provider_plan_id"])
    return commerce.monthly


def begin(client, plan):
    return client.post("/subscribe/checkout/", {"plan": plan.pk})


def assert_refused_cleanly(client, response, plan) -> None:
    assert response.status_code == 302
    assert response["Location"] == "/subscribe/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert plan.name in text  # the offers page itself, with the plan still on offer
    assert UNAVAILABLE in text
    assert not Checkout.objects.exists()


def test_a_reachable_provider_opens_one_checkout(client, reader, stripe_plan):
    """The positive control: the same request with the local provider makes one row."""
    response = begin(client, stripe_plan)
    assert response.status_code == 302
    assert response["Location"].startswith("/payments/local/checkout/")
    assert Checkout.objects.filter(user=reader, plan=stripe_plan).count() == 1


def test_stripe_at_a_closed_port_answers_with_a_message_and_leaves_no_checkout(client, reader, stripe_plan, settings):
    settings.MASTHEAD_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = "sk_test_unreachable"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_unreachable"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # discard: nothing listens
    assert_refused_cleanly(client, begin(client, stripe_plan), stripe_plan)


@pytest.mark.parametrize("missing", ["STRIPE_API_KEY", "STRIPE_WEBHOOK_SECRET"])
def test_stripe_without_its_keys_answers_with_a_message_and_leaves_no_checkout(
    client, reader, stripe_plan, settings, missing
):
    settings.MASTHEAD_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = "sk_test_unreachable"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_unreachable"
    setattr(settings, missing, "")
    assert_refused_cleanly(client, begin(client, stripe_plan), stripe_plan)
