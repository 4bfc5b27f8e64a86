"""The meter rules in force, as plain data, cached across requests."""

from __future__ import annotations

from django.conf import settings

from masthead.core import memo

from .types import MeterRules, Window

RULES_CACHE_KEY = "paywall:rules:v1"


def meter_rules() -> MeterRules:
    """The publisher's rules, kept in process memory for a few seconds (an edit reaches every worker soon)."""
    return memo.remembered(RULES_CACHE_KEY, _load_rules)


def _load_rules() -> MeterRules:
    from .models import MeterSettings

    row = MeterSettings.objects.order_by("pk").first() or MeterSettings.objects.create()
    return MeterRules(
        anonymous_limit=row.anonymous_limit,
        registered_limit=row.registered_limit,
        window=Window(row.window),
        teaser_blocks=row.teaser_blocks,
    )


def forget_meter_rules() -> None:
    memo.forget(RULES_CACHE_KEY)


def fail_open() -> bool:
    """When the meter store is unreachable: serve (open, the default) or show the paywall (closed)."""
    return settings.MASTHEAD_METER_FAIL == "open"
