"""Finding 4: cancelling while past due tells the provider first (no more retries) and says what happens."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.formats import date_format

from masthead.payments.interface import ProviderError
from masthead.payments.models import LocalSubscription
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import subscriptions_tick

from .conftest import CARD_FAILS_AT_RENEWAL, subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit


def messages_on(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account" in html
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def past_due(client, clock, commerce, reader) -> Subscription:
    subscription = subscribe(client, commerce.monthly, card=CARD_FAILS_AT_RENEWAL)
    clock.set(subscription.current_period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    return subscription


def test_cancelling_while_past_due_ends_it_at_the_provider_and_says_so(client, past_due):
    mail.outbox.clear()
    response = client.post("/account/subscription/cancel/", {"subscription": past_due.pk}, follow=True)
    text = messages_on(response)
    assert "Your subscription is canceled and your card will not be charged again." in text
    assert "your full access ends now" in text
    assert "You keep full access" not in text
    past_due.refresh_from_db()
    assert past_due.status == "expired"
    local = LocalSubscription.objects.get(subscription_id=past_due.provider_subscription_id)
    assert local.status == "canceled"  # the provider was told: it will not retry or charge again
    assert not any("has expired" in message.subject for message in mail.outbox)  # the reader asked for it


def test_a_provider_that_does_not_answer_leaves_the_subscription_as_it_was(client, past_due, monkeypatch):
    def unreachable(self, *, subscription_id):
        raise ProviderError("the provider is down")

    monkeypatch.setattr("masthead.payments.providers.local.provider.LocalProvider.cancel_now", unreachable)
    response = client.post("/account/subscription/cancel/", {"subscription": past_due.pk}, follow=True)
    assert "The payment service did not answer" in messages_on(response)
    past_due.refresh_from_db()
    assert past_due.status == "past_due"


def test_cancelling_a_paid_up_subscription_keeps_access_until_the_period_ends(client, commerce, reader):
    """The positive control: a paid period is kept, and the message gives its end."""
    subscription = subscribe(client, commerce.monthly)
    response = client.post("/account/subscription/cancel/", {"subscription": subscription.pk}, follow=True)
    text = messages_on(response)
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    until = date_format(timezone.localtime(subscription.current_period_end), "DATE_FORMAT")
    assert f"You keep full access until {until}." in text
    assert LocalSubscription.objects.get().cancel_at_period_end
