"""The paywall as a reader meets it: counted on the server, with its messages, leaking nothing."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.contrib.auth.models import User

from masthead.accounts.models import ReaderProfile
from masthead.paywall import readers
from masthead.paywall.crawlers import CrawlerVerifier
from masthead.paywall.meter import InMemoryMeterStore, MeterUnavailable
from masthead.paywall.models import MeterSettings
from masthead.publishing.selectors import current_publication
from tests.controls import assert_article_page, assert_lists_article

pytestmark = pytest.mark.django_db


def paragraphs(tag: str, count: int = 6) -> str:
    return "".join(f"<p>{tag} paragraph {i} with words only a paying reader sees.</p>" for i in range(1, count + 1))


@pytest.fixture
def metered(make_article):
    return [make_article(body_html=paragraphs(f"Metered{n}"), dek=f"Dek {n}") for n in range(5)]


def body_of(response) -> str:
    return response.content.decode()


def test_a_new_reader_sees_the_meter_count_down_then_the_paywall(client, metered):
    pages = [assert_article_page(client.get(a.get_absolute_url()), a) for a in metered[:4]]
    assert "You have 2 free articles left this month" in pages[0]
    assert "You have 1 free article left this month" in pages[1]
    assert "This is your last free article this month" in pages[2]
    assert "Metered2 paragraph 6" in pages[2]
    wall = pages[3]
    assert "You have read all 3 free articles this month" in wall
    assert "Metered3 paragraph 1" in wall and "Metered3 paragraph 2" in wall
    assert "Metered3 paragraph 3" not in wall
    assert "Read all stories with unlimited access" in wall
    assert "See all offers and subscribe" in wall


def test_rereading_an_article_is_free(client, metered):
    for _ in range(3):
        client.get(metered[0].get_absolute_url())
    client.get(metered[1].get_absolute_url())
    assert "You have 1 free article left this month" in body_of(client.get(metered[1].get_absolute_url()))


def test_free_and_sponsored_articles_never_count(client, make_article, metered):
    free = make_article(access="free")
    sponsored = make_article(
        access="metered", sponsor="Acme", sponsor_disclosure="This content was commissioned by Acme."
    )
    for _ in range(2):
        client.get(free.get_absolute_url())
        client.get(sponsored.get_absolute_url())
    assert "You have 2 free articles left this month" in body_of(client.get(metered[0].get_absolute_url()))


def test_the_meter_resets_with_the_new_month(client, clock, metered, make_article):
    for article in metered[:3]:
        client.get(article.get_absolute_url())
    assert "You have read all 3" in body_of(client.get(metered[3].get_absolute_url()))
    clock.advance(days=20)  # Nov 15 → Dec 5
    assert "You have 2 free articles left this month" in body_of(client.get(metered[3].get_absolute_url()))


def test_the_meter_follows_the_clock_across_a_month_end_both_ways(client, clock, metered):
    publication = current_publication()
    publication.time_zone = "Asia/Tokyo"
    publication.save()
    november = dt.datetime(2026, 11, 30, 14, 59, tzinfo=dt.UTC)  # 23:59 in Tokyo
    clock.set(november)
    for article in metered[:3]:
        client.get(article.get_absolute_url())
    wall = client.get(metered[3].get_absolute_url())
    assert wall.status_code == 200 and metered[3].headline in body_of(wall)
    assert "You have read all 3" in body_of(wall)
    clock.advance(minutes=1)  # December 1 in Tokyo, still November in UTC
    assert "You have 2 free articles left this month" in body_of(client.get(metered[3].get_absolute_url()))
    clock.set(november)  # a clock set back finds November's count again
    assert "You have read all 3" in body_of(client.get(metered[4].get_absolute_url()))


def test_the_reader_cookie_is_signed_httponly_and_lax(client, metered):
    response = client.get(metered[0].get_absolute_url())
    cookie = response.cookies["mh_reader"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_the_paywall_sends_a_reader_back_to_the_page_they_were_on(client, metered):
    from urllib.parse import quote

    for article in metered[:3]:
        client.get(article.get_absolute_url())
    target = metered[3]
    page = body_of(client.get(target.get_absolute_url()))
    printed = body_of(client.get(target.get_print_url()))
    assert f"?next={quote(target.get_absolute_url())}" in page
    assert f"?next={quote(target.get_print_url())}" in printed


def test_a_forged_cookie_counts_as_a_new_reader_never_as_someone_else(client, metered):
    for article in metered[:3]:
        client.get(article.get_absolute_url())
    original = client.cookies["mh_reader"].value
    client.cookies["mh_reader"] = original[:-3] + ("AAA" if not original.endswith("AAA") else "BBB")
    response = client.get(metered[3].get_absolute_url())
    assert "You have 2 free articles left this month" in body_of(response)
    assert response.cookies["mh_reader"].value != original


def test_a_reader_cookie_stops_counting_when_the_secret_key_is_rotated_away(client, metered, settings):
    for article in metered[:3]:
        client.get(article.get_absolute_url())  # the cookie is now known as a spent meter
    original = client.cookies["mh_reader"].value
    settings.SECRET_KEY = "a-new-secret-key-for-this-site-" + "x" * 30
    response = client.get(metered[3].get_absolute_url())
    assert "You have 2 free articles left this month" in body_of(response)  # a new reader, not the old one
    assert response.cookies["mh_reader"].value != original


def test_a_reader_cookie_keeps_counting_while_the_old_key_is_a_fallback(client, metered, settings):
    for article in metered[:3]:
        client.get(article.get_absolute_url())
    original = client.cookies["mh_reader"].value
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-this-site-" + "x" * 30
    response = client.get(metered[3].get_absolute_url())
    assert response.status_code == 200 and metered[3].headline in body_of(response)
    assert "You have read all 3 free articles this month" in body_of(response)  # still the same reader
    assert "mh_reader" not in response.cookies
    assert client.cookies["mh_reader"].value == original


def test_subscriber_articles_need_an_entitlement(client, make_article):
    article = make_article(access="subscribers", body_html=paragraphs("Exclusive"))
    wall = assert_article_page(client.get(article.get_absolute_url()), article)
    assert "This article is for subscribers" in wall and "Exclusive paragraph 3" not in wall
    user = User.objects.create_user("reader@example.com", password="correct horse battery")
    client.force_login(user)
    assert "Exclusive paragraph 3" not in assert_article_page(client.get(article.get_absolute_url()), article)
    ReaderProfile.objects.create(user=user, complimentary_access=True)
    assert "Exclusive paragraph 6" in body_of(client.get(article.get_absolute_url()))


def test_registered_articles_open_for_signed_in_readers(client, make_article):
    article = make_article(access="registered", body_html=paragraphs("Members"))
    wall = assert_article_page(client.get(article.get_absolute_url()), article)
    assert "Register to continue reading" in wall and "Members paragraph 3" not in wall
    client.force_login(User.objects.create_user("r@example.com", password="correct horse battery"))
    assert "Members paragraph 6" in body_of(client.get(article.get_absolute_url()))


def test_section_default_applies_when_the_article_sets_none(client, make_article, section):
    section.default_access = "subscribers"
    section.save()
    article = make_article(access="", body_html=paragraphs("Sectioned"))
    page = assert_article_page(client.get(article.get_absolute_url()), article)
    assert "Sectioned paragraph 2" in page and "Sectioned paragraph 3" not in page


def test_the_editors_paywall_marker_and_the_publishers_teaser_length(client, make_article):
    MeterSettings.objects.create(anonymous_limit=0, teaser_blocks=1)
    marked = make_article(body_html='<p>One</p><p>Two</p><p>Three</p><hr class="paywall"><p>Four</p>')
    plain = make_article(body_html=paragraphs("Plain"))
    marked_html = assert_article_page(client.get(marked.get_absolute_url()), marked)
    assert "<p>Three</p>" in marked_html and "<p>Four</p>" not in marked_html
    plain_html = assert_article_page(client.get(plain.get_absolute_url()), plain)
    assert "Plain paragraph 1" in plain_html and "Plain paragraph 2" not in plain_html


def exhaust(client, articles):
    for article in articles:
        client.get(article.get_absolute_url())


def test_no_road_leaks_paywalled_text(client, metered):
    exhaust(client, metered[:3])
    target = metered[4]
    url = target.get_absolute_url()
    secret = "Metered4 paragraph 3"
    month_sitemap = f"sitemap-articles-{target.publish_at:%Y-%m}.xml"

    # What each road must show before its lack of the secret means anything.
    def the_article(response):
        page = assert_article_page(response, target)
        assert "You have read all 3 free articles this month" in page  # the teaser, not the whole story
        return page

    def a_listing(response):
        return assert_lists_article(response, target)

    def the_sitemap_index(response):
        assert response.status_code == 200 and month_sitemap in body_of(response)
        return body_of(response)

    def not_found(response):
        assert response.status_code == 404  # paths are lower case: no second address for the article
        return body_of(response)

    roads = [
        (url, the_article),
        (url + "?full=1", the_article),
        (url + "?amp=1&utm_source=x", the_article),
        (url.rstrip("/"), the_article),
        (url.upper(), not_found),
        (target.get_print_url(), the_article),
        (target.get_print_url() + "?print=true", the_article),
        ("/feeds/latest.rss", a_listing),
        ("/feeds/latest.atom", a_listing),
        ("/feeds/politics.rss", a_listing),
        (f"/{month_sitemap}", a_listing),
        ("/sitemap.xml", the_sitemap_index),
        ("/", a_listing),
        ("/politics/", a_listing),
    ]
    for road, looks_like in roads:
        assert secret not in looks_like(client.get(road, follow=True)), road
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"].startswith("text/html")
    assert head.content == b""
    for referer in ("https://www.google.com/", "https://t.co/abc", "https://facebook.com/"):
        assert secret not in the_article(client.get(url, HTTP_REFERER=referer)), referer


def test_structured_data_and_meta_tags_carry_only_the_teaser(client, metered):
    exhaust(client, metered[:3])
    html = assert_article_page(client.get(metered[4].get_absolute_url()), metered[4])
    data = json.loads(re.search(r'<script type="application/ld\+json"[^>]*>(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "NewsArticle"
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"] == {
        "@type": "WebPageElement",
        "isAccessibleForFree": False,
        "cssSelector": ".paywalled-content",
    }
    assert "Metered4 paragraph 2" in data["articleBody"] and "Metered4 paragraph 3" not in data["articleBody"]
    assert '<meta name="description" content="Dek 4">' in html
    assert '<meta property="og:description" content="Dek 4">' in html
    assert 'class="paywalled-content"' not in html


def test_entitlement_dependent_pages_are_never_shared_cache_material(client, metered):
    response = client.get(metered[0].get_absolute_url())
    assert "private" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    print_response = client.get(metered[0].get_print_url())
    assert "private" in print_response["Cache-Control"]


def test_a_head_request_does_not_spend_a_free_article(client, metered):
    client.head(metered[0].get_absolute_url())
    client.head(metered[1].get_absolute_url())
    assert "You have 2 free articles left this month" in body_of(client.get(metered[2].get_absolute_url()))


class FakeDNS:
    def __init__(self, reverse: dict[str, str], forward: dict[str, list[str]]):
        self.reverse_map, self.forward_map = reverse, forward

    def reverse(self, ip: str) -> str:
        if ip not in self.reverse_map:
            raise OSError("no PTR record")
        return self.reverse_map[ip]

    def forward(self, host: str) -> list[str]:
        if host not in self.forward_map:
            raise OSError("no A record")
        return self.forward_map[host]


GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@pytest.fixture
def dns(monkeypatch, settings):
    fake = FakeDNS(
        reverse={"66.249.66.1": "crawl-66-249-66-1.googlebot.com", "203.0.113.9": "crawl.googlebot.com.evil.example"},
        forward={
            "crawl-66-249-66-1.googlebot.com": ["66.249.66.1"],
            "crawl.googlebot.com.evil.example": ["203.0.113.9"],
        },
    )
    monkeypatch.setattr(
        readers,
        "crawler_verifier",
        lambda: CrawlerVerifier(
            domains=tuple(settings.MASTHEAD_CRAWLER_DOMAINS),
            agents=tuple(settings.MASTHEAD_CRAWLER_AGENTS),
            reverse=fake.reverse,
            forward=fake.forward,
        ),
    )
    return fake


def test_a_verified_crawler_reads_the_full_text_with_paywall_markup(client, dns, make_article):
    article = make_article(access="subscribers", body_html=paragraphs("Indexed"))
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=GOOGLEBOT_UA, REMOTE_ADDR="66.249.66.1")
    html = assert_article_page(response, article)
    assert "Indexed paragraph 6" in html
    assert '<div class="paywalled-content">' in html
    assert "Indexed paragraph 1" not in html.split('<div class="paywalled-content">')[1]


@pytest.mark.parametrize("ip", ["203.0.113.9", "198.51.100.7", "not-an-ip"])
def test_a_spoofed_googlebot_gets_the_teaser(client, dns, make_article, ip):
    article = make_article(access="subscribers", body_html=paragraphs("Spoofed"))
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=GOOGLEBOT_UA, REMOTE_ADDR=ip)
    html = assert_article_page(response, article)
    assert "This article is for subscribers" in html
    assert "Spoofed paragraph 3" not in html


def test_forward_dns_must_point_back_to_the_same_address(dns):
    verifier = CrawlerVerifier(("googlebot.com",), ("Googlebot",), dns.reverse, dns.forward)
    assert verifier.address_verified("66.249.66.1")  # both ways agree: verified
    dns.forward_map["crawl-66-249-66-1.googlebot.com"] = ["66.249.66.2"]
    assert not verifier.address_verified("66.249.66.1")


class BrokenStore(InMemoryMeterStore):
    def state(self, *args, **kwargs):
        raise MeterUnavailable("connection refused")

    record = state


@pytest.mark.parametrize(("mode", "opens"), [("open", True), ("closed", False)])
def test_an_unreachable_meter_store_fails_as_configured(client, monkeypatch, settings, metered, caplog, mode, opens):
    settings.MASTHEAD_METER_FAIL = mode
    monkeypatch.setattr("masthead.paywall.services.meter_store", BrokenStore)
    page = assert_article_page(client.get(metered[0].get_absolute_url()), metered[0])
    assert ("Metered0 paragraph 6" in page) is opens
    assert "meter store unavailable" in caplog.text


def googlebot_body(client, article, *, remote: str, forwarded: str) -> str:
    """The article's page as a Googlebot user agent gets it from ``remote``, which says it came from ``forwarded``."""
    response = client.get(
        article.get_absolute_url(), HTTP_USER_AGENT=GOOGLEBOT_UA, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )
    return assert_article_page(response, article)


def test_behind_our_proxy_a_verified_crawler_is_recognised_by_the_forwarded_address(
    client, dns, make_article, settings
):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    article = make_article(access="subscribers", body_html=paragraphs("Proxied"))
    crawler = googlebot_body(client, article, remote="127.0.0.1", forwarded="66.249.66.1")
    assert "Proxied paragraph 6" in crawler


def test_a_forged_forwarded_address_gets_the_teaser(client, dns, make_article, settings):
    settings.MASTHEAD_TRUSTED_PROXIES = ["127.0.0.1"]
    article = make_article(access="subscribers", body_html=paragraphs("Forged"))
    # Straight to the app, not through the proxy; and through the proxy with a forged first hop.
    direct = googlebot_body(client, article, remote="198.51.100.7", forwarded="66.249.66.1")
    forged = googlebot_body(client, article, remote="127.0.0.1", forwarded="66.249.66.1, 198.51.100.7")
    for page in (direct, forged):
        assert "This article is for subscribers" in page
        assert "Forged paragraph 3" not in page
