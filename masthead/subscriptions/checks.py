"""System checks of the subscription settings that only this app can judge (ids continue core.checks' list).

masthead.W006  a grace period that ends before the last dunning reminder (MASTHEAD_GRACE_DAYS)
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from .entitlements import DUNNING_DAYS


@checks.register("masthead")
def check_grace_covers_dunning(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    last = max(DUNNING_DAYS)
    if last < settings.MASTHEAD_GRACE_DAYS:
        return []
    return [
        checks.Warning(
            f"MASTHEAD_GRACE_DAYS is {settings.MASTHEAD_GRACE_DAYS}: access ends before the payment reminder of "
            f"day {last}, so a reader whose renewal failed misses reminders (days {DUNNING_DAYS}).",
            hint=f"Set MASTHEAD_GRACE_DAYS to {last + 1} or more (the default is 7).",
            id="masthead.W006",
        )
    ]
