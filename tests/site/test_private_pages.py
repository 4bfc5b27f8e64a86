"""Finding 21: every page that depends on the reader says ``Cache-Control: private`` and ``Vary: Cookie``.

One mechanism does it (site.middleware.PrivateReaderMiddleware): a response to a request that carries a
session, or whose handling touched the session (the signed-in user, messages), is private unless the
view already said private or public. The walk below signs in and asks every reader URL.
"""

import pytest
from django.contrib.auth.models import User
from django.utils.cache import get_max_age

from masthead.subscriptions.models import Plan

pytestmark = pytest.mark.django_db


def cache_control(response) -> set[str]:
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def vary(response) -> set[str]:
    return {part.strip().lower() for part in response.get("Vary", "").split(",") if part.strip()}


@pytest.fixture
def site(make_article, author):
    article = make_article(authors=[author], access="free")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, interval="month")
    return article, plan


@pytest.fixture
def reader(client):
    user = User.objects.create_user("reader@example.com", email="reader@example.com", password="a sturdy passphrase 42")
    client.force_login(user)
    return user


def reader_urls(client, article, plan) -> list[str]:
    checkout = client.post("/subscribe/checkout/", {"plan": plan.pk})["Location"]
    assert checkout.startswith("/payments/local/checkout/")
    return [
        "/",
        "/politics/",
        "/politics/?page=2",
        f"/authors/{article.articleauthor_set.first().author.slug}/",
        article.get_absolute_url(),
        article.get_print_url(),
        "/subscribe/",
        "/subscribe/?code=SPRING",
        "/accounts/",
        "/accounts/password/change/",
        "/accounts/signout/",
        checkout,
        "/no-such-page/",
        "/feeds/latest.rss",
        "/sitemap.xml",
        "/robots.txt",
    ]


def test_every_reader_page_is_private_when_signed_in(client, site, reader):
    article, plan = site
    for url in reader_urls(client, article, plan):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if url == "/subscribe/":
            assert "reader@example.com" in response.content.decode()  # it does show who is reading
        assert "private" in cache_control(response), f"{url}: {response.get('Cache-Control')!r}"
        assert "public" not in cache_control(response), url
        assert "cookie" in vary(response), f"{url}: {response.get('Vary')!r}"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/subscribe/checkout/", {"plan": "<the plan's id>"}),
        ("/account/subscription/cancel/", {"subscription": "1"}),
        ("/accounts/verify/send/", {}),
    ],
)
def test_answers_to_a_signed_in_readers_posts_are_private(client, site, reader, path, data):
    _, plan = site
    # Ids are the database's own (PostgreSQL's sequences are not reset between tests).
    response = client.post(
        path, {name: plan.pk if value == "<the plan's id>" else value for name, value in data.items()}
    )
    assert response.status_code == 302
    assert "private" in cache_control(response)


def test_an_anonymous_listing_stays_shareable(client, site):
    article, _ = site
    response = client.get("/politics/")
    assert response.status_code == 200 and article.headline in response.content.decode()
    assert "private" not in cache_control(response)


def test_a_response_that_says_public_stays_public(client, site, reader, settings, tmp_path):
    settings.MASTHEAD_SERVE_MEDIA = True
    (settings.MEDIA_ROOT / "images").mkdir(parents=True)
    (settings.MEDIA_ROOT / "images" / "a.txt").write_text("same for everyone")
    response = client.get("/media/images/a.txt")
    assert response.status_code == 200
    assert "public" in cache_control(response) and "private" not in cache_control(response)
    assert get_max_age(response) == 86400


def test_a_private_no_store_page_keeps_no_store(client, site, reader):
    response = client.get("/accounts/")
    assert {"private", "no-store"} <= cache_control(response)


def test_a_form_that_sets_this_readers_csrf_cookie_is_private(client, site):
    response = client.get("/accounts/signin/")
    assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
    assert response.cookies  # the token's cookie is set with it
    assert "private" in cache_control(response) and "cookie" in vary(response)


def test_signing_in_answers_privately(client, site):
    User.objects.create_user("reader@example.com", email="reader@example.com", password="a sturdy passphrase 42")
    response = client.post(
        "/accounts/signin/", {"username": "reader@example.com", "password": "a sturdy passphrase 42"}
    )
    assert response.status_code == 302
    assert "private" in cache_control(response)
