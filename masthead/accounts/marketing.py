"""Marketing email's one-click unsubscribe (RFC 8058): signed links, and the headers that carry them.

A marketing email (the win-back offer) names a link that opts its reader out of marketing in one POST,
without a session or a CSRF token: the signed token is the authority. The token does not expire (a link in
an old email must still work) and names only the account; the salt keeps it from being any other token.
Transactional mail (receipts, failed payments, account mail) never carries these headers.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

SALT = "masthead.accounts.marketing-unsubscribe"
# What a mail client POSTs to the link (RFC 8058, section 3.1).
ONE_CLICK = "List-Unsubscribe=One-Click"


def unsubscribe_token(user) -> str:
    return signing.dumps({"user": user.pk}, salt=SALT)


def user_for_token(token: str):
    """The active account ``token`` names, or None for a forged, garbled or orphaned token."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    except ValueError:  # a signed value that is not JSON cannot come from us; never a 500
        return None
    user_id = data.get("user") if isinstance(data, dict) else None
    if type(user_id) is not int:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def unsubscribe_url(user) -> str:
    """The absolute link on the site's public address (MASTHEAD_SITE_URL); empty when it is not set."""
    base = settings.MASTHEAD_SITE_URL.rstrip("/")
    if not base:
        return ""
    return base + reverse("accounts:unsubscribe", args=[unsubscribe_token(user)])


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of a marketing email whose one-click link is ``url``."""
    return {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": ONE_CLICK}
