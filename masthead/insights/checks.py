"""System checks for the operator metrics (``GET /metrics``): set-ups that would show them to anyone, or miscount.

settings.py has already refused what cannot be right anywhere (a token a header cannot carry, an
allow-list entry that is not an address or a network, a PROMETHEUS_MULTIPROC_DIR that is no writable
directory). These are fine in development and wrong in production, so they run under ``check --deploy``
with DEBUG off:

    masthead.E040  (deploy) a MASTHEAD_METRICS_TOKEN shorter than 32 characters
    masthead.E041  (deploy) a MASTHEAD_METRICS_ALLOW entry that admits every address (/0), with no token
    masthead.W040  (deploy) metrics on, without PROMETHEUS_MULTIPROC_DIR: a scrape sees one worker's counts
    masthead.W041  (deploy) an allow-list admitting loopback with no MASTHEAD_TRUSTED_PROXIES and no token
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.core import checks

TAG = "masthead"
MIN_TOKEN_LENGTH = 32
LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in settings.MASTHEAD_METRICS_ALLOW]


@checks.register(TAG, deploy=True)
def check_metrics_access(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The metrics show the business (reads, walls, failed payments): only the operator may read them."""
    if settings.DEBUG:
        return []
    messages: list[checks.CheckMessage] = []
    token = settings.MASTHEAD_METRICS_TOKEN
    if token and len(token) < MIN_TOKEN_LENGTH:
        messages.append(
            checks.Error(
                f"MASTHEAD_METRICS_TOKEN is {len(token)} characters long; a token shorter than "
                f"{MIN_TOKEN_LENGTH} can be guessed.",
                hint="Make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))' "
                "(43 characters), and give Prometheus the same (bearer_token in its scrape config).",
                id="masthead.E040",
            )
        )
    networks = _networks()
    if not token and any(network.prefixlen == 0 for network in networks):
        messages.append(
            checks.Error(
                "MASTHEAD_METRICS_ALLOW admits every address (a /0 network) and there is no "
                "MASTHEAD_METRICS_TOKEN: anyone can read the site's metrics.",
                hint="List only the Prometheus server's address or network (e.g. 10.0.0.5 or 10.0.0.0/24), or "
                "set MASTHEAD_METRICS_TOKEN.",
                id="masthead.E041",
            )
        )
    # A /0 admits loopback too, but is E041 already.
    admits_loopback = any(address in network for address in LOOPBACK for network in networks if network.prefixlen)
    if not token and not settings.MASTHEAD_TRUSTED_PROXIES and admits_loopback:
        messages.append(
            checks.Warning(
                "MASTHEAD_METRICS_ALLOW admits the loopback address and MASTHEAD_TRUSTED_PROXIES is empty: "
                "behind a proxy on this machine (nginx), every request comes from the loopback address, so "
                "everyone the proxy lets in may read the metrics.",
                hint="Set MASTHEAD_TRUSTED_PROXIES=127.0.0.1 (the proxy's address; harmless without one), so the "
                "client is the address the proxy names, or set MASTHEAD_METRICS_TOKEN.",
                id="masthead.W041",
            )
        )
    return messages


@checks.register(TAG, deploy=True)
def check_metrics_workers(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Without a shared directory each worker counts alone, and a scrape reports whichever answered."""
    metrics_on = settings.MASTHEAD_METRICS_TOKEN or settings.MASTHEAD_METRICS_ALLOW
    if settings.DEBUG or not metrics_on or settings.PROMETHEUS_MULTIPROC_DIR:
        return []
    return [
        checks.Warning(
            "The metrics are on without PROMETHEUS_MULTIPROC_DIR: each worker process counts its own "
            "decisions and meter timings, and a scrape reports only the worker that answered it.",
            hint="With more than one worker (WEB_CONCURRENCY), set PROMETHEUS_MULTIPROC_DIR to an empty "
            "directory the workers can write to (deploy/serve empties it at each start). With one worker "
            "this is right as it is.",
            id="masthead.W040",
        )
    ]
