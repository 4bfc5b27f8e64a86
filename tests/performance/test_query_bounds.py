"""The hot paths do a small, fixed number of queries, whatever the size of the archive or the meter.

Counts, not timings: speed is measured by `make bench`.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches

from masthead.core import clock, memo
from masthead.paywall.models import MeterRead
from masthead.publishing.models import Article, ArticleAuthor, ArticleStatus, Author
from masthead.subscriptions.models import Plan, Subscription
from tests.controls import assert_article_page, assert_lists_article

pytestmark = pytest.mark.django_db

# Queries for one article request once its page shell is warm (the usual case): the article's head,
# then the meter (a new reader: one insert; a known reader: one read); sessions add theirs.
ARTICLE_QUERIES = {
    "new anonymous reader": 1,  # the first-read insert (the article's head is remembered a few seconds)
    "returning anonymous reader": 1,  # meter state (+ the atomic count when a new article counts)
    "over-quota reader": 1,  # meter state
    "subscriber": 1,  # session (the user row is remembered a few seconds, the entitlement a minute)
}


def archive(section, count: int) -> list[Article]:
    author = Author.objects.create(name=f"Writer {count}", slug=f"writer-{count}")
    now = clock.now()
    articles = Article.objects.bulk_create(
        Article(
            headline=f"Story {i}",
            slug=f"story-{count}-{i}",
            section=section,
            status=ArticleStatus.PUBLISHED,
            publish_at=now - dt.timedelta(minutes=i + 1),
            blocks=[{"kind": "paragraph", "html": "<p>x</p>", "text": "x"}] * 6,
            version=1,
        )
        for i in range(count)
    )
    ArticleAuthor.objects.bulk_create(ArticleAuthor(article=a, author=author) for a in articles)
    return articles


def warm(client, url: str) -> None:
    client.get(url)
    client.cookies.clear()


@pytest.fixture
def readers(client, make_article):
    article = make_article(body_html="".join(f"<p>Paragraph {i}.</p>" for i in range(6)))
    others = [make_article() for _ in range(3)]
    warm(client, article.get_absolute_url())
    return article, others


def count_queries(django_assert_num_queries, client, article: Article, expected: int) -> str:
    """Read ``article`` in exactly ``expected`` queries; returns the page, which must be the article's.

    The page check keeps a cheap wrong answer (a 404, an error page) from passing for the page itself.
    """
    with django_assert_num_queries(expected):
        response = client.get(article.get_absolute_url())
    return assert_article_page(response, article)


def test_a_new_anonymous_reader(client, readers, django_assert_num_queries):
    article, _ = readers
    count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["new anonymous reader"])


def test_a_returning_reader_rereading(client, readers, django_assert_num_queries):
    article, _ = readers
    client.get(article.get_absolute_url())
    count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["returning anonymous reader"])


def test_an_over_quota_reader(client, readers, django_assert_num_queries):
    article, others = readers
    for other in others:
        client.get(other.get_absolute_url())
    # The first paywall panel a worker renders reads the offers and plans it lists; later ones are kept.
    count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["over-quota reader"] + 2)
    html = count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["over-quota reader"])
    assert "paywall-panel" in html


def test_a_subscriber(client, readers, django_assert_num_queries):
    article, _ = readers
    user = User.objects.create_user("s@example.com", password="x" * 12)
    now = clock.now()
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200)
    Subscription.objects.create(
        user=user,
        plan=plan,
        status="active",
        provider="local",
        ever_paid=True,
        current_period_end=now + dt.timedelta(days=20),
        created_at=now,
    )
    client.force_login(user)
    client.get(article.get_absolute_url())
    html = count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["subscriber"])
    assert "Paragraph 5." in html


def test_the_meter_table_size_does_not_change_the_count(client, readers, django_assert_num_queries):
    article, _ = readers
    MeterRead.objects.bulk_create(
        MeterRead(reader_key=f"a:someone{i}", window_key="2026-11", article_id=i, read_at=clock.now())
        for i in range(2000)
    )
    client.get(article.get_absolute_url())
    count_queries(django_assert_num_queries, client, article, ARTICLE_QUERIES["returning anonymous reader"])


LISTINGS = [
    "/",
    "/politics/",
    "/politics/?page=3",
    "/authors/{author}/",
    "/sitemap.xml",
    "/sitemap-articles-{month}.xml",
]


def listing_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    caches["default"].clear()
    memo.forget_everything()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_listing_costs_do_not_grow_with_the_archive(client, section):
    archive(section, 60)
    client.get("/")  # the publication's row is created on first use
    month = f"{clock.now():%Y-%m}"
    small = {url: listing_queries(client, url.format(author="writer-60", month=month)) for url in LISTINGS}
    archive(section, 2000)
    large = {url: listing_queries(client, url.format(author="writer-2000", month=month)) for url in LISTINGS}
    assert small == large, (small, large)
    assert max(small.values()) <= 20


def test_a_warm_front_page_needs_no_query(client, section, django_assert_num_queries):
    newest = archive(section, 30)[0]
    client.get("/")
    with django_assert_num_queries(0):
        response = client.get("/")
    assert_lists_article(response, newest)
