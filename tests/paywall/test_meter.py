"""Every meter store keeps the same promises: once per article per window, atomic against the limit."""

from __future__ import annotations

import datetime as dt
import threading
import uuid

import pytest

from masthead.paywall.meter import DatabaseMeterStore, InMemoryMeterStore, MeterUnavailable, RedisMeterStore
from masthead.paywall.types import Window
from masthead.paywall.windows import window_span
from tests.conftest import require_service

NOW = dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC)
NOVEMBER = window_span(Window.CALENDAR_MONTH, NOW, "Asia/Tokyo")


@pytest.fixture(params=["memory", pytest.param("database", marks=pytest.mark.django_db(transaction=True)), "redis"])
def store(request):
    if request.param == "memory":
        return InMemoryMeterStore()
    if request.param == "database":
        return DatabaseMeterStore()
    require_service("Redis", "127.0.0.1", 6379)
    return RedisMeterStore("redis://127.0.0.1:6379/0", prefix=f"masthead-test:{uuid.uuid4().hex}")


def test_a_read_counts_once_and_a_reread_is_free(store):
    first = store.record("a:1", 10, NOVEMBER, 3, NOW)
    again = store.record("a:1", 10, NOVEMBER, 3, NOW)
    assert first.recorded and first.state.used == 1
    assert not again.recorded and again.state.already_read and again.state.used == 1
    state = store.state("a:1", 10, NOVEMBER)
    assert state.used == 1 and state.already_read
    assert not store.state("a:1", 11, NOVEMBER).already_read


def test_the_limit_refuses_a_new_article_but_not_a_reread(store):
    for article in (1, 2, 3):
        assert store.record("a:2", article, NOVEMBER, 3, NOW).recorded
    refused = store.record("a:2", 4, NOVEMBER, 3, NOW)
    assert not refused.recorded and not refused.state.already_read and refused.state.used == 3
    assert store.record("a:2", 2, NOVEMBER, 3, NOW).state.already_read
    assert store.read_articles("a:2", NOVEMBER) == {1, 2, 3}


def test_readers_and_windows_are_counted_apart(store):
    december = window_span(Window.CALENDAR_MONTH, NOW + dt.timedelta(days=20), "Asia/Tokyo")
    store.record("a:3", 1, NOVEMBER, 3, NOW)
    assert store.state("a:4", 1, NOVEMBER).used == 0
    assert store.state("a:3", 1, december).used == 0


def test_rolling_window_forgets_reads_older_than_thirty_days(store):
    early = window_span(Window.ROLLING_30_DAYS, NOW, "UTC")
    store.record("a:5", 1, early, 1, NOW)
    assert not store.record("a:5", 2, early, 1, NOW).recorded
    later_now = NOW + dt.timedelta(days=31)
    later = window_span(Window.ROLLING_30_DAYS, later_now, "UTC")
    assert store.state("a:5", 1, later).used == 0
    assert store.record("a:5", 2, later, 1, later_now).recorded


def test_merging_counts_anonymous_reads_for_the_account_once(store):
    store.record("a:6", 1, NOVEMBER, 10, NOW)
    store.record("a:6", 2, NOVEMBER, 10, NOW)
    store.record("u:6", 2, NOVEMBER, 10, NOW)
    store.merge("a:6", "u:6", NOVEMBER)
    assert store.read_articles("u:6", NOVEMBER) == {1, 2}
    # The browser keeps its count too, so signing out does not reset the meter.
    assert store.state("a:6", 1, NOVEMBER).used == 2


def test_concurrent_reads_of_different_articles_grant_only_what_is_left(store):
    store.record("a:7", 100, NOVEMBER, 3, NOW)
    store.record("a:7", 101, NOVEMBER, 3, NOW)
    results = []
    barrier = threading.Barrier(12)

    def read(article_id: int) -> None:
        barrier.wait()
        results.append(store.record("a:7", article_id, NOVEMBER, 3, NOW).recorded)

    threads = [threading.Thread(target=read, args=(200 + i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 1
    assert store.state("a:7", 0, NOVEMBER).used == 3


def test_an_unreachable_redis_reports_unavailable():
    store = RedisMeterStore("redis://127.0.0.1:1/0")
    with pytest.raises(MeterUnavailable):
        store.state("a:8", 1, NOVEMBER)
    with pytest.raises(MeterUnavailable):
        store.record("a:8", 1, NOVEMBER, 3, NOW)


def test_a_new_readers_first_read_counts_once(store):
    first = store.record_first("a:new", 5, NOVEMBER, NOW)
    assert first.recorded and first.state.used == 1
    state = store.state("a:new", 5, NOVEMBER)
    assert state.used == 1 and state.already_read
    assert not store.record("a:new", 5, NOVEMBER, 3, NOW).recorded
