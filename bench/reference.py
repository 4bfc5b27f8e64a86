"""The benchmark's reference: the article template rendered from a constant, without database or middleware.

``make bench`` measures every real page against this WSGI application served the same way, so the
ratio says how much the whole job (session, reader, meter, decision, gating) costs over rendering.
``floor_application`` is the other yardstick: that page, already rendered, behind Django's handler and
all of the site's middleware, which is what any page of the site costs before its view does anything.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import django

REFERENCE_NONCE = "benchmarkreferencenonce"


@cache
def _context() -> dict:
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from masthead.paywall.gating import GatedBody
    from masthead.paywall.types import Decision, Message, Outcome, Reason
    from masthead.publishing.body import split_blocks
    from masthead.publishing.models import Article, ArticleAuthor, Author, Image, Publication, Section
    from masthead.publishing.share import share_links

    seed = json.loads((Path(__file__).resolve().parents[1] / "demo/data/seed_article.json").read_text("utf-8"))
    from masthead.demo.loader import body_html

    publication = Publication(name="The Masthead Review", tagline="Independent news, told plainly", time_zone="UTC")
    sections = [
        Section(pk=i, name=name.title(), slug=name)
        for i, name in enumerate(
            ["politics", "world", "business", "technology", "science", "culture", "opinion"], start=1
        )
    ]
    image = Image(
        pk=1,
        file="images/seed.jpg",
        width=1600,
        height=900,
        alt=seed["lead_image"]["alt"],
        caption=seed["lead_image"]["caption"],
        credit=seed["lead_image"]["credit"],
        renditions={
            "480": "renditions/1/seed-480.jpg",
            "800": "renditions/1/seed-800.jpg",
            "1200": "renditions/1/seed-1200.jpg",
        },
    )
    moment = dt.datetime(2026, 11, 29, 6, tzinfo=dt.UTC)
    article = Article(
        pk=1,
        headline=seed["headline"],
        dek=seed["dek"],
        slug=seed["slug"],
        section=sections[0],
        dateline=seed["dateline"],
        status="published",
        publish_at=moment,
        updated_at=moment,
        access="metered",
        lead_image=image,
    )
    article.blocks = split_blocks(body_html(seed["body"]))
    article.byline = [
        ArticleAuthor(article=article, author=Author(pk=1, name=name, slug="bureau")) for name in seed["authors"]
    ]
    decision = Decision(Outcome.FULL, Reason.METER_GRANTED, Message.ARTICLES_LEFT, None, True, 1, 3)
    url = f"http://127.0.0.1/{article.section.slug}/{article.slug}/"
    request = RequestFactory().get(f"/{article.section.slug}/{article.slug}/")
    request.user = AnonymousUser()
    return {
        "request": request,
        "user": request.user,
        "publication": publication,
        "nav_sections": sections,
        "csp_nonce": REFERENCE_NONCE,
        "csrf_token": "",
        "article": article,
        "decision": decision,
        "lapse": "none",
        "body": GatedBody(tuple(article.content_blocks[:2]), tuple(article.content_blocks[2:]), False),
        "canonical_url": url,
        "share_links": share_links(url=url, title=article.headline),
        "related": [],
        "preview": False,
        "json_ld": json.dumps({"@type": "NewsArticle", "headline": article.headline}),
        "open_graph": [("property", "og:title", article.headline), ("property", "og:description", article.dek)],
    }


def application(environ, start_response):
    """WSGI: the rendered article for every request."""
    from django.template.loader import render_to_string

    html = render_to_string("publishing/article.html", _context()).encode()
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(html)))])
    return [html]


@cache
def _floor_handler():
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse
    from django.template.loader import render_to_string
    from django.urls import ResolverMatch

    page = render_to_string("publishing/article.html", _context()).encode()

    def constant_page(request):
        return HttpResponse(page)

    class FloorHandler(WSGIHandler):
        """Django's handler and every middleware of the site, in front of a view that returns a constant."""

        def resolve_request(self, request):
            match = ResolverMatch(constant_page, (), {}, url_name="floor")
            request.resolver_match = match
            return match

    return FloorHandler()


def floor_application(environ, start_response):
    """WSGI: the framework's floor for a page, the same rendered article as bytes behind all of the
    site's middleware (sessions, CSRF, security headers, CSP, the request log), with no view work."""
    return _floor_handler()(environ, start_response)


def setup() -> None:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    django.setup()


setup()
