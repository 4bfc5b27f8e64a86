"""Request-wide middleware: the publication's own settings, and private answers to readers with a session."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

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


class PrivateReaderMiddleware:
    """Keep shared caches from storing any answer that may depend on who is reading.

    A response is the reader's own when the request carries a session cookie (a signed-in reader), when
    handling it changed the session (a sign-in, a stored message), or when it sets a cookie (a CSRF
    token the page carries, a message shown and cleared). Such a response gets ``Cache-Control:
    private`` and ``Vary: Cookie``, unless the view already said ``private`` or ``no-store`` (kept as
    it is) or ``public`` (the view's own word that the answer is the same for everyone, as uploaded
    media are). A reader with no session who only had it looked at (``request.user`` is anonymous)
    gets the page everyone without a session gets, which stays shareable.

    One rule here, rather than a decorator on each view, so that a new page cannot forget it. It sits
    just below SessionMiddleware, so on the way out it sees what every other middleware did.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if not (
            settings.SESSION_COOKIE_NAME in request.COOKIES
            or (session is not None and session.modified)
            or response.cookies
        ):
            return response
        said = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
        if "public" in said:
            return response
        if not said & {"private", "no-store"}:
            patch_cache_control(response, private=True)
        patch_vary_headers(response, ("Cookie",))
        return response
