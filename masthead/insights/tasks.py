"""Insights' background work, through Django's tasks framework: the leak monitor and its alert.

``monitor_leaks_task`` is what ``manage.py monitor_leaks --enqueue`` hands to the task worker
(``manage.py db_worker`` with MASTHEAD_TASKS_BACKEND=django_tasks_db.DatabaseBackend; the default backend
runs it at once). ``send_leak_alert`` emails the publishers about one run, once that run is stored.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation


@task
def monitor_leaks_task(*, base_url: str = "") -> int:
    """Run the leak monitor against the site's public address (or ``base_url``); the stored run's id."""
    from .monitor import monitor_leaks

    return monitor_leaks(base_url or None).pk


@task
def send_leak_alert(*, run_id: int) -> int:
    """Email every publisher what one run found (leaks, pages that proved nothing, or why it could not run).

    One message per publisher, in the publication's language and time zone; how many were sent.
    """
    from masthead.publishing.selectors import current_publication

    from .models import AuditRun
    from .monitor import publisher_addresses

    run = AuditRun.objects.filter(pk=run_id).first()
    addresses = publisher_addresses()
    if run is None or not addresses:
        return 0
    publication = current_publication()
    site_url = settings.MASTHEAD_SITE_URL.rstrip("/")
    with translation.override(publication.language), timezone.override(publication.time_zone):
        context = {
            "run": run,
            "publication": publication,
            "leaking": list(run.roads.filter(leaks__gt=0).order_by("-leaks", "road")),
            "unproved": list(run.roads.filter(leaks=0).exclude(detail="").order_by("road")),
            # The run in the admin; the address is the site's own, whatever address the audit was given.
            "run_url": site_url + reverse("admin:insights_auditrun_change", args=[run.pk]) if site_url else "",
        }
        subject = " ".join(render_to_string("insights/emails/leak_alert_subject.txt", context).split())
        body = render_to_string("insights/emails/leak_alert.txt", context)
    for address in addresses:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    return len(addresses)
