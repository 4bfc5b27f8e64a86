"""The address a request came from, through the site's own proxies and no one else's.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only when the request
arrives from an address in ``MASTHEAD_TRUSTED_PROXIES``, and then only as far back as the chain stays
inside those proxies: the first address from the right that is not one of ours is the client.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    # settings.py has already refused anything that is not an address or a network.
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(settings.MASTHEAD_TRUSTED_PROXIES))


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_ours(address, proxies: Iterable[Network]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str:
    """The client's IP address: ``REMOTE_ADDR``, or what our own proxies say it was."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = trusted_proxies()
    if not proxies:
        return remote
    sender = _address(remote)
    if sender is None or not _is_ours(sender, proxies):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return remote  # a garbled chain proves nothing: the proxy itself is all we know
        if not _is_ours(address, proxies):
            return hop
    return remote
