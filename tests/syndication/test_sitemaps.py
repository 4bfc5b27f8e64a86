"""Sitemaps: an index of months, and a file per month listing only that month's visible stories."""

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.django_db


def at(year, month, day=10):
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


def locs(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


def test_the_index_names_every_month_from_the_first_story_to_now(client, clock, make_article):
    make_article(publish_at=at(2026, 9))
    make_article(publish_at=at(2026, 11, 1))
    names = [loc.rsplit("/", 1)[1] for loc in locs(client.get("/sitemap.xml"))]
    assert names == [
        "sitemap-sections.xml",
        "sitemap-articles-2026-11.xml",
        "sitemap-articles-2026-10.xml",  # a month without stories is listed too: its file is empty
        "sitemap-articles-2026-09.xml",
    ]


def test_the_index_crosses_years(client, clock, make_article):
    clock.set(at(2027, 1, 5))
    make_article(publish_at=at(2026, 12, 20))
    names = [loc.rsplit("/", 1)[1] for loc in locs(client.get("/sitemap.xml"))]
    assert names[1:] == ["sitemap-articles-2027-01.xml", "sitemap-articles-2026-12.xml"]


def test_a_month_lists_its_own_visible_stories_with_their_dates(client, clock, make_article):
    october = make_article(publish_at=at(2026, 10, 31))
    november = make_article(publish_at=at(2026, 11, 1))
    scheduled = make_article(publish_at=at(2026, 11, 20))  # after the clock's Nov 15: not yet public
    draft = make_article(publish_at=at(2026, 11, 2), status="draft")
    listed = locs(client.get("/sitemap-articles-2026-11.xml"))
    assert [url.split("testserver", 1)[1] for url in listed] == [november.get_absolute_url()]
    assert scheduled.get_absolute_url() not in str(listed) and draft.get_absolute_url() not in str(listed)
    assert "<lastmod>" in client.get("/sitemap-articles-2026-11.xml").content.decode()
    assert [url.split("testserver", 1)[1] for url in locs(client.get("/sitemap-articles-2026-10.xml"))] == [
        october.get_absolute_url()
    ]


def test_sections_have_their_own_file(client, section):
    assert any(url.endswith("/politics/") for url in locs(client.get("/sitemap-sections.xml")))


@pytest.mark.parametrize(
    "name", ["articles", "articles-2026-13", "articles-2026-1", "articles-0001-01", "nope", "articles-2026-11-01"]
)
def test_a_name_that_is_no_month_or_section_is_not_found(client, name):
    assert client.get(f"/sitemap-{name}.xml").status_code == 404


def test_an_empty_site_has_an_index_of_sections_only(client, clock, section):
    assert [loc.rsplit("/", 1)[1] for loc in locs(client.get("/sitemap.xml"))] == ["sitemap-sections.xml"]
