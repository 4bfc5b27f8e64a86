"""Finding 19: a local checkout expires, and paying checks the plan is still sold at the price shown."""

from __future__ import annotations

import datetime as dt

from masthead.subscriptions.models import Payment, Subscription

from .conftest import CARD_OK, pay, start_checkout, subscribe


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_checkout_can_be_paid_within_its_hour(client, clock, commerce, reader):
    """The positive control for the expiry."""
    path = start_checkout(client, commerce.monthly)
    clock.advance(minutes=59)
    assert "Pay and subscribe" in page(client, path)
    assert pay(client, path, CARD_OK).status_code == 302
    assert Subscription.objects.get().status == "active"


def test_a_local_checkout_expires_after_an_hour(client, clock, commerce, reader):
    path = start_checkout(client, commerce.monthly)
    assert "Pay and subscribe" in page(client, path)
    clock.advance(minutes=61)
    html = page(client, path)
    assert "Monthly" in html and "This checkout has expired" in html
    assert "Pay and subscribe" not in html
    response = pay(client, path, CARD_OK)
    assert response.status_code == 200 and "This checkout has expired" in response.content.decode()
    assert not Subscription.objects.exists() and not Payment.objects.exists()


def test_a_checkout_with_an_offer_closes_when_the_offer_ends(client, clock, commerce, reader):
    clock.set(commerce.intro.ends_at - dt.timedelta(minutes=45))
    path = start_checkout(client, commerce.monthly, commerce.intro)
    clock.advance(minutes=46)
    response = pay(client, path, CARD_OK)
    assert response.status_code == 200 and "This checkout has expired" in response.content.decode()
    assert not Subscription.objects.exists()


def test_a_plan_retired_after_the_checkout_opened_cannot_be_bought(client, commerce, reader):
    path = start_checkout(client, commerce.monthly)
    commerce.monthly.active = False
    commerce.monthly.save()
    response = pay(client, path, CARD_OK)
    assert response.status_code == 200 and "This plan is no longer sold." in response.content.decode()
    assert not Subscription.objects.exists() and not Payment.objects.exists()


def test_a_new_price_is_not_charged_at_the_old_price(client, commerce, reader):
    path = start_checkout(client, commerce.monthly)
    assert "$12" in page(client, path)
    commerce.monthly.amount_minor = 1500
    commerce.monthly.save()
    response = pay(client, path, CARD_OK)
    assert response.status_code == 200
    assert "The price of this plan has changed" in response.content.decode()
    assert not Subscription.objects.exists() and not Payment.objects.exists()
    # Starting again shows and charges the new price, and the account page agrees with the charge.
    subscribe(client, commerce.monthly)
    assert list(Payment.objects.values_list("amount_minor", flat=True)) == [1500]
    assert "$15" in page(client, "/accounts/")


def test_an_offer_edited_after_the_checkout_opened_is_not_charged_on_its_old_terms(client, commerce, reader):
    path = start_checkout(client, commerce.monthly, commerce.intro)
    commerce.intro.intro_amount_minor = 500
    commerce.intro.save()
    response = pay(client, path, CARD_OK)
    assert response.status_code == 200
    assert "The terms of this offer have changed" in response.content.decode()
    assert not Subscription.objects.exists()


def test_the_new_messages_speak_the_publications_language(client, clock, commerce, reader):
    from masthead.publishing.selectors import current_publication

    publication = current_publication()
    publication.language = "ja"
    publication.save()
    path = start_checkout(client, commerce.monthly)
    clock.advance(minutes=61)
    assert "このお支払いページの有効期限が切れました。" in page(client, path)
    clock.advance(minutes=-61)
    assert pay(client, start_checkout(client, commerce.monthly), CARD_OK).status_code == 302
    assert "変更はただちに適用されます。" in page(client, "/accounts/")
