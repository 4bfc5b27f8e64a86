"""The leak monitor's box on the admin index: ``{% load leak_monitor %}{% leak_monitor_box %}``."""

from __future__ import annotations

from django import template
from django.urls import reverse

from masthead.insights.monitor import last_audit_run

register = template.Library()


@register.inclusion_tag("insights/admin/leak_monitor_box.html", takes_context=True)
def leak_monitor_box(context) -> dict:
    """The last run (time, roads checked, leaks and the leaking roads) for those who may see the runs."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.has_perm("insights.view_auditrun"):
        return {"shown": False}
    run, leaking = last_audit_run()
    return {
        "shown": True,
        "run": run,
        "leaking": leaking,
        "run_url": reverse("admin:insights_auditrun_change", args=[run.pk]) if run else "",
        "runs_url": reverse("admin:insights_auditrun_changelist"),
    }
