"""Plain share links: no third-party scripts, just URLs the networks document."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ShareLink:
    network: str
    label: str
    url: str


def share_links(*, url: str, title: str) -> list[ShareLink]:
    return [
        ShareLink(
            "facebook", _("Share on Facebook"), "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
        ),
        ShareLink(
            "linkedin",
            _("Share on LinkedIn"),
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ShareLink("x", _("Share on X"), "https://x.com/intent/post?" + urlencode({"url": url, "text": title})),
        ShareLink("mail", _("Share by email"), "mailto:?" + urlencode({"subject": title, "body": url})),
    ]
