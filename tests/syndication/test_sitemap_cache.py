"""Finding 20: a sitemap is cached once per path (and site address), whatever query string or port a client sends.

cache_page keyed by the full URL, so every distinct query string (or Host port) stored another copy
in the Redis that also holds the sessions and the meter: any client could grow it.
"""

import datetime as dt

import pytest
from django.core.cache import caches

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_writes(monkeypatch):
    """The keys written to the shared cache."""
    shared = caches["default"]
    written = []
    for name in ("set", "add", "set_many"):
        original = getattr(shared, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            keys = list(args[0]) if _name == "set_many" else [args[0]]
            written.extend(keys)
            return _original(*args, **kwargs)

        monkeypatch.setattr(shared, name, spy)
    return written


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-sections.xml", "/sitemap-articles-2026-11.xml"])
def test_a_sitemap_is_cached_once_whatever_the_query_string(
    client, clock, make_article, cache_writes, django_assert_num_queries, path
):
    make_article()
    first = client.get(path)
    assert first.status_code == 200 and b"<loc>" in first.content
    assert len(cache_writes) >= 1  # the positive control: it is cached
    stored = len(cache_writes)
    with django_assert_num_queries(0):
        assert client.get(path).content == first.content  # and served from there
    for n in range(50):
        response = client.get(path, {"x": n, "p": n})
        assert response.status_code == 200
        assert response.content == first.content
    assert len(cache_writes) == stored


def test_a_port_in_the_host_neither_grows_the_cache_nor_gets_into_the_links(client, clock, make_article, cache_writes):
    make_article()
    first = client.get("/sitemap.xml")
    assert b"http://testserver/sitemap-sections.xml" in first.content
    stored = len(cache_writes)
    for port in range(1, 51):
        response = client.get("/sitemap.xml", HTTP_HOST=f"testserver:{port}")
        assert response.status_code == 200 and b"sitemap-sections.xml" in response.content
    assert len(cache_writes) == stored
    assert client.get("/sitemap.xml").content == first.content


def test_a_first_request_from_another_port_does_not_poison_the_cache(client, clock, make_article):
    make_article()
    odd = client.get("/sitemap.xml", HTTP_HOST="testserver:4321")
    assert odd.status_code == 200 and b"sitemap-sections.xml" in odd.content
    page = client.get("/sitemap.xml")
    assert b"http://testserver/sitemap-sections.xml" in page.content
    assert b"testserver:4321" not in page.content


def test_a_sitemap_still_says_how_long_it_may_be_kept(client, clock, make_article):
    make_article()
    response = client.get("/sitemap.xml")
    assert "max-age=600" in response["Cache-Control"]
    assert client.get("/sitemap.xml")["Cache-Control"] == response["Cache-Control"]


@pytest.mark.parametrize(
    "name",
    [
        "articles-2026-12",  # after the clock's month: nothing can be in it yet
        "articles-2099-01",
        "articles-1969-12",
        "articles-٢٠٢٦-١١",  # Arabic-Indic digits: another spelling of 2026-11
        "articles-２０２６-１１",
    ],
)
def test_months_outside_the_archive_or_spelled_otherwise_are_not_found(client, clock, make_article, name):
    make_article(publish_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert client.get("/sitemap-articles-2026-11.xml").status_code == 200  # the positive control
    assert client.get(f"/sitemap-{name}.xml").status_code == 404
