"""The site's public address, as page shells and cached sitemaps are keyed and link by it.

MASTHEAD_SITE_URL when it is set (production requires it: masthead.E005). Without it (the demo, tests,
a development box), the address the request came to, but only from a bounded set, so that a client
cannot make a new cached page per Host header:

- the host must be one ALLOWED_HOSTS names exactly: a host let in by a wildcard (``.example.com``,
  ``*``) is replaced by the first exact entry, or ``localhost`` when there is none;
- its port is kept only when it is the port the server itself listens on (``request.get_port()``)
  and not the scheme's default: any port passes ALLOWED_HOSTS, and ``Host: site:1…65535`` would
  otherwise be 65,535 addresses.

So there are at most (schemes × exact hosts) addresses, whatever clients send.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest

# request.get_host() has already checked the shape (and ALLOWED_HOSTS): a name or [IPv6], then :port.
_HOST = re.compile(r"^(?P<name>\[[^\]]*\]|[^:]*)(?::(?P<port>[0-9]+))?$")


def _exact_hosts() -> list[str]:
    return [host.lower() for host in settings.ALLOWED_HOSTS if host != "*" and not host.startswith(".")]


def site_base(request: HttpRequest) -> str:
    """``scheme://host[:port]`` of the site, without a trailing slash, from a bounded set (see above)."""
    configured = settings.MASTHEAD_SITE_URL
    if configured:
        return configured.rstrip("/")
    match = _HOST.match(request.get_host())  # a host ALLOWED_HOSTS refuses raises DisallowedHost (a 400)
    name, port = (match["name"].lower(), match["port"]) if match else ("", None)
    exact = _exact_hosts()
    if name not in exact:
        name, port = (exact[0] if exact else "localhost"), None
    default_port = "443" if request.scheme == "https" else "80"
    keep_port = port is not None and port == str(request.get_port()) and port != default_port
    return f"{request.scheme}://{name}{':' + port if keep_port else ''}"
