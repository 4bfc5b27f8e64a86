"""paywall_audit finds nothing on a sound site and catches a planted leak on any road."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from masthead.paywall import gating
from masthead.paywall.audit import normalise, probe_for

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


def audit(url: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("paywall_audit", base_url=url, stdout=out, stderr=io.StringIO())
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue()
    return 0, out.getvalue()


def test_a_sound_site_passes(site):
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
    from tests.servers import served_site

    with served_site(tmp_path, demo=True, workers=2) as served:
        result = served.manage("paywall_audit", "--base-url", served.url, check=False)
    print(result.stdout)  # the audit's summary, for the record
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 leak(s) found" in result.stdout
