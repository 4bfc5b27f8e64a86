"""Listeners the layers above register at ``ready()`` to hear of every counted decision.

The paywall decides and counts; what others make of a decision (the publisher's funnel, operator
metrics) is theirs. They register a listener here, and ``article_view_for`` tells each of them of each
page read it decided. A listener must be quick (it runs inside the request) and must not raise: an
error is logged and the page is served all the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from .types import Decision, Reader

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DecisionEvent:
    article_id: int
    reader: Reader  # reader.key names the meter ("u:<id>" or "a:<id>"), never an address
    decision: Decision  # decision.used is the meter position of a metered grant (1 = the first free article)
    now: dt.datetime
    # Seconds the meter store's calls took for this decision (operator metrics), None when none was asked.
    meter_seconds: float | None = None


_listeners: list[Callable[[DecisionEvent], None]] = []


def on_decision(listener: Callable[[DecisionEvent], None]) -> None:
    """Call ``listener`` with every counted decision from now on (registered once, at ``ready()``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def decided(event: DecisionEvent) -> None:
    for listener in _listeners:
        try:
            listener(event)
        except Exception:
            logger.exception("decision listener %r failed", listener)
