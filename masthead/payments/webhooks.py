"""Provider events, handled the careful way: verify → store by id, handle, record the outcome: one transaction.

Events may arrive twice, late, out of order or in parallel. The stored event, what its handler changed and
the outcome commit together, or nothing does: a worker that dies in the middle leaves no trace, and the
provider's redelivery (it got no answer) is handled as if it were the first. A stored event whose outcome is
final (processed or ignored) is a duplicate: acknowledged, and not handled again. One that never reached a
final outcome (failed; waiting for an earlier event; or ``received``, which rows committed before handling
and outcome became one unit may still say) is handled again when it is delivered again, or replayed by staff.
An event about a subscription Masthead does not know yet waits, and is handled when that subscription
appears, in the same transaction as the event that made it appear.
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


FINAL = frozenset({WebhookEvent.Outcome.PROCESSED, WebhookEvent.Outcome.IGNORED})


def process(event: PaymentEvent) -> WebhookEvent | None:
    """Store ``event`` and handle it, in one transaction; None when it was already handled to a final outcome.

    Parallel deliveries of one event meet at its unique (provider, event_id) row: the second waits for the
    first to commit (or roll back), then finds the outcome, or stores and handles the event itself.
    """
    with transaction.atomic():
        stored, created = _store(event)
        if not created and stored.outcome in FINAL:
            logger.info("payment event %s %s already handled; ignored", event.provider, event.event_id)
            return None
        _handle(stored, event)
    return stored


def replay(stored: WebhookEvent) -> bool:
    """Handle a stored event again if it has no final outcome yet (staff's replay); returns whether it was."""
    with transaction.atomic():
        locked = WebhookEvent.objects.select_for_update().filter(pk=stored.pk).first()
        if locked is None or locked.outcome in FINAL:
            return False
        _handle(locked, event_from_stored(locked))
    stored.refresh_from_db()
    return True


def _store(event: PaymentEvent) -> tuple[WebhookEvent, bool]:
    """The event's row, locked for this transaction, and whether it was created now."""
    try:
        with transaction.atomic():
            return (
                WebhookEvent.objects.create(
                    provider=event.provider,
                    event_id=event.event_id,
                    event_type=event.provider_type,
                    kind=event.kind,
                    subscription_id=event.subscription_id,
                    occurred_at=event.occurred_at,
                    received_at=clock.now(),
                    payload=_jsonable(event),
                ),
                True,
            )
    except IntegrityError:
        return WebhookEvent.objects.select_for_update().get(provider=event.provider, event_id=event.event_id), False


def _handle(stored: WebhookEvent, event: PaymentEvent) -> None:
    """Dispatch, then the events that waited for this one's subscription; the caller's transaction holds it all."""
    _dispatch(stored, event)
    if stored.outcome == WebhookEvent.Outcome.PROCESSED and event.subscription_id:
        _replay_waiting(event.provider, event.subscription_id, exclude=stored.pk)


def _dispatch(stored: WebhookEvent, event: PaymentEvent) -> None:
    handler = _HANDLERS.get(event.kind)
    if handler is None:
        outcome, detail = WebhookEvent.Outcome.IGNORED, f"no handler for {event.provider_type}"
    else:
        try:
            with transaction.atomic():  # a savepoint: a handler that raises leaves no half-made change
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
        WebhookEvent.objects.select_for_update()
        .filter(provider=provider, subscription_id=subscription_id, outcome=WebhookEvent.Outcome.WAITING)
        .exclude(pk=exclude)
        .order_by("occurred_at", "pk")
    )
    for stored in waiting:
        _dispatch(stored, event_from_stored(stored))


def latest_event(*, provider: str, kind: EventKind, customer_id: str) -> PaymentEvent | None:
    """The newest stored event of ``kind`` about the customer (e.g. the card saved before its subscription was
    known), or None."""
    if not customer_id:
        return None
    stored = (
        WebhookEvent.objects.filter(provider=provider, kind=kind, payload__customer_id=customer_id)
        .order_by("-occurred_at", "-pk")
        .first()
    )
    return event_from_stored(stored) if stored else None


def event_from_stored(stored: WebhookEvent) -> PaymentEvent:
    data = dict(stored.payload)
    data["kind"] = EventKind(data["kind"])
    for name in ("occurred_at", "current_period_start", "current_period_end", "trial_end"):
        if data.get(name):
            data[name] = dt.datetime.fromisoformat(data[name])
    return PaymentEvent(**data)
