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


class UnfoldedHeader(str):
    """A header value the email package writes on one line, as it is.

    Python's email package folds a header longer than 78 characters, and a word it cannot break (a URL) it
    breaks by RFC 2047-encoding it: ``List-Unsubscribe: =?utf-8?q?=3Chttps=3A//…?=``. Mail providers (Gmail
    among them) then ignore the header, and one-click unsubscribe is lost. A header object (a value with a
    ``name`` and a ``fold`` method, see ``email.policy.EmailPolicy``) is written by its own ``fold``: here,
    unfolded, well within RFC 5322's 998 characters.
    """

    name: str

    def __new__(cls, name: str, value: str) -> UnfoldedHeader:
        header = super().__new__(cls, value)
        header.name = name
        return header

    def __reduce__(self):  # copies and pickles (the locmem backend keeps a copy) keep the name
        return (type(self), (self.name, str(self)))

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def _plain(value: str) -> bool:
    """ASCII without controls or spaces, short enough for one header line."""
    return value.isascii() and value.isprintable() and " " not in value and len(value) < 900


def unsubscribe_headers(url: str) -> dict[str, str]:
    """The RFC 2369 / RFC 8058 headers of a marketing email whose one-click link is ``url``."""
    value = f"<{url}>"
    return {
        "List-Unsubscribe": UnfoldedHeader("List-Unsubscribe", value) if _plain(value) else value,
        "List-Unsubscribe-Post": ONE_CLICK,
    }
