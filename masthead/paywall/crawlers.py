"""Verified search crawlers: a user agent proves nothing; the address must resolve both ways.

Reverse DNS of the client address must end in an allowed domain, and that host name must resolve
forward to the same address (the check Google documents for Googlebot).

The lookups block, and the system resolver has no timeout of ours, so a request never waits on them
unbounded (``verify_bounded``): they run on a small pool of threads, at most ``max_in_flight`` at a
time, and the request waits ``timeout`` seconds at most. Over the cap (BUSY) or past the timeout
(TIMED_OUT), the reader is not a verified crawler this time. A hung lookup keeps its slot
until the resolver gives up, so a client rotating addresses can hold at most ``max_in_flight``
threads of a worker, never its request threads.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

logger = logging.getLogger(__name__)

ReverseLookup = Callable[[str], str]
ForwardLookup = Callable[[str], Iterable[str]]


def _reverse(ip: str) -> str:
    return socket.gethostbyaddr(ip)[0]


def _forward(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None)]


class Verdict(StrEnum):
    VERIFIED = "verified"
    REFUSED = "refused"  # the address does not resolve both ways into an allowed domain
    TIMED_OUT = "timed out"  # the resolver did not answer in time
    BUSY = "busy"  # too many lookups in flight: none was started


LOOKUP_SECONDS = 2.0  # a crawler's own resolver answers in milliseconds; a request waits no longer than this
LOOKUPS_IN_FLIGHT = 4  # per worker process


@dataclass
class CrawlerVerifier:
    domains: tuple[str, ...]
    agents: tuple[str, ...]
    reverse: ReverseLookup = _reverse
    forward: ForwardLookup = _forward
    timeout: float = LOOKUP_SECONDS
    max_in_flight: int = LOOKUPS_IN_FLIGHT
    _slots: threading.BoundedSemaphore = field(init=False, repr=False)
    _pool: ThreadPoolExecutor = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_in_flight)
        self._pool = ThreadPoolExecutor(max_workers=self.max_in_flight, thread_name_prefix="crawler-dns")

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

    def verify_bounded(self, ip: str) -> Verdict:
        """``address_verified``, within ``timeout`` seconds and ``max_in_flight`` lookups at a time."""
        if not self._slots.acquire(blocking=False):
            logger.warning("crawler check: %s lookups already in flight; %s is not verified", self.max_in_flight, ip)
            return Verdict.BUSY
        try:
            future: Future[bool] = self._pool.submit(self.address_verified, ip)
        except RuntimeError:  # the pool is shut down (the interpreter is exiting)
            self._slots.release()
            return Verdict.BUSY
        # The slot is given back when the lookup ends, not when the request stops waiting for it.
        future.add_done_callback(lambda _: self._slots.release())
        try:
            return Verdict.VERIFIED if future.result(timeout=self.timeout) else Verdict.REFUSED
        except FutureTimeout:
            logger.warning("crawler check: no DNS answer for %s within %ss", ip, self.timeout)
            return Verdict.TIMED_OUT
