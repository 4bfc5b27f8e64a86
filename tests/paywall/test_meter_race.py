"""Twenty-odd simultaneous requests for a reader with one free article left open exactly one, on every store."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor
from http.cookiejar import CookieJar

import pytest

from tests.servers import served_site

ARTICLES = 26
SETUP = f"""
from masthead.paywall.models import MeterSettings
from masthead.publishing.models import Article, Section
from masthead.publishing.services import article_save
MeterSettings.objects.create(anonymous_limit=3)
section = Section.objects.create(name="Politics", slug="politics")
for n in range({ARTICLES}):
    body = "".join(f"<p>Story {{n}} paragraph {{i}}.</p>" for i in range(1, 7))
    article_save(article=Article(
        headline=f"Story {{n}}", slug=f"story-{{n}}", section=section, status="published", body_html=body
    ))
"""


def read(opener, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        return response.read().decode()


@pytest.mark.parametrize(
    ("database", "redis"),
    [
        pytest.param("sqlite", False, id="database-sqlite"),
        pytest.param("postgres", False, id="database-postgres"),
        pytest.param("sqlite", True, id="redis"),
    ],
)
def test_the_last_free_article_is_granted_exactly_once(tmp_path, database, redis):
    with served_site(tmp_path, database=database, redis=redis, workers=4, setup=SETUP) as site:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        assert "You have 2 free articles left" in read(opener, f"{site.url}/politics/story-0/")
        assert "You have 1 free article left" in read(opener, f"{site.url}/politics/story-1/")

        urls = [f"{site.url}/politics/story-{n}/" for n in range(2, ARTICLES)]
        with ThreadPoolExecutor(max_workers=len(urls)) as pool:
            pages = list(pool.map(lambda url: read(opener, url), urls))

        full = [url for url, page in zip(urls, pages, strict=True) if "paragraph 6." in page]
        assert len(urls) >= 20
        assert len(full) == 1, full
        assert sum("You have read all 3 free articles this month" in page for page in pages) == len(urls) - 1
        # The meter holds three reads, and the one granted article stays readable.
        assert "paragraph 6." in read(opener, full[0])
