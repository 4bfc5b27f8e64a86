"""The one clock the application reads, so tests can move time."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    """The current aware datetime, or the time a test has set."""
    return _frozen if _frozen is not None else timezone.now()


def set_now(value: dt.datetime | None) -> None:
    """Pin the clock to ``value`` (an aware datetime); ``None`` releases it."""
    global _frozen
    if value is not None and timezone.is_naive(value):
        raise ValueError("the clock takes aware datetimes only")
    _frozen = value
