"""Odd URLs, methods and bodies get a clear 4xx (or a normal page), never a 500."""

import pytest

pytestmark = pytest.mark.django_db

GETS = [
    "/politics/?page=-1",
    "/politics/?page=99999999999999999999",
    "/politics/?page=%00",
    "/politics/?page=%C2%B2",  # "²": str.isdigit() says yes, int() says no
    "/politics/?page=%E2%91%A0",  # "①"
    "/authors/nobody/",
    "/preview/abc/",
    "/preview/999999/",
    "/no-section/",
    "/politics/no-such-story/print/",
    "/accounts/verify/!!!/",
    "/accounts/password/reset/x/y/",
    "/payments/local/checkout/nope/",
    "/feeds/nope.rss",
    "/sitemap-nope.xml",
    "/subscribe/?next=javascript:alert(1)",
    "/media/../../etc/passwd",
    "/%E2%82%AC/",
    "/politics/%ZZ/",
    "/healthz?x=1",
]
POSTS = [
    ("/subscribe/checkout/", {"plan": "1; DROP TABLE"}),
    ("/subscribe/checkout/", {"plan": "1", "offer": "x"}),
    ("/accounts/signin/", {"username": "a" * 5000, "password": ""}),
    ("/accounts/signup/", {"email": "x@" + "y" * 300 + ".com", "password": "p"}),
    ("/payments/webhooks/stripe/", {"not": "json"}),
    ("/payments/webhooks/local/", {}),
    ("/account/subscription/cancel/", {"subscription": "-1"}),
]


@pytest.mark.parametrize("url", GETS)
def test_odd_urls_never_fail(client, make_article, url):
    make_article(slug="story")
    assert client.get(url).status_code < 500


@pytest.mark.parametrize(("url", "data"), POSTS)
def test_odd_posts_never_fail(client, url, data):
    assert client.post(url, data).status_code < 500


def test_wrong_methods_are_refused_cleanly(client, make_article):
    make_article(slug="story")
    assert client.get("/subscribe/checkout/").status_code == 405
    assert client.get("/payments/webhooks/stripe/").status_code == 405
    assert client.put("/politics/").status_code < 500
    assert client.delete("/politics/story/").status_code < 500


def test_a_webhook_for_an_unconfigured_provider_is_a_404(client):
    response = client.post("/payments/webhooks/stripe/", b"{}", content_type="application/json")
    assert response.status_code == 404
