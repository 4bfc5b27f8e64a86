"""Several workers, one set of figures: with PROMETHEUS_MULTIPROC_DIR a scrape sums every worker's counts.

Two real processes (``manage.py shell``, the app loaded as a worker loads it, its listener registered at
``ready()``) decide reads through the paywall's hook and exit; a scrape in a third process then reports
their sum, the database figures beside it.
"""

from __future__ import annotations

import pytest

from masthead.insights.metrics import REGISTRY
from tests.core.test_deployment import manage
from tests.insights.metrics_scrape import TOKEN, decisions, meter_seconds_count, samples, scrape

pytestmark = pytest.mark.django_db

WORKER = """
import datetime as dt, os
from masthead.paywall import hooks
from masthead.paywall.types import Decision, Message, Outcome, Reader, ReaderKind, Reason
granted = Decision(Outcome.FULL, Reason.METER_GRANTED, Message.ARTICLES_LEFT, None, True, used=1, limit=3)
wall = Decision(Outcome.TEASER, Reason.METER_EXHAUSTED, Message.METER_EXHAUSTED, 2, False, used=3, limit=3)
reader = Reader(ReaderKind.ANONYMOUS, "a:probe")
for decision in [granted] * {granted} + [wall] * {walls}:
    hooks.decided(hooks.DecisionEvent(1, reader, decision, dt.datetime.now(dt.UTC), 0.002))
print("pid", os.getpid())
"""


def run_worker(directory, *, granted: int, walls: int) -> int:
    result = manage(
        "shell", "-c", WORKER.format(granted=granted, walls=walls), DEBUG="1", PROMETHEUS_MULTIPROC_DIR=str(directory)
    )
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split("pid", 1)[1].split()[0])


def test_a_scrape_sums_the_counts_of_every_worker(client, settings, tmp_path):
    first = run_worker(tmp_path, granted=3, walls=1)
    second = run_worker(tmp_path, granted=4, walls=2)
    # Each worker wrote its own files, and both have exited since.
    written = {path.name for path in tmp_path.iterdir()}
    assert {f"counter_{first}.db", f"counter_{second}.db", f"histogram_{second}.db"} <= written

    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    families = scrape(client)
    assert +decisions(families) == {("meter_granted", "full"): 7, ("meter_exhausted", "teaser"): 3}
    assert meter_seconds_count(families) == 10
    assert samples(families, "masthead_meter_store_seconds_bucket", "le")[("0.0025",)] == 10
    # The database figures are read by whichever worker answers, beside the summed counts.
    assert samples(families, "masthead_webhook_events", "provider", "outcome")[("local", "failed")] == 0
    assert samples(families, "masthead_task_queue_depth", "queue")[("default",)] == 0


def test_without_the_directory_a_scrape_reports_the_answering_workers_own_counts(client, settings, tmp_path):
    run_worker(tmp_path, granted=5, walls=0)
    settings.MASTHEAD_METRICS_TOKEN = TOKEN
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)
    assert decisions(scrape(client))[("meter_granted", "full")] == 5  # the worker's counts are in the directory
    settings.PROMETHEUS_MULTIPROC_DIR = ""
    # This test process counted nothing through that worker: its own counts are all a scrape of it shows.
    own = decisions(scrape(client))
    counted_here = REGISTRY.get_sample_value(
        "masthead_paywall_decisions_total", {"reason": "meter_granted", "outcome": "full"}
    )
    assert own[("meter_granted", "full")] == (counted_here or 0)
