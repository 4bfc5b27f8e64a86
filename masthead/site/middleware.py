"""Request-wide settings that come from the publication's own configuration."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation

from masthead.publishing.selectors import current_publication


class PublicationMiddleware:
    """Speak the publication's language and show every date in its time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        publication = current_publication()
        try:
            timezone.activate(zoneinfo.ZoneInfo(publication.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        translation.activate(publication.language)
        request.LANGUAGE_CODE = translation.get_language()
        request.publication = publication
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
