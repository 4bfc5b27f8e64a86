"""Fixed-window throttles in a store every worker shares: the database, or the cache when it is Redis.

A throttle counts uses of one action (a sign-up, a mail to an address, an offer-code guess) per subject
(a client address, an email address) in fixed windows. Each use is one atomic increment that returns the
count including itself, so of any number of simultaneous uses at most ``limit`` are allowed in a window.
The subject is stored hashed: an address never sits in the table or in Redis in clear.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from . import clock


@dataclass(frozen=True, slots=True)
class Throttle:
    scope: str  # which action, e.g. "signup"
    limit: int  # uses allowed per subject in one window
    window_seconds: int

    def hit(self, subject: str) -> bool:
        """Count one use by ``subject`` now; False when it is over the limit (the caller refuses it)."""
        now = clock.now()
        number = int(now.timestamp()) // self.window_seconds
        digest = hashlib.sha256(f"{self.scope}\0{subject}".encode()).hexdigest()[:32]
        key = f"throttle:{self.scope}:{digest}:{number}"
        ends = dt.datetime.fromtimestamp((number + 1) * self.window_seconds, tz=dt.UTC)
        count = _cache_hit(key, ends, now) if settings.REDIS_URL else _database_hit(key, ends, now)
        return count <= self.limit


def _database_hit(key: str, ends: dt.datetime, now: dt.datetime) -> int:
    from .models import ThrottleCount

    with transaction.atomic():
        ThrottleCount.objects.bulk_create([ThrottleCount(key=key, expires_at=ends)], ignore_conflicts=True)
        # The update locks the row (PostgreSQL; SQLite's IMMEDIATE transaction already serialises writers),
        # so the count read after it is this use's own place in the window.
        ThrottleCount.objects.filter(key=key).update(count=F("count") + 1)
        count = ThrottleCount.objects.filter(key=key).values_list("count", flat=True).get()
    if count == 1:  # a window's first use: sweep the windows that are over
        ThrottleCount.objects.filter(expires_at__lte=now).delete()
    return count


def _cache_hit(key: str, ends: dt.datetime, now: dt.datetime) -> int:
    timeout = max(1, int((ends - now).total_seconds()) + 1)
    for _attempt in range(3):
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:  # the window's key expired between the two calls: start it again
            continue
    return 1
