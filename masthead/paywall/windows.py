"""The meter's counting window for a moment in time. Pure: the caller passes ``now``."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from .types import Window

ROLLING_DAYS = 30


@dataclass(frozen=True, slots=True)
class WindowSpan:
    key: str  # names the window: "2026-11" for a calendar month, "rolling" for the rolling window
    start: dt.datetime  # reads before this no longer count
    end: dt.datetime  # when this window's counts can be forgotten

    @property
    def ttl_seconds(self) -> int:
        return max(int((self.end - self.start).total_seconds()), 1)


def window_span(window: Window, now: dt.datetime, time_zone: str) -> WindowSpan:
    """The window ``now`` falls in: the calendar month in the publication's time zone, or the last 30 days."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    if window == Window.ROLLING_30_DAYS:
        return WindowSpan("rolling", now - dt.timedelta(days=ROLLING_DAYS), now + dt.timedelta(days=ROLLING_DAYS))
    local = now.astimezone(zoneinfo.ZoneInfo(time_zone))
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    next_month = (start + dt.timedelta(days=32)).replace(day=1)
    return WindowSpan(f"{start:%Y-%m}", start, next_month)
