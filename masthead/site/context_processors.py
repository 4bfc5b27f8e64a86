from __future__ import annotations

from django.http import HttpRequest

from masthead.publishing.selectors import current_publication, navigation_sections


def site(request: HttpRequest) -> dict:
    """The publication and its navigation, for every template."""
    return {
        "publication": getattr(request, "publication", None) or current_publication(),
        "nav_sections": navigation_sections(),
    }
