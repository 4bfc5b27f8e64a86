"""Listeners the layers above register at ``ready()`` to hear of every new reader account.

Accounts creates the account; what others make of it (the publisher's conversions) is theirs. A listener
runs in the sign-up's request, in a savepoint of its own: one that fails is logged and rolled back, and
the sign-up goes on all the same.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Registration:
    """A reader account was created by signing up."""

    user_id: int
    at: dt.datetime
    # The article the reader came from, carried through the sign-up by the site (``next``), if any.
    source_article_id: int | None = None
    # The key this browser was known by before it had an account (the paywall meter's "a:<id>"), passed on
    # by the site for listeners; accounts keeps nothing of it.
    previous_reader_key: str = ""


_listeners: list[Callable[[Registration], None]] = []


def on_registration(listener: Callable[[Registration], None]) -> None:
    """Call ``listener`` with every registration from now on (registered once, at ``ready()``)."""
    if listener not in _listeners:
        _listeners.append(listener)


def registered(event: Registration) -> None:
    for listener in _listeners:
        try:
            with transaction.atomic():
                listener(event)
        except Exception:
            logger.exception("registration listener %r failed", listener)
