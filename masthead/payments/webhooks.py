"""Provider events, handled the careful way: verify → store once by id → dispatch → record the outcome.

Events may arrive twice, late, out of order or in parallel. A replay is acknowledged and ignored;
an event about a subscription Masthead does not know yet waits and is replayed when it appears.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping

from django.db import IntegrityError, transaction

from masthead.core import clock

from .interface import EventKind, PaymentEvent
from .models import WebhookEvent
from .registry import get_provider

logger = logging.getLogger(__name__)


class NotReady(Exception):
    """The event refers to something not known yet; keep it and try again later."""


class Ignored(Exception):
    """The event needs no change (older than what was applied, or not ours)."""


Handler = Callable[[PaymentEvent], str]
_HANDLERS: dict[EventKind, Handler] = {}


def register(kind: EventKind, handler: Handler) -> None:
    """Route events of ``kind`` to ``handler``, which returns a note on what it did."""
    _HANDLERS[kind] = handler


def _jsonable(event: PaymentEvent) -> dict:
    data = dataclasses.asdict(event)
    for key, value in data.items():
        if hasattr(value, "isoformat"):
            data[key] = value.isoformat()
    data["raw"] = dict(event.raw)
    return data


def receive(*, provider_name: str, payload: bytes, headers: Mapping[str, str]) -> WebhookEvent | None:
    """Verify a delivery and process it; raises InvalidSignature/InvalidPayload before storing anything."""
    event = get_provider(provider_name).parse_webhook(payload=payload, headers=headers)
    return process(event)


def process(event: PaymentEvent) -> WebhookEvent | None:
    """Store ``event`` once and dispatch it; returns None for a replay of an event already stored."""
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=event.provider,
                event_id=event.event_id,
                event_type=event.provider_type,
                kind=event.kind,
                subscription_id=event.subscription_id,
                occurred_at=event.occurred_at,
                received_at=clock.now(),
                payload=_jsonable(event),
            )
    except IntegrityError:
        logger.info("payment event %s %s already received; ignored", event.provider, event.event_id)
        return None
    _dispatch(stored, event)
    if stored.outcome == WebhookEvent.Outcome.PROCESSED and event.subscription_id:
        _replay_waiting(event.provider, event.subscription_id, exclude=stored.pk)
    return stored


def _dispatch(stored: WebhookEvent, event: PaymentEvent) -> None:
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        outcome, detail = WebhookEvent.Outcome.IGNORED, f"no handler for {event.provider_type}"
    else:
        try:
            with transaction.atomic():
                outcome, detail = WebhookEvent.Outcome.PROCESSED, handler(event)
        except NotReady as reason:
            outcome, detail = WebhookEvent.Outcome.WAITING, str(reason)
        except Ignored as reason:
            outcome, detail = WebhookEvent.Outcome.IGNORED, str(reason)
        except Exception as error:
            # A bug in a handler: recorded on the event for staff (who can replay it), not a 500 that
            # would make the provider resend the same event into the same bug.
            logger.exception("handling payment event %s failed", stored.event_id)
            outcome, detail = WebhookEvent.Outcome.FAILED, repr(error)
    stored.outcome, stored.detail, stored.processed_at = outcome, (detail or "")[:500], clock.now()
    stored.save(update_fields=["outcome", "detail", "processed_at"])


def _replay_waiting(provider: str, subscription_id: str, *, exclude: int) -> None:
    waiting = (
        WebhookEvent.objects.filter(
            provider=provider, subscription_id=subscription_id, outcome=WebhookEvent.Outcome.WAITING
        )
        .exclude(pk=exclude)
        .order_by("occurred_at", "pk")
    )
    for stored in waiting:
        _dispatch(stored, event_from_stored(stored))


def event_from_stored(stored: WebhookEvent) -> PaymentEvent:
    data = dict(stored.payload)
    data["kind"] = EventKind(data["kind"])
    for name in ("occurred_at", "current_period_start", "current_period_end", "trial_end"):
        if data.get(name):
            data[name] = dt.datetime.fromisoformat(data[name])
    return PaymentEvent(**data)


def redispatch(stored: WebhookEvent) -> None:
    """Handle a stored event again (staff replay of a failed or waiting event)."""
    _dispatch(stored, event_from_stored(stored))
