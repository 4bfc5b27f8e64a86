"""The reader pages a newsroom expects, readable without JavaScript."""

import re

import pytest

from masthead.publishing.models import Article, Author, Section
from tests.controls import assert_article_page, assert_lists_article

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_newspaper_elements(client, make_article, author):
    article = make_article(
        headline="Harbour talks resume",
        dek="Negotiators return to the table.",
        dateline="OSAKA",
        body_html="<p>First.</p><h2>A subhead</h2><p>Second.</p>",
        authors=[author],
        access="free",
    )
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<h1 class="headline">Harbour talks resume</h1>' in html
    assert "Negotiators return to the table." in html
    assert '<p class="dateline">OSAKA</p>' in html
    assert "<h2>A subhead</h2>" in html
    assert 'href="/authors/hana-mori/"' in html
    assert "facebook.com/sharer" in html
    assert "linkedin.com/sharing" in html
    assert "x.com/intent/post" in html
    assert "mailto:?" in html
    assert article.get_print_url() in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_print_view_has_the_story_without_navigation_or_share_links(client, make_article):
    article = make_article(body_html="<p>Printed words.</p>", access="free")
    page = assert_article_page(client.get(article.get_absolute_url()), article)
    assert 'class="sections"' in page and "facebook.com" in page  # what the print view leaves out
    html = assert_article_page(client.get(article.get_print_url()), article)
    assert "Printed words." in html
    assert 'class="sections"' not in html
    assert "facebook.com" not in html
    assert 'name="robots" content="noindex"' in html


def test_sponsored_content_is_labelled_with_its_disclosure(client, make_article):
    article = make_article(
        sponsor="Harbourline Logistics",
        sponsor_disclosure="This content was commissioned by Harbourline Logistics' Global Trade Desk.",
        access="subscribers",
    )
    assert article.effective_access == "free"
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Sponsored Content" in html
    assert "About Sponsored Content" in html
    assert "This content was commissioned by Harbourline Logistics" in html


def test_front_section_and_author_pages_list_stories(client, make_article, author):
    world = Section.objects.create(name="World", slug="world", position=1)
    lead = make_article(headline="Lead story", authors=[author])
    other = make_article(headline="World story", section=world)
    front = assert_lists_article(client.get("/"), lead)
    assert "Lead story" in front and "World story" in front
    world_page = assert_lists_article(client.get("/world/"), other)
    assert "World story" in world_page and "Lead story" not in world_page
    author_page = assert_lists_article(client.get("/authors/hana-mori/"), lead)
    assert "Lead story" in author_page and other.headline not in author_page


def test_section_pages_paginate(client, make_article):
    for _ in range(14):
        make_article()
    first = client.get("/politics/").content.decode()
    second = client.get("/politics/?page=2").content.decode()
    assert first.count('class="card"') == 12
    assert second.count('class="card"') == 2
    assert client.get("/politics/?page=junk").status_code == 200


def test_unknown_pages_get_the_friendly_404(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-section/no-such-story/")
    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_pages_carry_a_content_security_policy_without_inline_code(client, make_article):
    article = make_article(access="free")
    response = client.get(article.get_absolute_url())
    html = assert_article_page(response, article)
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "style=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert scripts == [f' type="application/ld+json" nonce="{nonce}"']  # structured data only, no code


def test_dates_are_shown_in_the_publications_time_zone(client, clock, make_article):
    from masthead.publishing.selectors import current_publication

    publication = current_publication()
    publication.time_zone = "Asia/Tokyo"
    publication.save()
    import datetime as dt

    article = make_article(publish_at=dt.datetime(2026, 11, 14, 20, 30, tzinfo=dt.UTC), access="free")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Nov. 15, 2026 05:30 JST" in html


def test_feeds_and_sitemap_list_published_articles(client, make_article):
    article = make_article(dek="Only the dek goes out.")
    rss = assert_lists_article(client.get("/feeds/latest.rss"), article)
    assert article.headline in rss and "Only the dek goes out." in rss
    assert "Paragraph 1" not in rss
    month = f"{article.publish_at:%Y-%m}"
    sitemap = client.get(f"/sitemap-articles-{month}.xml").content.decode()
    assert article.get_absolute_url() in sitemap
    assert client.get("/sitemap.xml").status_code == 200


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_models_have_readable_names(make_article, author):
    assert str(make_article(headline="Named")) == "Named"
    assert str(Author.objects.get(pk=author.pk)) == "Hana Mori"
    assert Article.objects.count() == 1
