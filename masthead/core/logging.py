"""One structured log line per request, for production log pipelines."""

from __future__ import annotations

import json
import logging
import time

from .client import client_address

logger = logging.getLogger("masthead.request")


class RequestLogMiddleware:
    """Log method, path, status, duration and response size as one JSON line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                json.dumps(
                    {
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "ms": round((time.perf_counter() - started) * 1000, 2),
                        "bytes": len(response.content) if not response.streaming else None,
                        "remote": client_address(request),
                    },
                    separators=(",", ":"),
                )
            )
        return response
