"""Finding 8: two open checkouts cannot both be paid (the parallel case is in tests/faults/test_money_races.py)."""

from __future__ import annotations

from django.contrib.auth.models import User

from masthead.payments.models import LocalSubscription
from masthead.subscriptions.models import Payment, Subscription

from .conftest import CARD_OK, pay, start_checkout


def test_a_second_open_checkout_cannot_be_paid_once_the_first_is(client, commerce, reader):
    first = start_checkout(client, commerce.monthly)
    second = start_checkout(client, commerce.annual)  # both opened before either was paid
    assert pay(client, first, CARD_OK).status_code == 302
    response = pay(client, second, CARD_OK)
    assert response.status_code == 200
    assert "You already have a subscription" in response.content.decode()
    assert Subscription.objects.count() == 1 and Payment.objects.count() == 1
    assert LocalSubscription.objects.count() == 1  # the provider never took the second payment
    account = client.get("/accounts/").content.decode()
    assert '<dd class="subscription-plan">Monthly</dd>' in account
    assert "$12 a month from December 15" in account  # the monthly plan paid, not the annual one


def test_another_reader_pays_their_own_checkout(client, commerce, reader):
    """The positive control: the refusal is per reader."""
    start_checkout(client, commerce.monthly)
    other = User.objects.create_user("other@example.com", email="other@example.com", password="x" * 16)
    client.force_login(other)
    assert pay(client, start_checkout(client, commerce.monthly), CARD_OK).status_code == 302
    assert list(Subscription.objects.values_list("user__email", flat=True)) == ["other@example.com"]


def test_a_reader_whose_subscription_expired_can_pay_a_new_checkout(client, commerce, reader):
    """The positive control on the other side: an expired subscription does not block a new one."""
    assert pay(client, start_checkout(client, commerce.monthly), CARD_OK).status_code == 302
    Subscription.objects.update(status="expired")
    assert pay(client, start_checkout(client, commerce.annual), CARD_OK).status_code == 302
    assert sorted(Subscription.objects.values_list("status", flat=True)) == ["active", "expired"]


def test_a_flagged_duplicate_is_shown_to_publishers(client, commerce, reader):
    """In Stripe mode a duplicate is flagged (tests/payments/test_stripe_money.py); staff find it in the admin."""
    from django.contrib.auth.models import Group

    from masthead.publishing.roles import PUBLISHERS, roles_ensure

    pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    Subscription.objects.update(attention="Duplicate: the reader already had a subscription.")
    roles_ensure()
    publisher = User.objects.create_user("publisher", password="a long enough password", is_staff=True)
    publisher.groups.add(Group.objects.get(name=PUBLISHERS))
    client.force_login(publisher)
    flagged = client.get("/admin/subscriptions/subscription/", {"attention": "yes"})
    assert (
        flagged.status_code == 200 and "Duplicate: the reader already had a subscription." in flagged.content.decode()
    )
    clean = client.get("/admin/subscriptions/subscription/", {"attention": "no"})
    assert clean.status_code == 200 and "reader@example.com" not in clean.content.decode()
