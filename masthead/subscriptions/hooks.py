"""Listeners the layers above register at ``ready()`` to hear when a subscription starts a trial or is first paid.

Subscriptions moves the money path's rows; what others make of these moments (the publisher's
conversions) is theirs. A listener runs inside the transaction that records the moment (a payment
event's handler, say), in a savepoint of its own: what it writes commits or rolls back with that moment,
and one that fails is logged and rolled back alone, never failing the payment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

logger = logging.getLogger(__name__)


class Milestone(StrEnum):
    TRIAL_STARTED = "trial_started"  # a checkout became a free trial
    FIRST_PAYMENT = "first_payment"  # the subscription's first paid invoice for more than nothing


@dataclass(frozen=True, slots=True)
class SubscriptionMilestone:
    milestone: Milestone
    subscription_id: int
    user_id: int
    at: dt.datetime
    # The article the reader was reading when they chose to subscribe (Subscription.source_article), if any.
    source_article_id: int | None = None


_listeners: list[Callable[[SubscriptionMilestone], None]] = []


def on_milestone(listener: Callable[[SubscriptionMilestone], None]) -> None:
    """Call ``listener`` with every trial start and first payment from now on (registered once, at ``ready()``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def reached(event: SubscriptionMilestone) -> None:
    for listener in _listeners:
        try:
            with transaction.atomic():
                listener(event)
        except Exception:
            logger.exception("subscription milestone listener %r failed", listener)
