from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User

from masthead.subscriptions.models import Offer, Plan, Subscription

# The local provider's test cards, named here with the tests that use them: the provider itself names only
# the numbers that change an outcome (any other valid number pays).
CARD_OK = "4242 4242 4242 4242"
CARD_DECLINED = "4000 0000 0000 0002"
CARD_FAILS_AT_RENEWAL = "4000 0000 0000 0341"


@dataclass
class Commerce:
    monthly: Plan
    annual: Plan
    intro: Offer
    trial: Offer


def offer_on_sale(clock, *, days: int, **fields) -> Offer:
    """An offer (``fields`` as Offer's) that went on sale a day ago and stays on sale ``days`` more."""
    return Offer.objects.create(
        starts_at=clock.now - dt.timedelta(days=1), ends_at=clock.now + dt.timedelta(days=days), **fields
    )


@pytest.fixture
def commerce(db, clock) -> Commerce:
    benefits = "Read all stories with unlimited access\nUse our mobile and tablet apps"
    monthly = Plan.objects.create(
        name="Monthly", slug="monthly", amount_minor=1200, interval="month", benefits=benefits
    )
    annual = Plan.objects.create(name="Annual", slug="annual", amount_minor=12000, interval="year", position=1)
    intro = offer_on_sale(
        clock,
        days=10,
        name="Try 3 months for $9",
        slug="three-for-nine",
        plan=monthly,
        kind="intro_price",
        intro_amount_minor=300,
        intro_intervals=3,
    )
    trial = offer_on_sale(
        clock,
        days=100,
        name="Try it free for 14 days",
        slug="trial",
        plan=monthly,
        kind="free_trial",
        trial_days=14,
    )
    return Commerce(monthly, annual, intro, trial)


@pytest.fixture
def reader(db, client) -> User:
    user = User.objects.create_user("reader@example.com", email="reader@example.com", password="a sturdy passphrase 42")
    client.force_login(user)
    return user


def start_checkout(client, plan: Plan, offer: Offer | None = None) -> str:
    """Begin a checkout from the offers page; returns the local checkout page's path."""
    data = {"plan": plan.pk}
    if offer is not None:
        data["offer"] = offer.pk
    response = client.post("/subscribe/checkout/", data)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def pay(client, checkout_path: str, card: str):
    return client.post(checkout_path, {"card_number": card, "expiry": "12/34", "cvc": "123"})


def subscribe(client, plan: Plan, offer: Offer | None = None, card: str = CARD_OK) -> Subscription:
    checkout_path = start_checkout(client, plan, offer)
    assert checkout_path.startswith("/payments/local/checkout/")
    response = pay(client, checkout_path, card)
    assert response.status_code == 302, re.sub(r"\s+", " ", response.content.decode())[:800]
    return Subscription.objects.get(checkout__reference=checkout_path.rstrip("/").rsplit("/", 1)[1])
