import datetime as dt

import pytest

from masthead.paywall.types import Window
from masthead.paywall.windows import window_span


def test_the_calendar_month_follows_the_publications_time_zone():
    # 23:30 UTC on Nov 30 is already December 1 in Tokyo.
    moment = dt.datetime(2026, 11, 30, 23, 30, tzinfo=dt.UTC)
    assert window_span(Window.CALENDAR_MONTH, moment, "Asia/Tokyo").key == "2026-12"
    assert window_span(Window.CALENDAR_MONTH, moment, "UTC").key == "2026-11"


def test_a_month_span_runs_from_its_first_day_to_the_next_month():
    span = window_span(Window.CALENDAR_MONTH, dt.datetime(2026, 12, 31, 12, tzinfo=dt.UTC), "UTC")
    assert span.start == dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
    assert span.end == dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def test_a_month_across_a_clock_change_starts_and_ends_at_local_midnight():
    # New York leaves daylight time on November 1 2026: the month starts at -04:00 and ends at -05:00.
    span = window_span(Window.CALENDAR_MONTH, dt.datetime(2026, 11, 15, tzinfo=dt.UTC), "America/New_York")
    assert span.start == dt.datetime(2026, 11, 1, 4, tzinfo=dt.UTC)
    assert span.end == dt.datetime(2026, 12, 1, 5, tzinfo=dt.UTC)
    assert span.key == "2026-11"


def test_rolling_window_reaches_back_thirty_days():
    now = dt.datetime(2026, 11, 15, tzinfo=dt.UTC)
    span = window_span(Window.ROLLING_30_DAYS, now, "UTC")
    assert span.start == now - dt.timedelta(days=30)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        window_span(Window.CALENDAR_MONTH, dt.datetime(2026, 11, 15), "UTC")
