"""What ``GET /metrics`` reports matches what happened: reads through the site, rows in the database."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from masthead.payments.models import WebhookEvent
from masthead.paywall.meter import InMemoryMeterStore, MeterUnavailable
from tests.controls import assert_article_page
from tests.insights.metrics_scrape import TOKEN, decisions, meter_seconds_count, samples, scrape

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def metrics_on(settings):
    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    settings.MASTHEAD_METRICS_ALLOW = []
    settings.PROMETHEUS_MULTIPROC_DIR = ""


def test_the_decision_counter_rises_by_exactly_the_reads_made(client, make_article):
    metered = [make_article() for _ in range(4)]
    free = make_article(access="free")
    before = scrape(client)

    reader = Client()  # a reader of its own, apart from the scraping client
    for article in (metered[0], metered[1], metered[0], metered[2], metered[3], free):
        assert_article_page(reader.get(article.get_absolute_url()), article)
    reader.head(metered[3].get_absolute_url())  # a HEAD decides nothing and counts nothing

    after = scrape(client)
    risen = decisions(after)
    risen.subtract(decisions(before))
    assert +risen == Counter(
        {
            ("meter_granted", "full"): 3,  # the three free articles of the anonymous allowance
            ("meter_reread", "full"): 1,
            ("meter_exhausted", "teaser"): 1,  # the fourth metered article: the wall
            ("free", "full"): 1,
        }
    )
    # Every counted read of a metered article asked the meter store once, and was timed; the free one was not.
    assert meter_seconds_count(after) - meter_seconds_count(before) == 5


class UnreachableStore(InMemoryMeterStore):
    def state(self, *args, **kwargs):
        raise MeterUnavailable("connection refused")

    record = record_first = state


@pytest.mark.parametrize(("fail", "outcome"), [("open", "full"), ("closed", "teaser")])
def test_an_unreachable_meter_store_is_counted_and_timed(client, make_article, monkeypatch, settings, fail, outcome):
    settings.MASTHEAD_METER_FAIL = fail
    articles = [make_article(), make_article()]
    before = scrape(client)
    monkeypatch.setattr("masthead.paywall.services.meter_store", UnreachableStore)
    reader = Client()
    for article in articles:  # a new reader's first read, then a known reader's
        assert_article_page(reader.get(article.get_absolute_url()), article)
    after = scrape(client)
    risen = decisions(after)
    risen.subtract(decisions(before))
    assert +risen == Counter({("meter_unavailable", outcome): 2})
    assert meter_seconds_count(after) - meter_seconds_count(before) == 2  # a failing store is timed too


def test_scrapes_count_nothing(client, make_article):
    article = make_article()
    assert_article_page(client.get(article.get_absolute_url()), article)
    first = decisions(scrape(client))
    assert first[("meter_granted", "full")] >= 1  # the read above is there
    assert decisions(scrape(client)) == first


def test_the_meter_store_histogram_has_its_buckets(client, make_article):
    article = make_article()
    client.get(article.get_absolute_url())
    buckets = samples(scrape(client), "masthead_meter_store_seconds_bucket", "le")
    assert ("+Inf",) in buckets and ("0.001",) in buckets
    assert buckets[("+Inf",)] >= 1
    cumulative = [buckets[key] for key in sorted(buckets, key=lambda key: float(key[0]))]
    assert cumulative == sorted(cumulative)  # each bucket holds those below it


def _event(provider: str, outcome: str, n: int) -> WebhookEvent:
    now = timezone.now()
    return WebhookEvent(
        provider=provider,
        event_id=f"evt_{provider}_{outcome}_{n}",
        event_type="invoice.paid",
        kind="invoice_paid",
        occurred_at=now,
        received_at=now,
        outcome=outcome,
    )


def test_webhook_outcomes_are_the_stored_events(client):
    rows = {("stripe", "processed"): 3, ("stripe", "failed"): 2, ("stripe", "waiting"): 1, ("local", "ignored"): 1}
    WebhookEvent.objects.bulk_create(
        [_event(provider, outcome, n) for (provider, outcome), count in rows.items() for n in range(count)]
    )
    reported = samples(scrape(client), "masthead_webhook_events", "provider", "outcome")
    assert {key: value for key, value in reported.items() if value} == rows
    # Every outcome of each provider is there, zero included, so an alert on failures has a series to watch.
    assert reported[("local", "failed")] == 0
    assert {outcome for provider, outcome in reported if provider == "stripe"} == set(WebhookEvent.Outcome.values)

    # An outcome that moves (a replayed event now processed) moves the figures at the next scrape.
    WebhookEvent.objects.filter(provider="stripe", outcome="failed").update(outcome="processed")
    again = samples(scrape(client), "masthead_webhook_events", "provider", "outcome")
    assert again[("stripe", "processed")] == 5
    assert again[("stripe", "failed")] == 0


def _task(queue: str, *, status: str = "READY", run_after: dt.datetime | None = None) -> DBTaskResult:
    return DBTaskResult(
        args_kwargs={"args": [], "kwargs": {"kind": "receipt", "subscription_id": 1}},
        task_path="masthead.subscriptions.notifications.send_subscription_email",
        queue_name=queue,
        backend_name="default",
        status=status,
        run_after=run_after or get_date_max(),
    )


def test_queue_depth_counts_the_tasks_waiting_to_run(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail", "audit"]}}
    now = timezone.now()
    DBTaskResult.objects.bulk_create(
        [
            _task("default"),
            _task("default"),
            _task("default", run_after=now - dt.timedelta(minutes=5)),  # scheduled, and its time has come
            _task("mail"),
            _task("default", run_after=now + dt.timedelta(hours=1)),  # scheduled for later: not waiting yet
            _task("default", status="RUNNING"),
            _task("mail", status="SUCCESSFUL"),
            _task("mail", status="FAILED"),
        ]
    )
    depth = samples(scrape(client), "masthead_task_queue_depth", "queue")
    assert depth == {("audit",): 0, ("default",): 3, ("mail",): 1}

    DBTaskResult.objects.filter(queue_name="mail", status="READY").update(status="RUNNING")
    assert samples(scrape(client), "masthead_task_queue_depth", "queue")[("mail",)] == 0
