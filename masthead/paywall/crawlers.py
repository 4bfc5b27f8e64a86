"""Verified search crawlers: a user agent proves nothing; the address must resolve both ways.

Reverse DNS of the client address must end in an allowed domain, and that host name must resolve
forward to the same address (the check Google documents for Googlebot).
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

logger = logging.getLogger(__name__)

ReverseLookup = Callable[[str], str]
ForwardLookup = Callable[[str], Iterable[str]]


def _reverse(ip: str) -> str:
    return socket.gethostbyaddr(ip)[0]


def _forward(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None)]


@dataclass
class CrawlerVerifier:
    domains: tuple[str, ...]
    agents: tuple[str, ...]
    reverse: ReverseLookup = _reverse
    forward: ForwardLookup = _forward

    def claims_to_be_crawler(self, user_agent: str) -> bool:
        return bool(self._agent_pattern.search(user_agent))

    @cached_property
    def _agent_pattern(self) -> re.Pattern:
        if not self.agents:
            return re.compile(r"(?!)")  # matches nothing
        return re.compile("|".join(re.escape(agent) for agent in self.agents), re.IGNORECASE)

    def address_verified(self, ip: str) -> bool:
        """Reverse-resolve ``ip`` into an allowed domain, then forward-resolve back to ``ip``."""
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        try:
            host = self.reverse(str(address)).rstrip(".").lower()
        except (OSError, UnicodeError):
            return False
        if not any(host == domain or host.endswith("." + domain) for domain in self.domains):
            return False
        try:
            forward = {ipaddress.ip_address(value) for value in self.forward(host)}
        except (OSError, UnicodeError, ValueError):
            return False
        verified = address in forward
        if not verified:
            logger.info("crawler check: %s reverse-resolves to %s but %s does not resolve back", ip, host, host)
        return verified
