"""The production server's workers count decisions and write them: every few seconds, and when they stop."""

from __future__ import annotations

import sqlite3
import time
import urllib.request
from http.cookiejar import CookieJar

from tests.servers import served_site

SETUP = """
from masthead.paywall.models import MeterSettings
from masthead.publishing.models import Article, Section
from masthead.publishing.services import article_save
MeterSettings.objects.create(anonymous_limit=3)
section = Section.objects.create(name="Politics", slug="politics")
for n in range(5):
    body = "".join(f"<p>Story {n} paragraph {i}.</p>" for i in range(1, 7))
    article_save(article=Article(
        headline=f"Story {n}", slug=f"story-{n}", section=section, status="published", body_html=body
    ))
"""
COUNTS = (
    "from masthead.insights.models import DecisionCount as D; "
    "print(sorted(D.objects.values_list('article__slug', 'outcome', 'position', 'count')))"
)
# One reader spends the meter and meets the wall; two more readers read the first story.
EXPECTED = [
    ("story-0", "meter_grant", 1, 3),
    ("story-1", "meter_grant", 2, 1),
    ("story-2", "meter_grant", 3, 1),
    ("story-3", "meter_wall", 0, 1),
]


def read_as_readers(url: str) -> None:
    def opener():
        return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    reader = opener()
    for n in range(4):
        with reader.open(f"{url}/politics/story-{n}/", timeout=30) as response:
            assert f"Story {n} paragraph 1." in response.read().decode()
    for _ in range(2):
        with opener().open(f"{url}/politics/story-0/", timeout=30) as response:
            assert "Story 0 paragraph 6." in response.read().decode()


def counts(site) -> str:
    return site.manage("shell", "-c", COUNTS).stdout.strip().splitlines()[-1]


def test_served_workers_write_their_counts_every_few_seconds(tmp_path):
    env = {"MASTHEAD_INSIGHTS_FLUSH_SECONDS": "1"}
    with served_site(tmp_path, workers=2, setup=SETUP, env=env) as site:
        assert counts(site) == "[]"
        read_as_readers(site.url)
        deadline = time.monotonic() + 20
        while (found := counts(site)) != repr(EXPECTED):
            assert time.monotonic() < deadline, found
            time.sleep(0.5)


def test_a_served_worker_that_stops_writes_what_it_still_holds(tmp_path):
    env = {"MASTHEAD_INSIGHTS_FLUSH_SECONDS": "3600"}  # only the stop can write them
    with served_site(tmp_path, workers=1, setup=SETUP, env=env) as site:
        read_as_readers(site.url)
        assert counts(site) == "[]"  # all still in the worker's memory
    with sqlite3.connect(tmp_path / "site.sqlite3") as db:
        found = sorted(
            db.execute(
                "SELECT a.slug, d.outcome, d.position, d.count FROM insights_decisioncount d "
                "JOIN publishing_article a ON a.id = d.article_id"
            )
        )
    assert found == EXPECTED
