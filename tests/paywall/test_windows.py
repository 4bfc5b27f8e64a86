import datetime as dt

import pytest

from masthead.paywall.services import current_window_span
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


def test_rolling_window_reaches_back_thirty_days():
    now = dt.datetime(2026, 11, 15, tzinfo=dt.UTC)
    span = window_span(Window.ROLLING_30_DAYS, now, "UTC")
    assert span.start == now - dt.timedelta(days=30)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        window_span(Window.CALENDAR_MONTH, dt.datetime(2026, 11, 15), "UTC")


def test_the_current_span_follows_the_clock_across_month_ends_both_ways():
    november = dt.datetime(2026, 11, 30, 14, 59, tzinfo=dt.UTC)  # 23:59 in Tokyo
    december = november + dt.timedelta(minutes=1)
    keys = [
        current_window_span(Window.CALENDAR_MONTH, moment, "Asia/Tokyo").key
        for moment in (november, december, november)
    ]
    assert keys == ["2026-11", "2026-12", "2026-11"]
    assert current_window_span(Window.CALENDAR_MONTH, november, "UTC").key == "2026-11"
    rolling = current_window_span(Window.ROLLING_30_DAYS, december, "UTC")
    assert rolling == window_span(Window.ROLLING_30_DAYS, december, "UTC")
