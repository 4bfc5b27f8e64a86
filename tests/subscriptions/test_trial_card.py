"""Finding 14 (third part): one free trial per card, by the provider's card fingerprint, not per email.

The local provider simulates a fingerprint (a keyed hash of the card number); Stripe's own is read from the
payment method (tests/payments/test_stripe_money.py).
"""

from __future__ import annotations

from django.contrib.auth.models import User

from masthead.subscriptions.models import Subscription, TrialCard

from .conftest import CARD_OK, pay, start_checkout, subscribe

OTHER_CARD = "5555 5555 5555 4444"


def second_reader(client) -> User:
    user = User.objects.create_user("second@example.com", email="second@example.com", password="x" * 16)
    client.force_login(user)
    return user


def test_a_card_that_had_a_free_trial_gets_no_second_one(client, commerce, reader):
    assert subscribe(client, commerce.monthly, commerce.trial).status == "trialing"
    second = second_reader(client)
    path = start_checkout(client, commerce.monthly, commerce.trial)
    response = pay(client, path, "4242424242424242")  # the same card, written differently
    assert response.status_code == 200
    assert "This card has already been used for a free trial." in response.content.decode()
    assert not Subscription.objects.filter(user=second).exists()
    assert TrialCard.objects.count() == 1


def test_another_card_gets_the_trial(client, commerce, reader):
    """The positive control: the refusal is per card."""
    subscribe(client, commerce.monthly, commerce.trial)
    second = second_reader(client)
    assert pay(client, start_checkout(client, commerce.monthly, commerce.trial), OTHER_CARD).status_code == 302
    assert Subscription.objects.get(user=second).status == "trialing"
    assert TrialCard.objects.count() == 2


def test_the_card_of_a_trial_may_pay_for_a_subscription_without_one(client, commerce, reader):
    subscribe(client, commerce.monthly, commerce.trial)
    second = second_reader(client)
    assert pay(client, start_checkout(client, commerce.monthly), CARD_OK).status_code == 302
    assert Subscription.objects.get(user=second).status == "active"


def test_a_publisher_sees_the_cards_that_had_a_trial(client, commerce, reader):
    from django.contrib.auth.models import Group

    from masthead.publishing.roles import PUBLISHERS, roles_ensure

    subscribe(client, commerce.monthly, commerce.trial)
    roles_ensure()
    publisher = User.objects.create_user("publisher", password="a long enough password", is_staff=True)
    publisher.groups.add(Group.objects.get(name=PUBLISHERS))
    client.force_login(publisher)
    response = client.get("/admin/subscriptions/trialcard/")
    assert response.status_code == 200 and "reader@example.com" in response.content.decode()
