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
    zone = zoneinfo.ZoneInfo(time_zone)
    local = now.astimezone(zone)
    year, month = local.year, local.month
    start = dt.datetime(year, month, 1, tzinfo=zone)
    next_month = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return WindowSpan(f"{year:04d}-{month:02d}", start, next_month)
