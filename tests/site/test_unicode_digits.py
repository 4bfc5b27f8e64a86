"""Finding 15: Unicode digits ("²", "①") pass str.isdigit() and fail int(): every view answers below 500."""

import pytest
from django.contrib.auth.models import User

from masthead.payments.providers.local.provider import CardOutcome, card_outcome, normalise_card
from masthead.subscriptions.models import Checkout, Plan, Subscription

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["²", "①", "٣", "１", "1²"]


@pytest.fixture
def plan(db):
    return Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, interval="month")


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader@example.com", email="reader@example.com", password="a sturdy passphrase 42")
    client.force_login(user)
    return user


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_listing_pages_take_a_unicode_page_number_as_the_first_page(client, make_article, author, value):
    article = make_article(authors=[author])
    for path in ("/politics/", f"/authors/{author.slug}/"):
        response = client.get(path, {"page": value})
        assert response.status_code == 200
        assert article.headline in response.content.decode()


def test_checkout_takes_a_good_plan_id(client, reader, plan):
    response = client.post("/subscribe/checkout/", {"plan": str(plan.pk)})
    assert response.status_code == 302
    assert response["Location"].startswith("/payments/local/checkout/")


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("field", ["plan", "offer"])
def test_checkout_refuses_a_unicode_plan_or_offer_id(client, reader, plan, field, value):
    data = {"plan": str(plan.pk), field: value}
    response = client.post("/subscribe/checkout/", data, follow=True)
    assert response.status_code < 500
    assert "Please choose a plan." in response.content.decode()
    assert not Checkout.objects.exists()


@pytest.mark.parametrize("value", ODD_NUMBERS)
@pytest.mark.parametrize("action", ["cancel", "resume"])
def test_subscription_actions_refuse_a_unicode_subscription_id(client, reader, action, value):
    response = client.post(f"/account/subscription/{action}/", {"subscription": value}, follow=True)
    assert response.status_code == 200
    assert "That subscription could not be found." in response.content.decode()


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_change_plan_refuses_a_unicode_plan_id(client, reader, plan, value):
    response = client.post("/account/subscription/plan/", {"plan": value, "subscription": "1"}, follow=True)
    assert response.status_code == 200
    assert "Please choose a plan." in response.content.decode()


def test_a_good_card_number_is_taken_with_spaces_or_dashes():
    assert normalise_card("4242 4242-4242 4242") == "4242424242424242"
    assert card_outcome("4242 4242 4242 4242") == CardOutcome.PAID


@pytest.mark.parametrize(
    "number",
    [
        "4242 4242 4242 424²",
        "4242 4242 4242 424①",
        "４２４２４２４２４２４２４２４２",  # fullwidth digits: int() reads them, a card machine would not
        "4242 4242 4242 424٢",
        "4242a4242b4242c4242",  # letters are not dropped silently
        "4242\x004242 4242 4242",
    ],
)
def test_a_card_number_with_anything_but_ascii_digits_is_invalid(number):
    assert card_outcome(number) == CardOutcome.INVALID


def test_the_local_checkout_page_says_a_unicode_card_number_is_not_valid(client, reader, plan):
    checkout_path = client.post("/subscribe/checkout/", {"plan": str(plan.pk)})["Location"]
    assert client.get(checkout_path).status_code == 200
    response = client.post(checkout_path, {"card_number": "4242 4242 4242 424²", "expiry": "12/34", "cvc": "123"})
    assert response.status_code == 200
    assert "That card number is not valid." in response.content.decode()
    assert not Subscription.objects.exists()
