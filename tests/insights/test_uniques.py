"""Unique readers per day and outcome (Redis HyperLogLog, or the meter's own reads), and the funnel's reconciliation."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import pytest
from django.db.models import Sum

from masthead.insights import recording
from masthead.insights.models import DecisionCount, Outcome
from masthead.insights.tables import Chart
from masthead.insights.uniques import MAX_DAYS, meter_reads_by_day, readers_by_day
from masthead.paywall.models import MeterRead
from tests.conftest import require_service
from tests.controls import assert_article_page
from tests.insights.conftest import TOKYO_DAY

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/0"
NEXT_DAY = TOKYO_DAY + dt.timedelta(days=1)


def read(client, article) -> str:
    return assert_article_page(client.get(article.get_absolute_url()), article)


def as_new_reader(client, *articles) -> None:
    client.logout()
    client.cookies.clear()
    for article in articles:
        read(client, article)


def column(table, outcome: Outcome) -> list:
    index = [c.key for c in table.columns].index(outcome.value)
    return [row[index] for row in table.rows]


def grants_on(day: dt.date) -> int:
    return DecisionCount.objects.filter(day=day, outcome=Outcome.METER_GRANT).aggregate(n=Sum("count"))["n"] or 0


@pytest.fixture
def redis_prefix(settings):
    """Redis on, under a prefix of this test's own (the shared Redis is never cleared); its keys removed after."""
    require_service("Redis", "127.0.0.1", 6379)
    prefix = f"insights-test-{uuid.uuid4().hex}"
    settings.REDIS_URL = REDIS_URL
    settings.MASTHEAD_CACHE_PREFIX = prefix
    client = recording.redis_client(REDIS_URL)
    yield client
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


@pytest.mark.redis
def test_with_redis_each_outcome_has_its_unique_readers_per_day(
    client, clock, library, flush_at_once, redis_prefix, settings
):
    m, free = library["metered"], library["free"]
    as_new_reader(client, m[0], m[1], m[0])  # two grants and a re-read
    as_new_reader(client, m[0], m[1], m[2], m[3])  # three grants and the wall
    as_new_reader(client, free, free)  # the same reader twice: one unique reader
    clock.advance(days=1)
    as_new_reader(client, m[4])

    key = recording.readers_key(TOKYO_DAY, "meter_grant")
    assert key == f"{settings.MASTHEAD_CACHE_PREFIX}:insights:readers:2026-11-16:meter_grant"
    assert redis_prefix.pfcount(key) == 2
    assert 399 * 86400 < redis_prefix.ttl(key) <= 400 * 86400

    table = readers_by_day(start=TOKYO_DAY, end=NEXT_DAY)
    assert (table.slug, table.chart) == ("readers-by-day", Chart.LINE)
    assert [c.key for c in table.columns] == ["day", *(o.value for o in Outcome)]
    assert [row[0] for row in table.rows] == [TOKYO_DAY, NEXT_DAY]
    assert column(table, Outcome.METER_GRANT) == [2, 1]
    assert column(table, Outcome.REREAD) == [1, 0]
    assert column(table, Outcome.METER_WALL) == [1, 0]
    assert column(table, Outcome.FREE) == [1, 0]
    assert column(table, Outcome.SUBSCRIBER) == [0, 0]
    assert "HyperLogLog" in table.description
    # The decisions themselves were counted too.
    assert grants_on(TOKYO_DAY) == 5


def test_an_unreachable_redis_keeps_the_readers_for_later_and_the_counts_are_written(
    client, library, flush_at_once, settings, caplog
):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    article = library["metered"][0]
    with caplog.at_level(logging.ERROR, logger="masthead.insights.recording"):
        assert "M0 paragraph 6." in read(client, article)
    assert "adding unique readers to Redis failed; kept for the next try" in caplog.text
    assert grants_on(TOKYO_DAY) == 1
    counts, readers = recording.recorder.pending()
    assert counts == {}
    assert [(day, outcome) for day, outcome in readers] == [(TOKYO_DAY, "meter_grant")]
    assert len(readers[(TOKYO_DAY, "meter_grant")]) == 1

    # The dashboard's table falls back to the meter's own reads.
    with caplog.at_level(logging.ERROR, logger="masthead.insights.uniques"):
        table = readers_by_day(start=TOKYO_DAY, end=TOKYO_DAY)
    assert column(table, Outcome.METER_GRANT) == [1]
    assert column(table, Outcome.FREE) == [None]


def test_without_redis_meter_grants_have_exact_unique_readers_and_the_rest_none(
    client, clock, library, registered_reader, flush_at_once
):
    m = library["metered"]
    as_new_reader(client, m[0], m[1])
    as_new_reader(client, m[0], m[1], m[2], m[0])
    client.force_login(registered_reader)
    read(client, m[3])
    clock.advance(days=1)
    as_new_reader(client, m[4])

    table = readers_by_day(start=TOKYO_DAY - dt.timedelta(days=1), end=NEXT_DAY)
    assert [row[0] for row in table.rows] == [TOKYO_DAY - dt.timedelta(days=1), TOKYO_DAY, NEXT_DAY]
    assert column(table, Outcome.METER_GRANT) == [0, 3, 1]
    for outcome in Outcome:
        if outcome != Outcome.METER_GRANT:
            assert column(table, outcome) == [None, None, None], outcome
    assert "Without Redis" in table.description


def test_with_the_memory_meter_store_and_no_redis_nothing_has_a_unique_count(library, settings):
    settings.MASTHEAD_METER_STORE = "memory"
    table = readers_by_day(start=TOKYO_DAY, end=TOKYO_DAY)
    assert table.rows == ((TOKYO_DAY, *([None] * len(Outcome))),)


@pytest.mark.parametrize(
    ("start", "end"),
    [(TOKYO_DAY, TOKYO_DAY - dt.timedelta(days=1)), (TOKYO_DAY, TOKYO_DAY + dt.timedelta(days=MAX_DAYS))],
)
def test_a_backwards_or_too_long_range_is_refused(start, end):
    assert readers_by_day(start=TOKYO_DAY, end=TOKYO_DAY + dt.timedelta(days=MAX_DAYS - 1)).rows  # the longest
    with pytest.raises(ValueError, match="range"):
        readers_by_day(start=start, end=end)


def test_reconciliation_the_funnels_meter_grants_equal_the_meter_stores_reads_each_day(
    client, clock, library, registered_reader, flush_at_once
):
    m = library["metered"]
    # Day one in Tokyo (the 16th): from 05:00 to 23:59.
    as_new_reader(client, m[0], m[1], m[2], m[3])  # three grants and the wall
    as_new_reader(client, m[1], m[1])  # a grant and a re-read
    client.force_login(registered_reader)
    for article in m:
        read(client, article)  # five grants on the registered allowance
    clock.set(dt.datetime(2026, 11, 16, 14, 59, tzinfo=dt.UTC))  # 23:59 on the 16th in Tokyo
    as_new_reader(client, m[4])
    # Day two: a minute later it is the 17th in Tokyo, still the 16th in UTC.
    clock.set(dt.datetime(2026, 11, 16, 15, 0, tzinfo=dt.UTC))
    as_new_reader(client, m[2], m[3])

    reads = meter_reads_by_day(start=TOKYO_DAY, end=NEXT_DAY)
    assert reads == {TOKYO_DAY: (10, 4), NEXT_DAY: (2, 1)}
    assert MeterRead.objects.count() == 12
    for day, (count, _) in reads.items():
        assert grants_on(day) == count, day
    assert (
        grants_on(TOKYO_DAY) + grants_on(NEXT_DAY)
        == DecisionCount.objects.filter(outcome=Outcome.METER_GRANT).aggregate(n=Sum("count"))["n"]
    )


def test_the_table_speaks_japanese_for_a_japanese_publication(library):
    from django.utils import translation

    with translation.override("ja"):
        table = readers_by_day(start=TOKYO_DAY, end=TOKYO_DAY)
    assert table.title == "日別のユニーク読者数"
    assert table.description.startswith("無料枠で記事を読んだ日ごとの読者数")
    assert [c.label for c in table.columns][:3] == ["日付", "無料記事の閲覧", "無料枠での閲覧"]
