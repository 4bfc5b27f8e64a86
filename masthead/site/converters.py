"""URL converters for reader pages."""

from __future__ import annotations

import re

from masthead.publishing.models import RESERVED_SLUGS

_SLUG_SHAPED = re.compile(r"[-a-zA-Z0-9_]+")


class SectionSlugConverter:
    """A section's slug: any slug but the first path segments the site's own pages use.

    With these refused, the reader pages can be tried first when a URL is resolved, and a section can
    never hide (or be hidden by) a page of the site.
    """

    reserved = sorted(slug for slug in RESERVED_SLUGS if _SLUG_SHAPED.fullmatch(slug))
    regex = rf"(?!(?:{'|'.join(map(re.escape, reserved))})(?![-a-zA-Z0-9_]))[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value
