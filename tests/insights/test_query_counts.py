"""The dashboard costs a fixed number of queries, whatever the range, the archive or the rows.

Counts, not timings: bench/insights.py times the page over a million decisions.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from masthead.insights.models import Conversion, DecisionCount, Outcome
from masthead.publishing.models import Article, ArticleStatus, Section
from tests.insights.conftest import convert

pytestmark = pytest.mark.django_db

URL = "/admin/insights/"
# A request after the first (the publication, the sections and the user's row are remembered a few
# seconds): the session, the user's permissions (their own and their groups'), then the tables:
# decisions by day 1; then the article and section tables from one read: the sums per article of
# decisions and of conversions, and the articles' headlines (3). The publisher's page adds unique readers
# by day (1, from the meter's rows) and the business's tables (14, business.BUSINESS_QUERIES less the
# publication it shares). A CSV file computes its own table only.
QUERIES = {
    "publisher page": 22,
    "editor page": 6,
    "articles.csv": 6,
}


def more_of_everything(section: Section, *, articles: int, days: int) -> None:
    """``articles`` more stories, each read every day of ``days`` with every outcome, and converting."""
    business = Section.objects.create(name=f"More {articles}", slug=f"more-{articles}", position=5)
    stories = Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"more-{articles}-{n}",
            section=section if n % 2 else business,
            status=ArticleStatus.PUBLISHED,
            publish_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            version=1,
        )
        for n in range(articles)
    )
    start = dt.date(2026, 11, 15) - dt.timedelta(days=days - 1)
    DecisionCount.objects.bulk_create(
        DecisionCount(day=start + dt.timedelta(days=d), article=story, outcome=outcome, count=d + 1)
        for story, d, outcome in itertools.product(stories, range(days), Outcome)
    )
    for story in stories:
        convert(Conversion.Kind.PAID, "2026-11-15", story)


def count(client, django_assert_num_queries, url: str, expected: int, **query) -> str:
    client.get(url, query)  # remember the publication and the sections
    with django_assert_num_queries(expected):
        response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode("utf-8")


def test_the_publishers_page(client, publisher, funnel, django_assert_num_queries):
    client.force_login(publisher)
    html = count(client, django_assert_num_queries, URL, QUERIES["publisher page"])
    assert "Budget talks stall" in html and "<svg" in html


def test_the_editors_page(client, editor, funnel, django_assert_num_queries):
    client.force_login(editor)
    html = count(client, django_assert_num_queries, URL, QUERIES["editor page"])
    assert "Budget talks stall" in html


def test_a_csv_file(client, publisher, funnel, django_assert_num_queries):
    client.force_login(publisher)
    text = count(client, django_assert_num_queries, f"{URL}articles.csv", QUERIES["articles.csv"])
    assert "Budget talks stall" in text


def test_the_count_stays_the_same_with_more_articles_days_and_sections(
    client, publisher, funnel, django_assert_num_queries
):
    more_of_everything(funnel.politics, articles=30, days=120)
    client.force_login(publisher)
    html = count(
        client, django_assert_num_queries, URL, QUERIES["publisher page"], start="2026-01-01", end="2026-11-15"
    )
    assert "Story 29" in html and "(the first 100 of 319 rows" in html
    html = count(
        client,
        django_assert_num_queries,
        URL,
        QUERIES["publisher page"],
        start="2026-01-01",
        end="2026-11-15",
        sort="articles.views",
        dir="asc",
        section="politics",
    )
    assert "Story 29" in html
