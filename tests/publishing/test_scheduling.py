import datetime as dt

import pytest

from masthead.publishing.models import Article, ArticleStatus
from tests.controls import assert_article_page, assert_lists_article

pytestmark = pytest.mark.django_db


def test_a_draft_is_not_shown_to_readers(client, make_article):
    published = make_article()
    article = make_article(status=ArticleStatus.DRAFT)
    assert_article_page(client.get(published.get_absolute_url()), published)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert article.headline not in assert_lists_article(client.get("/"), published)


def test_a_scheduled_article_appears_when_its_time_comes(client, clock, make_article):
    published = make_article()
    article = make_article(status=ArticleStatus.PUBLISHED, publish_at=clock.now + dt.timedelta(hours=2))
    assert article.status == ArticleStatus.SCHEDULED
    assert client.get(article.get_absolute_url()).status_code == 404
    for listing in ("/", article.section.get_absolute_url(), "/feeds/latest.rss"):
        assert article.headline not in assert_lists_article(client.get(listing), published), listing

    clock.advance(hours=2, seconds=1)

    assert_article_page(client.get(article.get_absolute_url()), article)
    assert article.headline in client.get("/").content.decode()
    assert article.display_status == "Published"


def test_visible_queryset_uses_the_given_moment(clock, make_article):
    make_article(publish_at=clock.now + dt.timedelta(days=1))
    assert Article.objects.visible().count() == 0
    assert Article.objects.visible(now=clock.now + dt.timedelta(days=2)).count() == 1


def test_an_article_in_the_wrong_section_url_redirects_to_its_canonical_address(client, make_article):
    article = make_article()
    response = client.get(f"/world/{article.slug}/")
    assert response.status_code == 301
    assert response["Location"] == article.get_absolute_url()
    assert_article_page(client.get(response["Location"]), article)
