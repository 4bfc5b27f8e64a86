"""The meter rules in force, as plain data, cached across requests."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from .types import MeterRules, Window

RULES_CACHE_KEY = "paywall:rules:v1"


def meter_rules() -> MeterRules:
    rules = cache.get(RULES_CACHE_KEY)
    if rules is None:
        from .models import MeterSettings

        row = MeterSettings.objects.order_by("pk").first() or MeterSettings.objects.create()
        rules = MeterRules(
            anonymous_limit=row.anonymous_limit,
            registered_limit=row.registered_limit,
            window=Window(row.window),
            teaser_blocks=row.teaser_blocks,
        )
        cache.set(RULES_CACHE_KEY, rules, 300)
    return rules


def forget_meter_rules() -> None:
    cache.delete(RULES_CACHE_KEY)


def fail_open() -> bool:
    """When the meter store is unreachable: serve (open, the default) or show the paywall (closed)."""
    mode = getattr(settings, "MASTHEAD_METER_FAIL", "open")
    return str(mode).lower() != "closed"
