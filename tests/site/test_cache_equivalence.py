"""A cached page is byte for byte the page rendered with every cache off, whoever read before.

Hypothesis plays random sequences of readers (anonymous browsers, registered readers, subscribers and a
verified crawler, several of each, signing in and out) over articles of every access level and the
listings. The same sequence is played twice from an empty meter: once with the worker's memories on
and warm from every earlier sequence, once with them off. Each response must be the same bytes, apart
from the CSP nonce. A fragment whose key missed something it prints (reader A's email served to
reader B, a banner of the wrong count, the panel of a signed-out reader) fails here.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.accounts.models import ReaderProfile
from masthead.core import memo
from masthead.paywall.models import MeterRead, MeterSettings, MeterWindow
from masthead.paywall.settings import RULES_CACHE_KEY
from tests.paywall.test_article_access import GOOGLEBOT_UA, dns  # noqa: F401 -- the fake DNS fixture

pytestmark = pytest.mark.django_db

_NONCE = re.compile(rb'nonce="[^"]*"')

PERSONAS = (
    "anonymous-1",
    "anonymous-2",
    "anonymous-3",
    "registered-1",
    "registered-2",
    "subscriber-1",
    "subscriber-2",
    "crawler",
)
ACTIONS = ("read", "read", "read", "read", "print", "front", "section", "sign in", "sign out")

# The publisher's free articles for anonymous and registered readers: equal limits make different
# readers reach equal meter positions on the same page, where a fragment key that forgets who is
# reading would show.
limits = st.tuples(st.integers(min_value=1, max_value=3), st.integers(min_value=1, max_value=3))
steps = st.lists(
    st.tuples(st.sampled_from(PERSONAS), st.sampled_from(ACTIONS), st.integers(min_value=0, max_value=4)),
    min_size=1,
    max_size=20,
)


@pytest.fixture
def newsroom(make_article, clock, dns):  # noqa: F811 -- dns is the fixture imported above
    set_limits(2, 3)
    articles = [
        make_article(access=level, body_html="".join(f"<p>{level} story {n}, paragraph {i}.</p>" for i in range(5)))
        for n, level in enumerate(("metered", "metered", "metered", "registered", "subscribers"))
    ]
    users = {}
    for persona in PERSONAS:
        if persona.startswith(("registered", "subscriber")):
            user = get_user_model().objects.create_user(
                username=f"{persona}@example.com", email=f"{persona}@example.com", password="a long passphrase"
            )
            if persona.startswith("subscriber"):
                ReaderProfile.objects.create(user=user, complimentary_access=True)
            elif persona == "registered-1":  # a confirmed address; registered-2's is not confirmed yet
                ReaderProfile.objects.create(user=user, email_verified_at=timezone.now())
            users[persona] = user
    return articles, users


def set_limits(anonymous: int, registered: int) -> None:
    MeterSettings.objects.update_or_create(
        pk=1, defaults={"anonymous_limit": anonymous, "registered_limit": registered}
    )
    memo.forget(RULES_CACHE_KEY)  # as the admin's save does


def play(sequence, articles, users) -> list[bytes]:
    """Each step's response body, from an empty meter and new browsers."""
    MeterRead.objects.all().delete()
    MeterWindow.objects.all().delete()
    browsers: dict[str, Client] = {}
    pages = []
    for persona, action, index in sequence:
        if persona not in browsers:
            browsers[persona] = Client()
            if persona in users:  # readers with an account start signed in; "sign out" and "sign in" toggle it
                browsers[persona].force_login(users[persona])
        browser = browsers[persona]
        article = articles[index]
        headers = {"HTTP_USER_AGENT": GOOGLEBOT_UA, "REMOTE_ADDR": "66.249.66.1"} if persona == "crawler" else {}
        if action == "sign in" and persona in users:
            browser.force_login(users[persona])
            continue
        if action == "sign out":
            browser.logout()
            continue
        path = {
            "read": article.get_absolute_url(),
            "sign in": article.get_absolute_url(),
            "print": article.get_print_url(),
            "front": "/",
            "section": article.section.get_absolute_url(),
        }[action]
        response = browser.get(path, **headers)
        assert response.status_code == 200, (persona, action, path, response.status_code)
        pages.append(_NONCE.sub(b'nonce=""', response.content))
    return pages


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(limits=limits, sequence=steps)
def test_cached_pages_equal_pages_rendered_with_every_cache_off(newsroom, limits, sequence):
    articles, users = newsroom
    set_limits(*limits)
    cached = play(sequence, articles, users)
    # With a lifetime of 0 the memories keep and serve nothing; what they hold stays warm for the next example.
    with override_settings(MASTHEAD_LOCAL_CACHE_SECONDS=0):
        uncached = play(sequence, articles, users)
    assert len(cached) == len(uncached)
    for step, (warm, cold) in enumerate(zip(cached, uncached, strict=True)):
        assert warm == cold, f"step {step} of {sequence}"


def test_the_comparison_sees_what_readers_see(newsroom):
    """Positive control: the pages compared are the articles, with each reader's own account links."""
    articles, users = newsroom
    pages = play([("registered-1", "read", 0), ("anonymous-1", "read", 4)], articles, users)
    assert articles[0].headline.encode() in pages[0]
    assert b"registered-1@example.com" in pages[0]
    assert articles[4].headline.encode() in pages[1]
    assert b"This article is for subscribers" in pages[1]
    assert b"registered-1@example.com" not in pages[1]
