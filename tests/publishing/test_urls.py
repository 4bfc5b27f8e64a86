"""Reader pages are resolved first, and can never hide one of the site's own pages."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from masthead.publishing.models import RESERVED_SLUGS


def _routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if getattr(entry, "namespace", None) == "publishing":
                continue
            yield from _routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


def test_every_other_page_of_the_site_starts_with_a_reserved_name():
    routes = list(_routes(get_resolver().url_patterns))
    # The walk reaches the site's own pages (a walk that found none would pass the loop below vacuously).
    assert {"subscribe/", "accounts/signin/", "admin/", "feeds/latest.rss"} <= set(routes)
    for route in routes:
        first = re.split(r"[/<]", route.lstrip("^"), maxsplit=1)[0]
        # A first segment that is not slug-shaped (sitemap.xml, sitemap-<section>.xml) is no section.
        slug_shaped = re.fullmatch(r"[-a-zA-Z0-9_]+", first) and route.lstrip("^")[len(first) :][:1] in ("/", "")
        assert first in RESERVED_SLUGS or not slug_shaped, f"{route!r}: add {first!r} to RESERVED_SLUGS"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/politics/", "publishing:section"),
        ("/politics/a-story/", "publishing:article"),
        ("/politics/a-story/print/", "publishing:article_print"),
        ("/administration/a-story/", "publishing:article"),  # a reserved word's prefix is no reserved word
        ("/subscribe/", "subscriptions:offers"),
        ("/subscribe/checkout/", "subscriptions:checkout"),
        ("/account/subscription/cancel/", "subscriptions:cancel"),
        ("/accounts/signin/", "accounts:signin"),
        ("/payments/webhooks/stripe/", "payments:webhook"),
        ("/feeds/politics.rss", "feed_section"),
        ("/admin/", "admin:index"),
    ],
)
def test_urls_reach_their_own_pages(url, name):
    assert resolve(url).view_name == name
