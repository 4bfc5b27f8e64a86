"""The leak monitor: the paywall audit on a schedule, against the site's own public address.

``monitor_leaks`` runs the audit engine (``paywall.audit``: fresh anonymous readers asking for every
non-free article by every road) against ``MASTHEAD_SITE_URL``, keeps the run with one row per road,
forgets runs older than 90 days and, when something leaked or the audit could not run, emails every
publisher (``tasks.send_leak_alert``). Cron runs it with ``manage.py monitor_leaks``; the task worker with
``tasks.monitor_leaks_task``. The admin index shows the last run (``last_audit_run``).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from masthead.core import clock
from masthead.paywall.audit import AuditError, AuditReport, RoadResult, run_audit
from masthead.publishing.roles import PUBLISHERS

from .models import AuditRoadResult, AuditRun
from .tasks import send_leak_alert

RETENTION = dt.timedelta(days=90)
DETAIL_LINES = 50  # per road: a leak on every article of a large site would otherwise fill the row


class MonitorError(Exception):
    """The monitor cannot start: it has no public address to audit."""


def monitored_url(base_url: str | None = None) -> str:
    """``base_url``, or the site's public address; a clear error when there is none or it is not http(s)."""
    url = base_url or settings.MASTHEAD_SITE_URL
    if not url:
        raise MonitorError(
            "MASTHEAD_SITE_URL is not set: the leak monitor audits the site at its public address, as readers "
            "reach it. Set MASTHEAD_SITE_URL (e.g. https://news.example.com) or pass --base-url."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise MonitorError(f"the leak monitor needs an http:// or https:// address to audit, not {url!r}")
    return url


def road_detail(result: RoadResult) -> str:
    """The leak lines of one road, then the requests that did not show their article; at most DETAIL_LINES."""
    lines = [f"{leak.road}: {leak.article} block {leak.block}: {leak.probe!r}" for leak in result.leaks]
    lines += [f"{request}: the page does not show its article" for request in result.missing]
    if len(lines) > DETAIL_LINES:
        lines = [*lines[:DETAIL_LINES], f"… and {len(lines) - DETAIL_LINES} more"]
    return "\n".join(lines)


def audit_runs_prune(*, now: dt.datetime) -> int:
    """Forget the runs (and their roads) started more than 90 days before ``now``; how many went."""
    _, per_model = AuditRun.objects.filter(started_at__lt=now - RETENTION).delete()
    return per_model.get(AuditRun._meta.label, 0)


def monitor_leaks(base_url: str | None = None, *, timeout: float = 10.0) -> AuditRun:
    """Audit the site at its public address (or ``base_url``), keep the run, and alert the publishers.

    An audit that cannot run (the site unreachable, nothing to audit) is kept as a run with its error,
    and alerted too: until it runs again, nobody is watching the paywall.
    """
    url = monitored_url(base_url)
    started = clock.now()
    report: AuditReport | None = None
    error = ""
    try:
        report = run_audit(url, timeout=timeout)
    except AuditError as failure:
        error = str(failure)
    finished = clock.now()
    roads = list(report.roads.values()) if report else []
    with transaction.atomic():
        run = AuditRun.objects.create(
            started_at=started,
            finished_at=finished,
            base_url=url,
            articles=report.articles if report else 0,
            roads_checked=len(roads),
            leaks_found=len(report.leaks) if report else 0,
            pages_not_shown=len(report.missing) if report else 0,
            error=error,
        )
        AuditRoadResult.objects.bulk_create(
            AuditRoadResult(
                run=run, road=road.road, responses=road.responses, leaks=len(road.leaks), detail=road_detail(road)
            )
            for road in roads
        )
        audit_runs_prune(now=started)
        if run.leaks_found or run.pages_not_shown or run.error:
            run_id = run.pk
            transaction.on_commit(lambda: send_leak_alert.enqueue(run_id=run_id))
    return run


def publisher_addresses() -> list[str]:
    """The addresses of everyone who runs the business: the Publishers group and superusers, if active."""
    users = (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=PUBLISHERS), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(users))


def last_audit_run() -> tuple[AuditRun | None, list[AuditRoadResult]]:
    """The latest run and its leaking roads (most leaks first), for the admin index; two queries."""
    run = AuditRun.objects.order_by("-started_at", "-pk").first()
    if run is None:
        return None, []
    return run, list(run.roads.filter(leaks__gt=0).order_by("-leaks", "road"))
