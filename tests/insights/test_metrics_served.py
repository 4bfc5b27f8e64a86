"""The production server (deploy/serve, granian, two workers) with PROMETHEUS_MULTIPROC_DIR: whichever worker
answers a scrape reports the whole site's reads, and deploy/serve starts from an empty directory."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.insights.metrics_scrape import TOKEN, decisions, meter_seconds_count
from tests.servers import served_site

SETUP = """
from masthead.publishing.models import Article, Section
from masthead.publishing.services import article_save
section = Section.objects.create(name="Politics", slug="politics")
for n in range(4):
    body = "".join(f"<p>Story {n} paragraph {i}.</p>" for i in range(1, 7))
    article_save(article=Article(
        headline=f"Story {n}", slug=f"story-{n}", section=section, status="published", body_html=body
    ))
"""
READS = 8


def get(url: str, **headers: str) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
        return response.read().decode()


def test_every_worker_reports_the_whole_sites_reads(tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    stale = directory / "counter_1.db"
    stale.write_bytes(b"an earlier run's counts")  # not even readable: it must be gone before the workers start
    env = {"MASTHEAD_METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    with served_site(tmp_path, workers=2, setup=SETUP, env=env) as site:
        assert not stale.exists()
        for n in range(READS):  # no cookie: each read is a new reader's first free article
            assert "paragraph 6." in get(f"{site.url}/politics/story-{n % 4}/")

        with pytest.raises(urllib.error.HTTPError) as refused:
            get(f"{site.url}/metrics")
        assert refused.value.code == 403

        for _ in range(6):  # the scrapes land on either worker; each reports every worker's counts
            families = list(text_string_to_metric_families(get(f"{site.url}/metrics", Authorization=f"Bearer {TOKEN}")))
            assert +decisions(families) == {("meter_granted", "full"): READS}
            assert meter_seconds_count(families) == READS
        # One file of counts per worker that counted (on this machine both workers usually do).
        assert 1 <= len(list(directory.glob("counter_*.db"))) <= 2
