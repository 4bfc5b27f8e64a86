"""Who may read ``GET /metrics``: nobody by default; then the token, the allow-list, or both."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings

from masthead.core import memo
from masthead.publishing.models import RESERVED_SLUGS
from masthead.publishing.selectors import current_publication
from tests.insights.metrics_scrape import TOKEN, bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def token_on(settings):
    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    settings.MASTHEAD_METRICS_ALLOW = []
    return settings


@pytest.fixture
def allow_on(settings):
    settings.MASTHEAD_METRICS_TOKEN = ""
    settings.MASTHEAD_METRICS_ALLOW = ["10.0.0.0/24", "2001:db8::/32"]
    settings.MASTHEAD_TRUSTED_PROXIES = []
    return settings


def is_scrape(response) -> bool:
    return response.status_code == 200 and b"# TYPE masthead_paywall_decisions_total counter" in response.content


def test_the_metrics_are_off_by_default(client, settings):
    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    assert is_scrape(client.get("/metrics", **bearer()))  # the endpoint exists and answers when on
    settings.MASTHEAD_METRICS_TOKEN = ""
    settings.MASTHEAD_METRICS_ALLOW = []
    off = client.get("/metrics", **bearer())
    assert off.status_code == 404
    assert b"masthead_" not in off.content


def test_the_default_settings_leave_them_off(client):
    assert django_settings.MASTHEAD_METRICS_TOKEN == ""
    assert django_settings.MASTHEAD_METRICS_ALLOW == []
    assert client.get("/metrics").status_code == 404


def test_the_right_token_reads_them(client, token_on):
    response = client.get("/metrics", **bearer())
    assert is_scrape(response)
    assert response["Cache-Control"] == "private, no-store"
    # The scheme's case is free (RFC 7235); the token's is not.
    assert is_scrape(client.get("/metrics", HTTP_AUTHORIZATION=f"bearer {TOKEN}"))


@pytest.mark.parametrize(
    "authorization",
    [
        None,  # missing
        "",
        "Bearer",
        "Bearer ",
        f"Bearer {TOKEN[:-1]}",  # a prefix of the token
        f"Bearer {TOKEN}x",  # the token and more
        f"Bearer {TOKEN.swapcase()}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ünïcödé-and-more",
        "Bearer " + "x" * 10_000,
    ],
)
def test_a_wrong_or_missing_token_is_refused_with_403(client, token_on, authorization):
    assert is_scrape(client.get("/metrics", **bearer()))  # the right token is let in
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    refused = client.get("/metrics", **headers)
    assert refused.status_code == 403
    assert refused["Cache-Control"] == "private, no-store"
    assert b"masthead_" not in refused.content


def test_the_refusal_is_in_the_publications_language(client, token_on):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    memo.forget_everything()
    refused = client.get("/metrics")
    assert refused.status_code == 403
    assert "トークン" in refused.content.decode()


@pytest.mark.parametrize("remote", ["10.0.0.5", "10.0.0.254", "2001:db8::7", "::ffff:10.0.0.9"])
def test_an_allowed_address_reads_them_without_a_token(client, allow_on, remote):
    assert is_scrape(client.get("/metrics", REMOTE_ADDR=remote))


@pytest.mark.parametrize("remote", ["10.0.1.5", "192.0.2.1", "2001:db9::1", "::ffff:10.0.1.9", "", "not-an-address"])
def test_an_address_outside_the_list_is_refused_with_403(client, allow_on, remote):
    assert is_scrape(client.get("/metrics", REMOTE_ADDR="10.0.0.5"))
    refused = client.get("/metrics", REMOTE_ADDR=remote, **bearer())
    assert refused.status_code == 403
    assert b"masthead_" not in refused.content


def test_a_forwarded_address_counts_only_through_our_own_proxy(client, allow_on):
    # Without trusted proxies, X-Forwarded-For is the sender's say-so and is ignored.
    assert is_scrape(client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="192.0.2.1"))
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.5").status_code == 403

    allow_on.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    # Through our proxy: the client it names is the one checked.
    assert is_scrape(client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5"))
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1").status_code == 403
    # A forged first hop, through the proxy: the proxy appended the real client, which is checked.
    forged = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.5, 192.0.2.1")
    assert forged.status_code == 403
    # Straight to the app from elsewhere, claiming an allowed address.
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="10.0.0.5").status_code == 403


def test_with_a_token_and_an_allow_list_a_scrape_needs_both(client, settings):
    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    settings.MASTHEAD_METRICS_ALLOW = ["10.0.0.5"]
    assert is_scrape(client.get("/metrics", REMOTE_ADDR="10.0.0.5", **bearer()))
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.6", **bearer()).status_code == 403


def test_only_get_and_head(client, token_on):
    assert client.head("/metrics", **bearer()).status_code == 200
    assert client.post("/metrics", **bearer()).status_code == 405


def test_a_scraper_asking_for_openmetrics_gets_it(client, token_on):
    response = client.get("/metrics", HTTP_ACCEPT="application/openmetrics-text; version=1.0.0", **bearer())
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/openmetrics-text")
    assert response.content.endswith(b"# EOF\n")


@pytest.mark.parametrize(
    "accept",
    ["application/openmetrics-text; version=x", "application/openmetrics-text; version=1.x", "text/plain; version=x.1"],
)
def test_a_garbled_accept_header_gets_the_plain_text(client, token_on, accept):
    response = client.get("/metrics", HTTP_ACCEPT=accept, **bearer())
    assert is_scrape(response)
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


def test_metrics_is_no_section_slug(client, token_on):
    """/metrics/ is not a section page that could hide, or be hidden by, the endpoint."""
    assert "metrics" in RESERVED_SLUGS
    assert is_scrape(client.get("/metrics", **bearer()))
    assert client.get("/metrics/").status_code == 404
