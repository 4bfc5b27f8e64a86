"""``GET /metrics``: the operator's Prometheus scrape, off unless a token or an allow-list turns it on.

- Neither ``MASTHEAD_METRICS_TOKEN`` nor ``MASTHEAD_METRICS_ALLOW`` set: 404, as for any page that does
  not exist.
- Set: the request must come from an allowed address (the client as ``core.client`` finds it, through
  our own proxies only) when there is an allow-list, and carry ``Authorization: Bearer <token>`` when
  there is a token; with both, both. A request that fails either gets 403: the endpoint is on but not for
  it. 403 rather than 404, so that an operator whose scrape is refused can tell a wrong token or address
  from a switched-off endpoint; the path is no secret (every Prometheus target has it), and the answer
  says nothing about the token.
- The answer is the operator's alone: ``Cache-Control: private, no-store``, never kept by a cache.
"""

from __future__ import annotations

import hmac
import ipaddress
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, choose_encoder, generate_latest

from masthead.core.client import client_address

from .metrics import scrape_registry

NO_STORE = "private, no-store"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def metrics_on() -> bool:
    return bool(settings.MASTHEAD_METRICS_TOKEN or settings.MASTHEAD_METRICS_ALLOW)


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # settings.py has already refused anything that is not an address or a network.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def address_allowed(request: HttpRequest) -> bool:
    """Whether the request's client is in ``MASTHEAD_METRICS_ALLOW`` (True when there is no allow-list)."""
    if not settings.MASTHEAD_METRICS_ALLOW:
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False  # no address, or not one: nothing to allow
    candidates = [address]
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        candidates.append(address.ipv4_mapped)  # ::ffff:10.0.0.5 from a server listening on IPv6
    networks = _networks(tuple(settings.MASTHEAD_METRICS_ALLOW))
    return any(candidate in network for candidate in candidates for network in networks)


def token_matches(request: HttpRequest) -> bool:
    """Whether the request carries ``Authorization: Bearer <MASTHEAD_METRICS_TOKEN>`` (True when there is no token).

    Compared in constant time, so the answer's timing tells nothing about how much of a guess was right.
    """
    token = settings.MASTHEAD_METRICS_TOKEN
    if not token:
        return True
    scheme, _space, given = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode("utf-8", "replace"), token.encode())


def _encoder(accept: str):
    """The format the scraper asks for (Prometheus's text, or OpenMetrics), and its content type."""
    try:
        return choose_encoder(accept)
    except (TypeError, ValueError):  # a version prometheus_client cannot compare ("version=x"): the plain text
        return generate_latest, CONTENT_TYPE_PLAIN_0_0_4


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_on():
        raise Http404
    if not (address_allowed(request) and token_matches(request)):
        response = HttpResponse(
            _("These metrics need the right token, from an allowed address."),
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    else:
        encode, content_type = _encoder(request.headers.get("Accept", ""))
        response = HttpResponse(encode(scrape_registry()), content_type=content_type)
    response.headers["Cache-Control"] = NO_STORE
    return response
