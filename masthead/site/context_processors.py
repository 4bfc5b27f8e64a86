from __future__ import annotations

from django.http import HttpRequest

from masthead.publishing.selectors import current_publication, navigation_sections

from . import fragments, page_cache


def site(request: HttpRequest) -> dict:
    """The publication, its navigation and the reader's account links, for every page rendered with a request."""
    return {
        "publication": getattr(request, "publication", None) or current_publication(),
        "nav_sections": navigation_sections(),
        "account_links": fragments.render(page_cache.account_links(request)),
    }
