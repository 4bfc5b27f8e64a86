"""Process memory for what every request reads and that may lag a few seconds behind an edit.

Site settings, meter rules, article heads and the rendered shells of pages are kept here as the very
objects that were built, not pickled copies: a request reads them and never changes them. Each
worker has its own memory; an edit is forgotten at once in the worker that saved it, and the others
follow when their copy expires.

There are two memories, each bounded on its own: ``shared`` for what every reader sees (settings,
heads, page shells) and ``per_reader`` for the small fragments that differ between readers (account
links, meter banner, paywall panel). Readers come and go far faster than pages, so their fragments
can never push the page shells out.

With a lifetime of 0 (MASTHEAD_LOCAL_CACHE_SECONDS) nothing is kept or served: every read builds
afresh. Tests use this to compare cached pages with pages rendered with every cache off.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from cachetools import LRUCache
from django.conf import settings

# Fragments are small (a few hundred bytes): this many is well under a megabyte per worker.
PER_READER_ENTRIES = 4096


def default_seconds() -> float:
    return settings.MASTHEAD_LOCAL_CACHE_SECONDS


class Memo:
    """A bounded, thread-safe map from keys to built values, each kept for a few seconds.

    Each entry carries the moment it expires and a read checks it, in an ``LRUCache`` that bounds the
    count. An expired entry is rebuilt when next read, or pushed out as the least recently used one.
    (cachetools' ``TLRUCache`` would expire entries itself, but its read costs three times an
    ``LRUCache`` read, and a reader page makes ten of them: ``make bench`` measured the difference.)
    """

    def __init__(self, maxsize: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._memory: LRUCache = LRUCache(maxsize=maxsize)
        self._clock = clock

    def remembered[T](self, key: Hashable, build: Callable[[], T], *, seconds: float | None = None) -> T:
        """The value kept under ``key``, or ``build()``'s result, kept for ``seconds`` (None is kept too)."""
        lifetime = default_seconds() if seconds is None else min(seconds, default_seconds())
        if lifetime <= 0:
            return build()
        now = self._clock()
        with self._lock:
            entry = self._memory.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = build()
        with self._lock:
            self._memory[key] = (now + lifetime, value)
        return value

    def forget(self, *keys: Hashable) -> None:
        with self._lock:
            for key in keys:
                self._memory.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._memory.clear()


shared = Memo(maxsize=settings.MASTHEAD_LOCAL_CACHE_ENTRIES)
per_reader = Memo(maxsize=PER_READER_ENTRIES)

# What most callers want: the shared memory.
remembered = shared.remembered
forget = shared.forget


def forget_everything() -> None:
    shared.clear()
    per_reader.clear()
