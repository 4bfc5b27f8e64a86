"""Process memory for what every request reads and that may lag a few seconds behind an edit.

Site settings, meter rules, article heads and the rendered shells of pages are kept here as the very
objects that were built, not pickled copies: a request reads them and never changes them. Each
worker has its own memory; an edit is forgotten at once in the worker that saved it, and the others
follow when their copy expires.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from cachetools import TLRUCache
from django.conf import settings

_lock = threading.Lock()
_memory: TLRUCache = TLRUCache(
    maxsize=getattr(settings, "MASTHEAD_MEMO_ENTRIES", 2000),
    ttu=lambda _key, entry, now: now + entry[0],
)


def default_seconds() -> float:
    return getattr(settings, "MASTHEAD_MEMO_SECONDS", 30)


def remembered[T](key: str, build: Callable[[], T], *, seconds: float | None = None) -> T:
    """The value kept under ``key``, or ``build()``'s result, kept for ``seconds`` (None is kept too)."""
    with _lock:
        entry = _memory.get(key)
    if entry is not None:
        return entry[1]
    value = build()
    with _lock:
        _memory[key] = (default_seconds() if seconds is None else seconds, value)
    return value


def forget(*keys: str) -> None:
    """Drop these keys from this process's memory."""
    with _lock:
        for key in keys:
            _memory.pop(key, None)


def forget_everything() -> None:
    with _lock:
        _memory.clear()
