"""Crawler verification is bounded: a timeout, a cap on lookups in flight, and a negative cache.

A client that rotates IPv6 addresses with a Googlebot user agent made one blocking reverse and forward
DNS lookup per address in the request path, tying up worker threads for as long as the resolver took.
"""

import threading
import time

import pytest

from masthead.paywall import readers
from masthead.paywall.crawlers import CrawlerVerifier, Verdict
from tests.controls import assert_article_page

pytestmark = pytest.mark.django_db

GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
GOOGLE_V6 = "2001:4860:4801:10::1"


class CountingDNS:
    """Google's one crawler address resolves both ways; anything else has no PTR record. Counts lookups."""

    def __init__(self) -> None:
        self.reverse_calls: list[str] = []
        self.release = threading.Event()
        self.release.set()  # lookups answer at once unless a test holds them
        self.lock = threading.Lock()

    def reverse(self, ip: str) -> str:
        with self.lock:
            self.reverse_calls.append(ip)
        self.release.wait(10)
        if ip in ("66.249.66.1", GOOGLE_V6):
            return "crawl-1.googlebot.com"
        raise OSError("no PTR record")

    def forward(self, host: str) -> list[str]:
        return ["66.249.66.1", GOOGLE_V6]


@pytest.fixture
def dns(monkeypatch, settings):
    fake = CountingDNS()
    verifier = CrawlerVerifier(
        domains=tuple(settings.MASTHEAD_CRAWLER_DOMAINS),
        agents=tuple(settings.MASTHEAD_CRAWLER_AGENTS),
        reverse=fake.reverse,
        forward=fake.forward,
        timeout=0.3,
        max_in_flight=2,
    )
    monkeypatch.setattr(readers, "crawler_verifier", lambda: verifier)
    yield fake
    fake.release.set()


def full_text(client, article, ip: str) -> bool:
    """Whether the article's page (asserted to be it: 200, headline, opening) has its last paragraph."""
    response = client.get(article.get_absolute_url(), HTTP_USER_AGENT=GOOGLEBOT_UA, REMOTE_ADDR=ip)
    return "Bounded paragraph 6" in assert_article_page(response, article)


@pytest.fixture
def article(make_article):
    return make_article(access="subscribers", body_html="".join(f"<p>Bounded paragraph {i}.</p>" for i in range(1, 7)))


def test_a_verified_crawler_is_looked_up_once(client, dns, article):
    assert full_text(client, article, GOOGLE_V6)
    assert full_text(client, article, GOOGLE_V6)
    assert dns.reverse_calls == [GOOGLE_V6]


def test_a_slow_resolver_is_given_up_on_and_the_reader_gets_the_teaser(client, dns, article):
    assert full_text(client, article, "66.249.66.1")  # the positive control
    dns.release.clear()  # the resolver hangs from now on
    started = time.monotonic()
    assert not full_text(client, article, GOOGLE_V6)
    assert time.monotonic() - started < 3  # well under the resolver's own minutes
    dns.release.set()


def test_rotating_addresses_in_one_network_are_looked_up_once(client, dns, article):
    for n in range(1, 101):
        assert not full_text(client, article, f"2001:db8:1:2::{n:x}")
    assert len(dns.reverse_calls) == 1
    assert not full_text(client, article, "2001:db8:1:3::1")  # another /64 is asked about
    assert len(dns.reverse_calls) == 2


def test_lookups_in_flight_are_capped(dns, settings):
    verifier = readers.crawler_verifier()
    dns.release.clear()
    answers = []
    held = [
        threading.Thread(target=lambda ip=ip: answers.append(verifier.verify_bounded(ip)))
        for ip in ("2001:db8::1", "2001:db8:0:1::1")
    ]
    for thread in held:
        thread.start()
    deadline = time.monotonic() + 5
    while len(dns.reverse_calls) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(dns.reverse_calls) == 2  # both slots are taken by hanging lookups
    started = time.monotonic()
    assert verifier.verify_bounded("2001:db8:0:2::1") == Verdict.BUSY  # over the cap: not verified, at once
    assert time.monotonic() - started < 0.2
    assert len(dns.reverse_calls) == 2  # and no third lookup was started
    for thread in held:
        thread.join()
    assert answers == [Verdict.TIMED_OUT, Verdict.TIMED_OUT]  # both given up on at the timeout
    dns.release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and verifier.verify_bounded(GOOGLE_V6) != Verdict.VERIFIED:
        time.sleep(0.05)  # the slots come back as the hung lookups end
    assert verifier.verify_bounded(GOOGLE_V6) == Verdict.VERIFIED


def test_a_refusal_over_the_cap_is_not_remembered(client, dns, article):
    dns.release.clear()
    verifier = readers.crawler_verifier()
    hung = [threading.Thread(target=verifier.verify_bounded, args=(ip,)) for ip in ("2001:db8::1", "2001:db8:0:1::1")]
    for thread in hung:
        thread.start()
    for thread in hung:
        thread.join()
    assert not full_text(client, article, GOOGLE_V6)  # no slot: the teaser
    dns.release.set()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not full_text(client, article, GOOGLE_V6):
        time.sleep(0.05)
    assert full_text(client, article, GOOGLE_V6)  # as soon as a slot is free, without waiting out a cache


def test_a_timeout_is_remembered_only_briefly(client, dns, article, monkeypatch):
    stored = []
    original = readers.cache.set
    monkeypatch.setattr(
        readers.cache, "set", lambda key, value, timeout=None: stored.append(timeout) or original(key, value, timeout)
    )
    assert not full_text(client, article, "2001:db8:9::1")  # a definite "no"
    dns.release.clear()
    assert not full_text(client, article, "2001:db8:7::1")  # the resolver hangs: "don't know"
    dns.release.set()
    assert stored == [readers.CRAWLER_NEGATIVE_SECONDS, readers.CRAWLER_UNKNOWN_SECONDS]
    assert readers.CRAWLER_UNKNOWN_SECONDS <= 60 < readers.CRAWLER_NEGATIVE_SECONDS
