"""Operator metrics in Prometheus's format: what the paywall decided, how fast the meter store answered, how
payment webhooks ended and how many tasks wait. ``GET /metrics`` (metrics_views) serves them once the
operator turns it on.

Two kinds of figure, and what a scrape of one worker says about each:

- **Counted in the worker**, as requests pass: decisions (one counter increment per page read the paywall
  decided and counted, heard through ``paywall.hooks``) and the seconds the meter store's calls took for
  each (a histogram). Each worker process counts its own. With ``PROMETHEUS_MULTIPROC_DIR`` set in the
  workers' environment (prometheus_client chooses when it is imported, before the first metric exists),
  every worker writes its counts into a file there, and a scrape, whichever worker answers it, sums the
  files of every worker, those that have since exited included. Without it, a scrape reports the counts
  of the one worker that answered, since that worker started: the whole site with one worker
  (``runserver``, ``WEB_CONCURRENCY=1``), a random share of it with several.
- **Read from the database at each scrape**: stored webhook events by provider and outcome, and tasks
  waiting in django_tasks_db's queue. Every worker reads the same rows, so every worker agrees.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.tasks import DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.models import DBTaskResult
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from masthead.payments.models import WebhookEvent
from masthead.paywall.hooks import DecisionEvent

# The counts this worker keeps. Not prometheus_client's global registry: that one also holds the
# library's own process and platform collectors, which in multi-process mode describe only the worker
# that happens to answer.
REGISTRY = CollectorRegistry()

DECISIONS = Counter(
    "masthead_paywall_decisions",
    "Page reads the paywall decided and counted, by the decision's reason and outcome (full or teaser).",
    ["reason", "outcome"],
    registry=REGISTRY,
)
METER_SECONDS = Histogram(
    "masthead_meter_store_seconds",
    "Seconds the meter store's calls took for one counted read of a metered article.",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)

# The counter of each (reason, outcome), found once: the listener then only increments.
_decision_counters: dict[tuple[str, str], Counter] = {}


def record_decision(event: DecisionEvent) -> None:
    """The paywall's listener (registered at ``InsightsConfig.ready``): one increment, one observation."""
    decision = event.decision
    key = (decision.reason, decision.outcome)
    counter = _decision_counters.get(key)
    if counter is None:
        counter = _decision_counters[key] = DECISIONS.labels(decision.reason.value, decision.outcome.value)
    counter.inc()
    if event.meter_seconds is not None:
        METER_SECONDS.observe(event.meter_seconds)


def webhook_outcome_counts() -> dict[tuple[str, str], int]:
    """Stored payment webhook events per (provider, outcome)."""
    rows = WebhookEvent.objects.order_by().values_list("provider", "outcome").annotate(events=Count("pk"))
    return {(provider, outcome): events for provider, outcome, events in rows}


def waiting_task_counts() -> dict[str, int]:
    """Tasks in django_tasks_db's table that are due to run and not yet taken by a worker, per queue.

    ``ready()`` is the library's own word for them: not started, and either run as soon as possible or
    scheduled for a moment that has come. A task scheduled for later is not waiting yet.
    """
    rows = DBTaskResult.objects.ready().order_by().values_list("queue_name").annotate(tasks=Count("pk"))
    return dict(rows)


class WebhookOutcomes:
    """``masthead_webhook_events``: the webhook events stored, by provider and outcome, read at each scrape.

    A gauge, not a counter: an event's outcome moves (waiting → processed, failed → processed on a replay).
    Every outcome of the configured provider is reported, zero included, so an alert on failures has a
    series before the first one.
    """

    NAME = "masthead_webhook_events"
    HELP = "Payment webhook events stored, by provider and outcome (counted in the database at each scrape)."

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(self.NAME, self.HELP, labels=["provider", "outcome"])

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield self._family()  # the name only: registering it must not query the database

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = webhook_outcome_counts()
        providers = {provider for provider, _ in counts} | {settings.MASTHEAD_PAYMENT_PROVIDER}
        outcomes = {outcome for _, outcome in counts} | set(WebhookEvent.Outcome.values)
        family = self._family()
        for provider in sorted(providers):
            for outcome in sorted(outcomes):
                family.add_metric([provider, outcome], counts.get((provider, outcome), 0))
        yield family


class TaskQueueDepth:
    """``masthead_task_queue_depth``: tasks due and waiting for a worker in the database queue, by queue."""

    NAME = "masthead_task_queue_depth"
    HELP = (
        "Tasks due to run and not yet started in the database task queue (django_tasks_db), by queue "
        "(counted in the database at each scrape)."
    )

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(self.NAME, self.HELP, labels=["queue"])

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield self._family()

    def collect(self) -> Iterator[GaugeMetricFamily]:
        counts = waiting_task_counts()
        queues = set(counts) | {DEFAULT_TASK_QUEUE_NAME}
        for backend in settings.TASKS.values():
            if backend["BACKEND"] == "django_tasks_db.DatabaseBackend":
                queues.update(backend.get("QUEUES", ()))
        family = self._family()
        for queue in sorted(queues):
            family.add_metric([queue], counts.get(queue, 0))
        yield family


DATABASE_COLLECTORS = (WebhookOutcomes(), TaskQueueDepth())
for _collector in DATABASE_COLLECTORS:
    REGISTRY.register(_collector)


def scrape_registry() -> CollectorRegistry:
    """What a scrape reports: this worker's counts, or with PROMETHEUS_MULTIPROC_DIR every worker's summed.

    Both ways the database figures are read afresh, by whichever worker answers.
    """
    if not settings.PROMETHEUS_MULTIPROC_DIR:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    for collector in DATABASE_COLLECTORS:
        registry.register(collector)
    return registry
