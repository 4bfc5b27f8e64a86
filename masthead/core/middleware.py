"""Request-wide settings that come from the publication's own configuration."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone

from masthead.publishing.selectors import current_publication


class PublicationTimezoneMiddleware:
    """Show every date in the publication's time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        publication = current_publication()
        try:
            timezone.activate(zoneinfo.ZoneInfo(publication.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        request.publication = publication
        return self.get_response(request)
