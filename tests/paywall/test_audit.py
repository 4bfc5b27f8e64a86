"""paywall_audit finds nothing on a sound site and catches a planted leak on any road."""

from __future__ import annotations

import io
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.paywall import gating
from masthead.paywall.audit import LISTED_SITEMAPS, normalise, probe_for, run_audit
from masthead.publishing.models import Article
from tests.controls import assert_shows_article

pytestmark = pytest.mark.django_db(transaction=True)


def paragraphs(tag: str) -> str:
    return "".join(f"<p>{tag} paragraph number {i} holds reporting worth paying for.</p>" for i in range(1, 7))


@pytest.fixture
def site(live_server, make_article):
    for n in range(7):
        make_article(body_html=paragraphs(f"Metered{n}"), slug=f"metered-{n}")
    make_article(access="subscribers", body_html=paragraphs("Exclusive"), slug="exclusive")
    make_article(access="registered", body_html=paragraphs("Members"), slug="members")
    make_article(access="free", body_html=paragraphs("Open"), slug="open")
    return live_server


def served_page(url: str) -> tuple[int, str]:
    """Status and body of a plain GET, as a new reader with no cookies sends it."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def assert_serves_article(base_url: str, path: str, *, headline: str, opening: str) -> None:
    """The positive control for "no leaks": the site serves the article's page at ``path``."""
    status, page = served_page(base_url + path)
    assert status == 200, f"{path} answered {status}: the audit would be reading error pages"
    assert_shows_article(page, headline=headline, opening=opening)


def audit(url: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("paywall_audit", base_url=url, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_a_sound_site_passes(site):
    for article in Article.objects.exclude(access="free"):
        opening = article.content_blocks[0]["html"]
        assert_serves_article(site.url, article.get_absolute_url(), headline=article.headline, opening=opening)
    code, output = audit(site.url)
    assert code == 0, output
    assert "9 non-free articles" in output and "0 leak(s)" in output


def test_a_planted_leak_in_the_page_is_caught(site, monkeypatch):
    def leaky_gate(blocks, decision, teaser_length):
        return gating.GatedBody(tuple(blocks), (), truncated=not decision.full)

    monkeypatch.setattr("masthead.paywall.services.gate", leaky_gate)
    code, output = audit(site.url)
    assert code == 1
    assert "LEAK GET page /politics/exclusive/" in output


def test_the_report_keeps_every_road_leaking_or_not(site, monkeypatch):
    """Per road, what it read and what leaked: the leak monitor keeps a result for every road checked."""

    def leaky_gate(blocks, decision, teaser_length):
        return gating.GatedBody(tuple(blocks), (), truncated=not decision.full)

    monkeypatch.setattr("masthead.paywall.services.gate", leaky_gate)
    report = run_audit(site.url)

    assert {"GET page", "GET print view", "HEAD page", "GET /", "GET /feeds/latest.rss", LISTED_SITEMAPS} <= set(
        report.roads
    )
    assert sum(road.responses for road in report.roads.values()) == report.responses
    assert all(road.responses > 0 for road in report.roads.values())
    page = report.roads["GET page"]
    assert page.leaks and all(leak.kind == "GET page" for leak in page.leaks)
    assert any(leak.road == "GET page /politics/exclusive/" for leak in page.leaks)
    assert report.roads["HEAD page"].leaks == []  # a HEAD has no body to leak
    assert sorted(report.leaks, key=repr) == sorted(
        (leak for road in report.roads.values() for leak in road.leaks), key=repr
    )


def test_a_planted_leak_in_structured_data_only_is_caught(site, monkeypatch):
    from masthead.site import page_cache

    real = page_cache.article_json_ld

    def leaky_json_ld(*, article, body, url, publication, absolute):
        full = gating.GatedBody(tuple(article.content_blocks), (), False)
        return real(article=article, body=full, url=url, publication=publication, absolute=absolute)

    monkeypatch.setattr(page_cache, "article_json_ld", leaky_json_ld)
    code, output = audit(site.url)
    assert code == 1
    assert "LEAK GET page" in output


def test_an_audit_that_cannot_see_the_articles_fails_instead_of_passing(site, monkeypatch):
    """The audit's own positive control: a site whose article pages are errors is not a sound site."""
    from django.http import Http404

    from masthead.site import pages

    def broken(*args, **kwargs):
        raise Http404("No such article")

    monkeypatch.setattr(pages, "_article_response", broken)
    code, output = audit(site.url)
    assert code == 1
    assert "NOT THE ARTICLE GET page /politics/exclusive/" in output
    assert "0 leak(s)" in output


def test_an_unreachable_site_is_a_clear_error(db):
    with pytest.raises(CommandError, match=r"cannot reach|no published"):
        call_command("paywall_audit", base_url="http://127.0.0.1:9", stdout=io.StringIO())
    with pytest.raises(CommandError, match="must start with"):
        call_command("paywall_audit", base_url="ftp://x", stdout=io.StringIO())


def test_probes_survive_html_and_json_escaping():
    probe = probe_for("“We do not know,” said the official, “but Japan will conform.”")
    assert probe
    escaped = (
        '{"articleBody": "\\u201cWe do not know,\\u201d said the official, \\u201cbut Japan will conform.\\u201d"}'
    )
    assert probe in normalise(escaped)
    assert probe in normalise("&ldquo;We do not know,&rdquo; said the official, &ldquo;but Japan will conform.&rdquo;")


def test_the_demo_served_by_the_production_server_leaks_nothing(tmp_path):
    from masthead.demo.loader import body_html, demo_articles
    from masthead.publishing.body import split_blocks
    from tests.servers import served_site

    seed = demo_articles()[0]
    with served_site(tmp_path, demo=True, workers=2) as served:
        assert_serves_article(
            served.url,
            f"/{seed['section']}/{seed['slug']}/",
            headline=seed["headline"],
            opening=split_blocks(body_html(seed["body"]))[0]["html"],
        )
        result = served.manage("paywall_audit", "--base-url", served.url, check=False)
    print(result.stdout)  # the audit's summary, for the record
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 leak(s) found" in result.stdout
