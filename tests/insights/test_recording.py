"""Decision events, recorded cheaply: each read is counted in the worker's memory and written out in batches."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from masthead.insights import recording
from masthead.insights.models import DecisionCount, Outcome
from masthead.paywall import readers
from masthead.paywall.crawlers import CrawlerVerifier
from masthead.paywall.hooks import DecisionEvent
from masthead.paywall.meter import InMemoryMeterStore, MeterUnavailable
from masthead.paywall.types import Decision, Message, Reader, ReaderKind, Reason
from masthead.paywall.types import Outcome as Access
from tests.controls import assert_article_page
from tests.insights.conftest import EVENING_UTC, TOKYO_DAY, rows

pytestmark = pytest.mark.django_db

GOOGLEBOT_UA = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


def decision(reason: Reason, used: int = 0) -> Decision:
    return Decision(Access.FULL, reason, Message.NONE, None, reason == Reason.METER_GRANTED, used, 3)


# Every reason the paywall gives, and what it comes to in the funnel: (outcome, position).
MAPPING = [
    (decision(Reason.FREE), (Outcome.FREE, 0)),
    (decision(Reason.REGISTERED_ACCESS), (Outcome.FREE, 0)),
    (decision(Reason.METER_GRANTED, used=1), (Outcome.METER_GRANT, 1)),
    (decision(Reason.METER_GRANTED, used=3), (Outcome.METER_GRANT, 3)),
    (decision(Reason.METER_REREAD, used=2), (Outcome.REREAD, 0)),
    (decision(Reason.METER_EXHAUSTED, used=3), (Outcome.METER_WALL, 0)),
    (decision(Reason.REGISTRATION_REQUIRED), (Outcome.REGISTRATION_WALL, 0)),
    (decision(Reason.SUBSCRIPTION_REQUIRED), (Outcome.SUBSCRIPTION_WALL, 0)),
    (decision(Reason.ENTITLED), (Outcome.SUBSCRIBER, 0)),
    (decision(Reason.CRAWLER), (Outcome.CRAWLER, 0)),
    (decision(Reason.METER_UNAVAILABLE), (Outcome.METER_UNAVAILABLE, 0)),
]


def test_the_mapping_covers_every_reason_of_the_paywall():
    assert set(recording.OUTCOMES) == set(Reason)
    assert {d.reason for d, _ in MAPPING} == set(Reason)


@pytest.mark.parametrize(("given", "expected"), MAPPING, ids=[f"{d.reason}-{d.used}" for d, _ in MAPPING])
def test_each_reason_comes_to_its_outcome_and_position(given, expected):
    assert recording.outcome_of(given) == expected


def event(article_id: int, reason: Reason = Reason.METER_GRANTED, *, used: int = 1, key: str = "a:one", now=None):
    return DecisionEvent(
        article_id, Reader(ReaderKind.ANONYMOUS, key), decision(reason, used), now or dt.datetime.now(dt.UTC)
    )


# --- reading through the site -----------------------------------------------------------------------


class BrokenStore(InMemoryMeterStore):
    def state(self, *args, **kwargs):
        raise MeterUnavailable("connection refused")

    record = state


def read(client, article, **extra) -> str:
    return assert_article_page(client.get(article.get_absolute_url(), **extra), article)


def test_reading_through_the_site_counts_each_decision_on_the_publications_day(
    client, library, registered_reader, subscriber, flush_at_once, monkeypatch
):
    m, free, members, paid = library["metered"], library["free"], library["registered"], library["subscribers"]
    day = TOKYO_DAY  # the clock says 20:00 UTC on the 15th: the 16th in Tokyo

    # An anonymous reader spends the meter (positions 1, 2, 3), hits the wall, re-reads, and meets the others.
    for article in m[:3]:
        read(client, article)
    assert "You have read all 3 free articles" in read(client, m[3])
    read(client, m[0])
    read(client, free)
    read(client, members)
    read(client, paid)
    anonymous = {
        (day, m[0].pk, "meter_grant", 1, 1),
        (day, m[1].pk, "meter_grant", 2, 1),
        (day, m[2].pk, "meter_grant", 3, 1),
        (day, m[3].pk, "meter_wall", 0, 1),
        (day, m[0].pk, "reread", 0, 1),
        (day, free.pk, "free", 0, 1),
        (day, members.pk, "registration_wall", 0, 1),
        (day, paid.pk, "subscription_wall", 0, 1),
    }
    assert rows() == anonymous

    # A HEAD request decides nothing that counts.
    client.head(m[1].get_absolute_url())
    assert rows() == anonymous

    # A registered reader: their first metered article, and the registration-walled one, free to them.
    client.force_login(registered_reader)
    read(client, m[3])
    read(client, members)
    registered = {(day, m[3].pk, "meter_grant", 1, 1), (day, members.pk, "free", 0, 1)}
    assert rows() == anonymous | registered

    # A subscriber reads both, as a subscriber.
    client.force_login(subscriber)
    read(client, m[3])
    read(client, paid)
    subscribed = {(day, m[3].pk, "subscriber", 0, 1), (day, paid.pk, "subscriber", 0, 1)}
    assert rows() == anonymous | registered | subscribed

    # A second anonymous reader's first grant adds to the first one's row.
    client.logout()
    client.cookies.clear()
    read(client, m[0])
    second = (anonymous - {(day, m[0].pk, "meter_grant", 1, 1)}) | {(day, m[0].pk, "meter_grant", 1, 2)}
    assert rows() == second | registered | subscribed

    # A verified crawler, and a reader served while the meter store is down.
    monkeypatch.setattr(
        readers,
        "crawler_verifier",
        lambda: CrawlerVerifier(
            domains=("googlebot.com",),
            agents=("Googlebot",),
            reverse={"66.249.66.1": "crawl-66-249-66-1.googlebot.com"}.__getitem__,
            forward={"crawl-66-249-66-1.googlebot.com": ["66.249.66.1"]}.__getitem__,
        ),
    )
    assert "Paid paragraph 6." in read(client, paid, HTTP_USER_AGENT=GOOGLEBOT_UA, REMOTE_ADDR="66.249.66.1")
    monkeypatch.setattr("masthead.paywall.services.meter_store", BrokenStore)
    read(client, m[4])
    others = {(day, paid.pk, "crawler", 0, 1), (day, m[4].pk, "meter_unavailable", 0, 1)}
    assert rows() == second | registered | subscribed | others


def test_counts_stay_in_memory_until_flushed_and_each_flush_writes_them_once(client, library):
    article = library["metered"][0]
    with CaptureQueriesContext(connection) as queries:
        read(client, article)
    assert queries.captured_queries, "the read made no query at all: not measured"
    assert not [q for q in queries.captured_queries if "insights_" in q["sql"]]  # the page waits on no write

    counts, _ = recording.recorder.pending()
    assert counts == {(TOKYO_DAY, article.pk, "meter_grant", 1): 1}
    assert not DecisionCount.objects.exists()

    assert recording.flush()
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 1)}
    assert recording.recorder.pending() == ({}, {})
    assert recording.flush()  # nothing waits: nothing is written twice
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 1)}

    # Two flushes add up.
    client.cookies.clear()
    read(client, article)
    client.cookies.clear()
    read(client, article)
    assert recording.recorder.pending()[0] == {(TOKYO_DAY, article.pk, "meter_grant", 1): 2}
    recording.flush()
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 3)}


def test_a_failed_flush_keeps_the_counts_logs_and_never_breaks_the_page(
    client, library, flush_at_once, monkeypatch, caplog
):
    article = library["metered"][0]
    # The database refuses the write for real: the table is not there.
    monkeypatch.setattr(DecisionCount._meta, "db_table", "insights_decisioncount_missing")
    with caplog.at_level(logging.ERROR, logger="masthead.insights.recording"):
        assert "M0 paragraph 6." in read(client, article)  # the page is served all the same
    assert "writing 1 decision counts failed; kept for the next try" in caplog.text
    assert recording.recorder.pending()[0] == {(TOKYO_DAY, article.pk, "meter_grant", 1): 1}

    client.cookies.clear()
    read(client, article)  # fails again: the two are kept together
    assert recording.recorder.pending()[0] == {(TOKYO_DAY, article.pk, "meter_grant", 1): 2}

    monkeypatch.undo()
    assert not DecisionCount.objects.exists()
    assert recording.flush()
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 2)}


def test_while_writes_fail_memory_is_bounded_and_what_is_dropped_is_logged(library, monkeypatch, caplog):
    article = library["metered"][0]
    monkeypatch.setattr(recording, "MAX_PENDING_COUNTS", 2)
    recorder = recording.Recorder()
    for position in (1, 2, 3, 3):
        recorder.add(TOKYO_DAY, article.pk, "meter_grant", position)
    recorder.add(TOKYO_DAY, article.pk, "meter_grant", 1)  # a key already kept still counts
    assert recorder.pending()[0] == {
        (TOKYO_DAY, article.pk, "meter_grant", 1): 2,
        (TOKYO_DAY, article.pk, "meter_grant", 2): 1,
    }
    assert recorder.dropped == 2
    with caplog.at_level(logging.ERROR, logger="masthead.insights.recording"):
        assert recorder.flush()
    assert "2 decisions were dropped" in caplog.text
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 2), (TOKYO_DAY, article.pk, "meter_grant", 2, 1)}


def test_counts_of_an_article_deleted_before_the_flush_are_dropped_not_retried(library):
    kept, deleted = library["metered"][:2]
    recorder = recording.Recorder()
    recorder.add(TOKYO_DAY, kept.pk, "free", 0)
    recorder.add(TOKYO_DAY, deleted.pk, "free", 0)
    deleted_pk = deleted.pk
    deleted.delete()
    assert recorder.flush()
    assert rows() == {(TOKYO_DAY, kept.pk, "free", 0, 1)}
    assert recorder.pending() == ({}, {})
    assert not DecisionCount.objects.filter(article_id=deleted_pk).exists()


# --- many writers at once ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_flushes_from_two_threads_add_up_exactly(library):
    articles = library["metered"]
    rounds, per_round = 5, 40
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def key(i: int, n: int) -> tuple:
        # The two threads share most keys, so their upserts meet on the same rows at the same moment.
        return (TOKYO_DAY, articles[i % 5].pk, "meter_grant", 1 + (i + n) % 3)

    def work(n: int) -> None:
        recorder = recording.Recorder()
        try:
            for _ in range(rounds):
                for i in range(per_round):
                    recorder.add(*key(i, n))
                barrier.wait(timeout=30)
                assert recorder.flush()
                assert recorder.pending() == ({}, {})
        except BaseException as exc:
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    expected: dict[tuple, int] = {}
    for n in range(2):
        for i in range(per_round):
            expected[key(i, n)] = expected.get(key(i, n), 0) + rounds
    assert rows() == {(*k, count) for k, count in expected.items()}
    assert sum(DecisionCount.objects.values_list("count", flat=True)) == 2 * per_round * rounds


@pytest.mark.django_db(transaction=True)
def test_the_thread_writes_every_few_seconds_and_closes_its_connection(library):
    article = library["metered"][0]
    recorder = recording.Recorder()
    recorder.add(TOKYO_DAY, article.pk, "free", 0)
    recorder.start(seconds=0.05)
    try:
        deadline = time.monotonic() + 10
        while not DecisionCount.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert rows() == {(TOKYO_DAY, article.pk, "free", 0, 1)}
        recorder.add(TOKYO_DAY, article.pk, "free", 0)
    finally:
        recorder.stop()  # the thread writes what is waiting as it stops
    assert rows() == {(TOKYO_DAY, article.pk, "free", 0, 2)}
    assert not [t for t in threading.enumerate() if t.name == "masthead-insights-flush" and t.is_alive()]


@pytest.mark.django_db(transaction=True)
def test_with_background_flushing_the_first_read_starts_the_thread_once(library, settings):
    assert settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS == 5
    article = library["metered"][0]
    recorder = recording.Recorder()
    try:
        for _ in range(3):
            recorder.record(event(article.pk, now=EVENING_UTC))
        flushers = [t for t in threading.enumerate() if t.name == "masthead-insights-flush"]
        assert len(flushers) == 1
        assert recorder.pending()[0] == {(TOKYO_DAY, article.pk, "meter_grant", 1): 3}
        assert not DecisionCount.objects.exists()
    finally:
        recorder.stop()
    assert rows() == {(TOKYO_DAY, article.pk, "meter_grant", 1, 3)}
