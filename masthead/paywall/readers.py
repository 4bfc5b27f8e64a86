"""Who is reading: an account, an anonymous browser (signed cookie), or a verified crawler."""

from __future__ import annotations

import functools
import ipaddress
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from masthead.accounts.selectors import reader_standing
from masthead.core import clock, memo
from masthead.core.client import client_address
from masthead.subscriptions.entitlements import Lapse
from masthead.subscriptions.selectors import reader_entitlement

from .crawlers import CrawlerVerifier, Verdict
from .types import Reader, ReaderKind

COOKIE_SALT = "masthead.paywall.reader"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie
_ID_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}$")
# A verified crawler's address is remembered a day. A "no" is remembered an hour for the address's
# network (its /64 for IPv6, where one client has 2**64 addresses to rotate through), and a "don't
# know" (the resolver too slow) a minute; a refusal because too many lookups are in flight is not
# remembered at all, so a real crawler is checked as soon as a slot is free.
CRAWLER_CACHE_SECONDS = 24 * 3600
CRAWLER_NEGATIVE_SECONDS = 3600
CRAWLER_UNKNOWN_SECONDS = 60


@dataclass(frozen=True, slots=True)
class IdentifiedReader:
    reader: Reader
    new_anonymous_id: str | None = None  # set the cookie to this on the response
    lapse: Lapse = Lapse.NONE  # a former subscriber's or trialist's lapsed access, for the paywall's words


def anonymous_id(request: HttpRequest) -> str | None:
    """The id in a valid reader cookie; a forged or altered cookie counts as none.

    A returning reader sends the same cookie with every page, so its check is kept a few seconds per
    worker (memo.per_reader; lifetime 0 keeps nothing). The key is the whole input of the check: the
    cookie and every secret that may have signed it, so a rotated key is never answered from memory.
    It stays because ``make bench`` shows it pays: without it the over-quota and re-reading readers
    lose 6-7 % (in-process A/B of e5a7d48 against its parent, docs/architecture.md).
    """
    cookie = request.COOKIES.get(settings.MASTHEAD_READER_COOKIE)
    if not cookie:
        return None
    key = ("reader-cookie", cookie, settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))
    return memo.per_reader.remembered(key, lambda: _checked_id(request))


def _checked_id(request: HttpRequest) -> str | None:
    # A missing cookie, or one whose signature fails (forged, or signed with a retired key), is the default.
    value = request.get_signed_cookie(settings.MASTHEAD_READER_COOKIE, default=None, salt=COOKIE_SALT)
    return value if value and _ID_SHAPE.match(value) else None


def remember_anonymous_id(response: HttpResponse, value: str) -> None:
    response.set_signed_cookie(
        settings.MASTHEAD_READER_COOKIE,
        value,
        salt=COOKIE_SALT,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


def crawler_verifier() -> CrawlerVerifier:
    return _verifier(tuple(settings.MASTHEAD_CRAWLER_DOMAINS), tuple(settings.MASTHEAD_CRAWLER_AGENTS))


@functools.cache
def _verifier(domains: tuple[str, ...], agents: tuple[str, ...]) -> CrawlerVerifier:
    return CrawlerVerifier(domains=domains, agents=agents)


def _network(ip: str) -> str | None:
    """The network a "no" is remembered for: the address itself for IPv4, its /64 for IPv6."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return str(ipaddress.ip_network(f"{address}/64", strict=False)) if address.version == 6 else str(address)


def _is_verified_crawler(request: HttpRequest) -> bool:
    verifier = crawler_verifier()
    if not verifier.claims_to_be_crawler(request.META.get("HTTP_USER_AGENT", "")):
        return False
    ip = client_address(request)
    network = _network(ip)
    if network is None:
        return False
    verified_key, refused_key = f"paywall:crawler:{ip}", f"paywall:crawler:no:{network}"
    known = cache.get_many([verified_key, refused_key])
    if known.get(verified_key):
        return True
    if known.get(refused_key):
        return False
    verdict = verifier.verify_bounded(ip)
    if verdict == Verdict.VERIFIED:
        cache.set(verified_key, True, CRAWLER_CACHE_SECONDS)
    elif verdict == Verdict.REFUSED:
        cache.set(refused_key, True, CRAWLER_NEGATIVE_SECONDS)
    elif verdict == Verdict.TIMED_OUT:
        cache.set(refused_key, True, CRAWLER_UNKNOWN_SECONDS)
    return verdict == Verdict.VERIFIED


# A confirmed entitlement is remembered in the reader's session this long before it is checked again.
# Only "yes" is remembered: a reader who has just subscribed is never told "no" from memory.
ENTITLEMENT_SESSION_KEY = "masthead.entitled"
ENTITLEMENT_RECHECK_SECONDS = 60


def _remembered_entitlement(request: HttpRequest, now: float) -> bool:
    remembered = request.session.get(ENTITLEMENT_SESSION_KEY)
    if not (isinstance(remembered, list) and len(remembered) == 2):
        return False
    until, checked = remembered
    return now < until and now < checked + ENTITLEMENT_RECHECK_SECONDS


def identify_reader(request: HttpRequest) -> IdentifiedReader:
    user = request.user
    if user.is_authenticated:
        key = f"u:{user.pk}"
        now = clock.now().timestamp()
        if _remembered_entitlement(request, now):
            return IdentifiedReader(Reader(ReaderKind.ENTITLED, key))
        entitlement = reader_entitlement(user)
        standing = None if entitlement.full_access else reader_standing(user)
        if standing is None or standing.full_access:
            until = entitlement.until.timestamp() if entitlement.until else now + ENTITLEMENT_RECHECK_SECONDS
            request.session[ENTITLEMENT_SESSION_KEY] = [until, now]
            return IdentifiedReader(Reader(ReaderKind.ENTITLED, key))
        request.session.pop(ENTITLEMENT_SESSION_KEY, None)
        # The registered allowance once the address is confirmed; until then, the anonymous one.
        kind = ReaderKind.REGISTERED if standing.email_verified else ReaderKind.UNVERIFIED
        return IdentifiedReader(Reader(kind, key), lapse=entitlement.lapse)
    if _is_verified_crawler(request):
        return IdentifiedReader(Reader(ReaderKind.CRAWLER, "crawler"))
    existing = anonymous_id(request)
    if existing:
        return IdentifiedReader(Reader(ReaderKind.ANONYMOUS, f"a:{existing}"))
    fresh = secrets.token_urlsafe(16)
    return IdentifiedReader(Reader(ReaderKind.ANONYMOUS, f"a:{fresh}"), new_anonymous_id=fresh)
