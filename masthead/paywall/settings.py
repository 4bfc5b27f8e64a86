"""The meter rules in force, as plain data, cached across requests."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches

from .types import MeterRules, Window

RULES_CACHE_KEY = "paywall:rules:v1"


def meter_rules() -> MeterRules:
    """The publisher's rules, kept in process memory for a few seconds (an edit reaches every worker soon)."""
    local = caches["local"]
    rules = local.get(RULES_CACHE_KEY)
    if rules is None:
        from .models import MeterSettings

        row = MeterSettings.objects.order_by("pk").first() or MeterSettings.objects.create()
        rules = MeterRules(
            anonymous_limit=row.anonymous_limit,
            registered_limit=row.registered_limit,
            window=Window(row.window),
            teaser_blocks=row.teaser_blocks,
        )
        local.set(RULES_CACHE_KEY, rules)
    return rules


def forget_meter_rules() -> None:
    caches["local"].delete(RULES_CACHE_KEY)


def fail_open() -> bool:
    """When the meter store is unreachable: serve (open, the default) or show the paywall (closed)."""
    mode = getattr(settings, "MASTHEAD_METER_FAIL", "open")
    return str(mode).lower() != "closed"
