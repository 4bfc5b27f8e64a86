"""The offer chosen before the account step, and the article the reader came from, survive sign-up and sign-in.

A reader who is not signed in chooses an offer; they are asked to sign up (or sign in) with a signed
``next`` that names the choice, and once they have an account they land on that offer's checkout.
Hostile ``next`` and ``article`` values are ignored: never a redirect off the site, never a 500.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail, signing

from masthead.publishing.models import ArticleStatus
from masthead.site.carry import Choice, choice_dumps, choice_from_next, choice_loads, continue_url
from masthead.subscriptions.models import Checkout
from tests.subscriptions import conftest as shop

commerce = shop.commerce  # the plans and offers on sale, the same fixture the subscription tests use

PASSWORD = "a sturdy passphrase 42"
STALE_NOTICE = "Create a free account or sign in first"


@pytest.fixture
def story(make_article):
    return make_article(headline="The harbour at dawn")


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def choose(client, plan, offer=None, article=None) -> str:
    """An anonymous reader chooses on /subscribe; returns where they are sent (the sign-up page)."""
    data = {"plan": plan.pk}
    if offer is not None:
        data["offer"] = offer.pk
    if article is not None:
        data["article"] = article.pk
    response = client.post("/subscribe/checkout/", data)
    assert response.status_code == 302
    return response["Location"]


def next_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["next"][0]


def link_in_last_mail() -> str:
    return urlsplit(re.search(r"https?://\S+", mail.outbox[-1].body).group(0))._replace(scheme="", netloc="").geturl()


def test_sign_up_names_the_offer_and_the_confirmation_link_lands_on_its_checkout(client, commerce, story, fast_hashing):
    signup = choose(client, commerce.monthly, commerce.intro, story)
    assert signup.startswith("/accounts/signup/?next=")
    assert choice_from_next(next_of(signup)) == Choice(commerce.monthly.pk, commerce.intro.pk, "", story.pk)

    page = client.get(signup).content.decode()
    assert "Create your free account to start Try 3 months for $9" in page
    assert STALE_NOTICE not in page

    sent = client.post(signup, {"email": "new@example.com", "password": PASSWORD, "next": next_of(signup)})
    assert "The link takes you straight to payment for Try 3 months for $9." in sent.content.decode()
    landing = client.get(link_in_last_mail())  # confirms the address and signs the reader in
    assert landing.status_code == 302 and landing["Location"] == next_of(signup)

    checkout_page = client.get(landing["Location"])
    assert checkout_page.status_code == 302 and checkout_page["Location"].startswith("/payments/local/checkout/")
    checkout = Checkout.objects.get(user__username="new@example.com")
    assert (checkout.plan, checkout.offer, checkout.source_article) == (commerce.monthly, commerce.intro, story)

    html = client.get(checkout_page["Location"]).content.decode()
    assert "Try 3 months for $9" in html
    assert "$3 a month for 3 months, then $12 a month from February 15, 2027" in html
    assert "Thank you: your email address is confirmed." in html  # said where it happened, then gone
    assert "your email address is confirmed" not in client.get(checkout_page["Location"]).content.decode()
    assert STALE_NOTICE not in html


def test_sign_in_names_the_offer_and_lands_on_its_checkout(client, commerce, story, fast_hashing):
    User.objects.create_user("known@example.com", email="known@example.com", password=PASSWORD)
    signup = choose(client, commerce.monthly, commerce.intro, story)
    page = client.get(signup).content.decode()
    signin_link = re.search(r'href="(/accounts/signin/\?next=[^"]+)"', page).group(1).replace("&amp;", "&")
    assert choice_from_next(next_of(signin_link)) is not None  # "Already have an account?" keeps the choice

    signin = client.get(signin_link).content.decode()
    assert "Sign in to start Try 3 months for $9" in signin
    response = client.post(
        signin_link, {"username": "known@example.com", "password": PASSWORD, "next": next_of(signin_link)}
    )
    assert response.status_code == 302 and response["Location"] == next_of(signin_link)
    checkout_page = client.get(response["Location"])
    assert checkout_page["Location"].startswith("/payments/local/checkout/")
    checkout = Checkout.objects.get(user__username="known@example.com")
    assert (checkout.offer, checkout.source_article) == (commerce.intro, story)
    assert STALE_NOTICE not in client.get(checkout_page["Location"]).content.decode()


def test_a_plan_without_an_offer_is_carried_too(client, commerce, fast_hashing):
    signup = choose(client, commerce.annual)
    assert "Create your free account to start Annual" in client.get(signup).content.decode()
    User.objects.create_user("annual@example.com", email="annual@example.com", password=PASSWORD)
    client.login(username="annual@example.com", password=PASSWORD)
    assert client.get(next_of(signup))["Location"].startswith("/payments/local/checkout/")
    checkout = Checkout.objects.get()
    assert (checkout.plan, checkout.offer, checkout.source_article) == (commerce.annual, None, None)


def test_the_continue_link_asks_an_anonymous_reader_for_an_account(client, commerce):
    url = continue_url(Choice(commerce.monthly.pk, commerce.intro.pk))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"/accounts/signup/?{urlencode({'next': url})}"
    assert not Checkout.objects.exists()


def forged(value) -> str:
    return signing.dumps(value, salt="masthead.site.carry")


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/subscribe/continue/",
    "/\\evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    "/subscribe/continue/?choice=garbage",
    "/subscribe/continue/?choice=" + signing.dumps([1, 0, "", 0], salt="another.salt"),
    "/subscribe/continue/?choice=" + forged({"plan": 1}),
    "/subscribe/continue/?choice=" + forged([1, 0, "", 0, 5]),
    "/subscribe/continue/?choice=" + forged(["1", 0, "", 0]),
    "/subscribe/continue/?choice=" + forged([10**20, 0, "", 0]),
    "/subscribe/continue/?choice=" + "x" * 5000,
    "\x00",
]


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_hostile_next_values_are_ignored(client, commerce, hostile, fast_hashing):
    # Presence first: a good choice is named on both pages.
    good = continue_url(Choice(commerce.monthly.pk, commerce.intro.pk))
    assert "to start Try 3 months for $9" in client.get("/accounts/signup/", {"next": good}).content.decode()
    assert "to start Try 3 months for $9" in client.get("/accounts/signin/", {"next": good}).content.decode()

    for page in ("/accounts/signup/", "/accounts/signin/"):
        response = client.get(page, {"next": hostile})
        assert response.status_code == 200
        assert "to start" not in response.content.decode()
    User.objects.create_user("hostile@example.com", email="hostile@example.com", password=PASSWORD)
    signed_in = client.post(
        "/accounts/signin/", {"username": "hostile@example.com", "password": PASSWORD, "next": hostile}
    )
    assert signed_in.status_code == 302
    assert "evil.example" not in signed_in["Location"] and not signed_in["Location"].startswith("//")
    followed = client.get(signed_in["Location"])
    assert followed.status_code in (200, 302)
    assert not Checkout.objects.exists()


@pytest.mark.parametrize("value", ["garbage", "", forged([0, 0, "", 0]), "x" * 5000])
def test_a_bad_continue_link_goes_back_to_the_offers(client, commerce, value):
    response = client.get("/subscribe/continue/", {"choice": value})
    assert response.status_code == 302 and response["Location"] == "/subscribe/"
    assert not Checkout.objects.exists()


def test_a_choice_of_a_deleted_offer_or_another_plans_offer_is_refused(client, commerce, reader_client):
    # Presence: the good choice starts a checkout.
    assert reader_client.get(continue_url(Choice(commerce.monthly.pk, commerce.intro.pk)))["Location"].startswith(
        "/payments/local/checkout/"
    )
    Checkout.objects.all().delete()
    for choice in (Choice(commerce.annual.pk, commerce.intro.pk), Choice(commerce.monthly.pk, 10**9)):
        response = reader_client.get(continue_url(choice))
        assert response["Location"] == "/subscribe/"
    assert not Checkout.objects.exists()


@pytest.fixture
def reader_client(client, db):
    user = User.objects.create_user("carry@example.com", email="carry@example.com", password=PASSWORD)
    client.force_login(user)
    return client


def test_choice_tokens_round_trip_and_reject_tampering(db):
    choice = Choice(3, 7, "CLUB", 11)
    token = choice_dumps(choice)
    assert choice_loads(token) == choice
    assert choice_loads(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert choice_loads(None) is None and choice_loads("") is None


@pytest.mark.parametrize("value", ["abc", "0", "-3", "99999999999999999999", "1e3", "٣"])
def test_hostile_article_values_on_the_offers_page_are_ignored(client, commerce, story, value):
    assert f'name="article" value="{story.pk}"' in client.get("/subscribe/", {"article": story.pk}).content.decode()
    response = client.get("/subscribe/", {"article": value})
    assert response.status_code == 200 and 'name="article"' not in response.content.decode()


def test_a_draft_article_is_not_carried(client, commerce, make_article, story):
    # Presence first: a published story is carried by the same page.
    assert f'name="article" value="{story.pk}"' in client.get("/subscribe/", {"article": story.pk}).content.decode()
    draft = make_article(status=ArticleStatus.DRAFT)
    assert 'name="article"' not in client.get("/subscribe/", {"article": draft.pk}).content.decode()
    signup = choose(client, commerce.monthly, commerce.intro, draft)
    assert choice_from_next(next_of(signup)).article_id is None


def test_signing_up_with_an_address_that_has_an_account_still_leads_to_the_offer(client, commerce, story, fast_hashing):
    User.objects.create_user("owner@example.com", email="owner@example.com", password=PASSWORD)
    signup = choose(client, commerce.monthly, commerce.intro, story)
    client.post(signup, {"email": "owner@example.com", "password": "another passphrase 7", "next": next_of(signup)})
    assert mail.outbox[-1].subject == "Someone tried to create an account with your address"
    signin = re.search(r"https?://\S+/accounts/signin/\S*", mail.outbox[-1].body).group(0)
    assert next_of(signin) == next_of(signup)  # the owner's way back in goes on to the offer they chose
    signed_in = client.post(
        urlsplit(signin)._replace(scheme="", netloc="").geturl(),
        {"username": "owner@example.com", "password": PASSWORD, "next": next_of(signin)},
    )
    assert client.get(signed_in["Location"])["Location"].startswith("/payments/local/checkout/")
    assert Checkout.objects.get().source_article == story


@pytest.mark.parametrize("hidden", ["needs a code", "retention", "ended"])
def test_sign_up_names_only_an_offer_the_reader_could_have_seen(client, commerce, clock, hidden):
    from masthead.subscriptions.models import Offer

    secret = shop.offer_on_sale(
        clock,
        days=10,
        name="Staff only: 12 months free",
        slug="staff-secret",
        plan=commerce.monthly,
        kind="intro_price",
        intro_amount_minor=0,
        intro_intervals=12,
        code="STAFF",
    )
    if hidden == "retention":
        Offer.objects.filter(pk=secret.pk).update(code="", purpose="retention")
    if hidden == "ended":
        Offer.objects.filter(pk=secret.pk).update(code="", ends_at=clock.now)
    # Presence first: a public offer is named on the way through the account step.
    assert "Try 3 months for $9" in client.get(choose(client, commerce.monthly, commerce.intro)).content.decode()
    page = client.get(choose(client, commerce.monthly, secret)).content.decode()
    assert "<h1>Create a free account</h1>" in page  # the sign-up page, naming no offer
    assert "Staff only" not in page  # guessing ids reads no hidden offer's name


def test_sign_up_names_a_code_offer_when_the_right_code_came_with_it(client, commerce, clock):
    offer = shop.offer_on_sale(
        clock,
        days=10,
        name="Readers' club: 3 months for $1",
        slug="club",
        plan=commerce.monthly,
        kind="intro_price",
        intro_amount_minor=33,
        intro_intervals=3,
        code="CLUB",
    )
    response = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": offer.pk, "code": "club"})
    assert "Create your free account to start Readers&#x27; club" in client.get(response["Location"]).content.decode()


def test_the_check_your_email_page_signs_in_with_the_offer_still_chosen(client, commerce, story, fast_hashing):
    signup = choose(client, commerce.monthly, commerce.intro, story)
    sent = client.post(signup, {"email": "new@example.com", "password": PASSWORD, "next": next_of(signup)})
    page = sent.content.decode()
    assert "Check your email" in page
    section = page[page.index("Check your email</h1>") :]
    signin = re.search(r'href="(/accounts/signin/[^"]*)"', section).group(1).replace("&amp;", "&")
    assert "next=" in signin and next_of(signin) == next_of(signup)


def test_already_a_subscriber_signs_in_and_comes_back_with_the_article(client, commerce, story):
    page = client.get(f"/subscribe/?article={story.pk}").content.decode()
    assert "Already a subscriber?" in page
    signin = re.search(r'href="(/accounts/signin/\?next=[^"]*)"', page).group(1).replace("&amp;", "&")
    assert next_of(signin) == f"/subscribe/?article={story.pk}"
