"""Finding 9: an offer's redemptions are reserved atomically before money moves, and given back on failure.

The local provider reserves inside the payment's transaction; a provider with a hosted checkout page (Stripe)
takes the money on its own page, so the redemption is reserved when the checkout starts and given back when
it expires unpaid. The parallel case (six payers, a cap of one) is in tests/faults/test_money_races.py.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User

from masthead.payments import webhooks
from masthead.payments.interface import EventKind, PaymentEvent, ProviderError
from masthead.payments.providers.local.provider import LocalProvider
from masthead.subscriptions.models import Checkout, Subscription
from masthead.subscriptions.services import subscriptions_tick

from .conftest import CARD_DECLINED, CARD_OK, pay, start_checkout


@pytest.fixture
def capped(commerce):
    commerce.intro.redemption_cap = 1
    commerce.intro.save()
    return commerce.intro


def redemptions(offer) -> int:
    offer.refresh_from_db()
    return offer.redemptions


def other_reader(client, n: int = 2) -> User:
    user = User.objects.create_user(f"reader{n}@example.com", email=f"reader{n}@example.com", password="x" * 16)
    client.force_login(user)
    return user


def offers_page_after(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == "/subscribe/"
    return client.get("/subscribe/").content.decode()


# -- the local provider: reserved inside the payment ------------------------------------------------------
def test_paying_takes_the_redemption_and_the_next_reader_is_refused(client, commerce, capped, reader):
    path = start_checkout(client, commerce.monthly, capped)
    assert redemptions(capped) == 0  # opening a local checkout reserves nothing: paying does
    assert pay(client, path, CARD_OK).status_code == 302
    assert redemptions(capped) == 1
    other_reader(client)
    refused = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": capped.pk})
    assert "This offer has been fully redeemed." in offers_page_after(client, refused)


def test_a_declined_card_takes_no_redemption(client, commerce, capped, reader):
    path = start_checkout(client, commerce.monthly, capped)
    assert "Your card was declined" in pay(client, path, CARD_DECLINED).content.decode()
    assert redemptions(capped) == 0
    assert pay(client, path, CARD_OK).status_code == 302
    assert redemptions(capped) == 1


def test_a_payment_that_fails_after_the_reservation_gives_it_back(client, commerce, capped, reader, monkeypatch):
    path = start_checkout(client, commerce.monthly, capped)
    reference = path.rstrip("/").rsplit("/", 1)[1]

    def broken(*args, **kwargs):
        raise RuntimeError("the provider's record could not be written")

    monkeypatch.setattr("masthead.payments.models.LocalSubscription.objects.create", broken)
    with pytest.raises(RuntimeError):
        LocalProvider().pay(reference, CARD_OK)
    assert redemptions(capped) == 0
    assert Checkout.objects.get().state == "open"
    monkeypatch.undo()
    assert pay(client, path, CARD_OK).status_code == 302
    assert redemptions(capped) == 1


# -- a hosted checkout (Stripe): reserved when it starts, given back when it expires -----------------------
class HostedProvider(LocalProvider):
    """The local provider, posing as one whose checkout page is its own (as Stripe's is)."""

    hosted_checkout = True
    fail = False

    def start_checkout(self, request):
        if self.fail:
            raise ProviderError("the provider is down")
        return super().start_checkout(request)


@pytest.fixture
def hosted(monkeypatch):
    provider = HostedProvider()
    monkeypatch.setattr("masthead.subscriptions.services.get_provider", lambda name=None: provider)
    return provider


def test_a_hosted_checkout_reserves_the_last_redemption_when_it_starts(client, commerce, capped, reader, hosted):
    start_checkout(client, commerce.monthly, capped)
    assert redemptions(capped) == 1
    assert Checkout.objects.get().redemption_reserved
    other_reader(client)
    refused = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": capped.pk})
    assert "This offer has been fully redeemed." in offers_page_after(client, refused)
    assert Checkout.objects.count() == 1


def test_a_hosted_checkout_that_expires_unpaid_gives_its_redemption_back(
    client, clock, commerce, capped, reader, hosted
):
    start_checkout(client, commerce.monthly, capped)
    clock.advance(minutes=61)
    subscriptions_tick()
    assert redemptions(capped) == 1  # a margin for the provider's late word that it was paid after all
    clock.advance(hours=1)
    subscriptions_tick()
    subscriptions_tick()  # safe to repeat: given back once
    assert redemptions(capped) == 0
    checkout = Checkout.objects.get()
    assert checkout.state == "expired" and not checkout.redemption_reserved
    other_reader(client)
    assert start_checkout(client, commerce.monthly, capped).startswith("/payments/local/checkout/")
    assert redemptions(capped) == 1


def test_a_provider_that_fails_to_start_the_checkout_gives_the_redemption_back(
    client, commerce, capped, reader, hosted
):
    hosted.fail = True
    response = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": capped.pk})
    assert "Payments are unavailable right now" in offers_page_after(client, response)
    assert redemptions(capped) == 0 and not Checkout.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_completed_hosted_checkout_counts_its_redemption_once(client, clock, commerce, capped, reader, hosted):
    start_checkout(client, commerce.monthly, capped)
    checkout = Checkout.objects.get()
    webhooks.process(
        PaymentEvent(
            provider="local",
            event_id="evt_completed",
            kind=EventKind.CHECKOUT_COMPLETED,
            provider_type="checkout.session.completed",
            occurred_at=clock.now,
            reference=str(checkout.reference),
            customer_id="cus_1",
            subscription_id="sub_1",
        )
    )
    assert Subscription.objects.get().offer == capped
    assert redemptions(capped) == 1
    checkout.refresh_from_db()
    assert checkout.state == "completed"
    clock.advance(days=1)
    subscriptions_tick()  # a completed checkout is not expired, and keeps its redemption
    assert redemptions(capped) == 1


def test_an_expired_hosted_checkout_paid_at_the_last_moment_still_counts(
    client, clock, commerce, capped, reader, hosted
):
    start_checkout(client, commerce.monthly, capped)
    clock.advance(hours=3)
    subscriptions_tick()
    assert redemptions(capped) == 0
    checkout = Checkout.objects.get()
    webhooks.process(
        PaymentEvent(
            provider="local",
            event_id="evt_late",
            kind=EventKind.CHECKOUT_COMPLETED,
            provider_type="checkout.session.completed",
            occurred_at=clock.now - dt.timedelta(hours=2, minutes=59),
            reference=str(checkout.reference),
            customer_id="cus_1",
            subscription_id="sub_1",
        )
    )
    assert Subscription.objects.count() == 1
    assert redemptions(capped) == 1  # the money was taken: the redemption is counted
