"""Stripe events (as plain dicts) translated into Masthead's PaymentEvent.

Payloads differ between Stripe API versions: since 2025 the billing period lives on subscription
items and an invoice names its subscription under ``parent.subscription_details``, and an invoice's tax is
the sum of its ``total_taxes`` (before 2025-03-31.basil: its ``tax``). Both shapes are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from masthead.payments.interface import EventKind, InvalidPayload, PaymentEvent

PROVIDER = "stripe"
REFERENCE_KEY = "masthead_reference"

KINDS: dict[str, EventKind] = {
    "checkout.session.completed": EventKind.CHECKOUT_COMPLETED,
    "customer.subscription.created": EventKind.SUBSCRIPTION_CREATED,
    "customer.subscription.updated": EventKind.SUBSCRIPTION_UPDATED,
    "customer.subscription.deleted": EventKind.SUBSCRIPTION_DELETED,
    "invoice.paid": EventKind.INVOICE_PAID,
    "invoice.payment_failed": EventKind.INVOICE_PAYMENT_FAILED,
    # A card (or source) of the customer expires at the end of next month. Stripe sends it for Card and Source
    # objects; the SDK's event list has no PaymentMethod counterpart (Stripe's own expiring-card emails cover those).
    "customer.source.expiring": EventKind.CARD_EXPIRING,
    # The PaymentMethod a Checkout (or the Billing Portal) saves, and its network's renewal of it: their card's
    # expiry is kept on our side, and the tick says "expires next month" from there.
    "payment_method.attached": EventKind.CARD_SAVED,
    "payment_method.automatically_updated": EventKind.CARD_SAVED,
}


def _get(data: Any, *path: str | int) -> Any:
    """The value at ``path`` inside nested dicts and lists, or None when any step is missing."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return None
        elif not isinstance(data, Mapping):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data


def _id(value: Any) -> str:
    """An object's id, whether Stripe sent the id itself or the expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _moment(value: Any) -> dt.datetime | None:
    seconds = _int(value)
    if seconds is None:
        return None
    try:
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (OverflowError, OSError, ValueError):  # a timestamp outside what datetime can hold
        return None


def _first_text(*values: Any) -> str:
    return next((value for value in values if isinstance(value, str) and value), "")


def _first_int(*values: Any) -> int | None:
    return next((number for number in map(_int, values) if number is not None), None)


def _invoice_tax(invoice: Mapping) -> int | None:
    """The invoice's tax: the sum of ``total_taxes`` (API 2025-03-31 on, the SDK's pinned version included),
    else the older ``tax``; None when the invoice says neither (no Stripe Tax, or a payload without them)."""
    taxes = invoice.get("total_taxes")
    if isinstance(taxes, list):
        amounts = [_int(tax.get("amount")) if isinstance(tax, Mapping) else None for tax in taxes]
        return sum(amount for amount in amounts if amount is not None and amount > 0)
    tax = _int(invoice.get("tax"))
    return tax if tax is not None and tax >= 0 else None


def _checkout_fields(session: Mapping) -> dict[str, Any]:
    return {
        "reference": _first_text(session.get("client_reference_id"), _get(session, "metadata", REFERENCE_KEY)),
        "customer_id": _id(session.get("customer")),
        "subscription_id": _id(session.get("subscription")),
    }


def _subscription_fields(subscription: Mapping) -> dict[str, Any]:
    item = _get(subscription, "items", "data", 0)
    cancel_at_period_end = subscription.get("cancel_at_period_end")
    return {
        "reference": _text(_get(subscription, "metadata", REFERENCE_KEY)),
        "customer_id": _id(subscription.get("customer")),
        "subscription_id": _id(subscription),
        "status": _text(subscription.get("status")),
        "current_period_start": _moment(
            _first_int(subscription.get("current_period_start"), _get(item, "current_period_start"))
        ),
        "current_period_end": _moment(
            _first_int(subscription.get("current_period_end"), _get(item, "current_period_end"))
        ),
        "trial_end": _moment(subscription.get("trial_end")),
        "cancel_at_period_end": cancel_at_period_end if isinstance(cancel_at_period_end, bool) else None,
        "plan_id": _first_text(_id(_get(item, "price")), _id(_get(item, "plan")), _id(subscription.get("plan"))),
    }


def _invoice_fields(invoice: Mapping, *, paid: bool) -> dict[str, Any]:
    line = _get(invoice, "lines", "data", 0)
    return {
        "reference": _first_text(
            _get(invoice, "parent", "subscription_details", "metadata", REFERENCE_KEY),
            _get(invoice, "subscription_details", "metadata", REFERENCE_KEY),
            _get(line, "metadata", REFERENCE_KEY),
        ),
        "customer_id": _id(invoice.get("customer")),
        "subscription_id": _first_text(
            _id(invoice.get("subscription")),
            _id(_get(invoice, "parent", "subscription_details", "subscription")),
        ),
        "invoice_id": _id(invoice),
        "amount_minor": _int(invoice.get("amount_paid" if paid else "amount_due")),
        "currency": _text(invoice.get("currency")),
        "tax_minor": _invoice_tax(invoice),
        "current_period_start": _moment(_get(line, "period", "start")),
        "current_period_end": _moment(_get(line, "period", "end")),
    }


def _card_fields(card: Mapping) -> dict[str, Any]:
    """A card (``object: card``), or a card source or payment method (``object: source`` or ``payment_method``,
    its details under ``card``)."""
    details = card.get("card") if isinstance(card.get("card"), Mapping) else card
    month, year = _int(details.get("exp_month")), _int(details.get("exp_year"))
    return {
        "customer_id": _id(card.get("customer")),
        "card_last4": _text(details.get("last4"))[-4:],
        "card_exp_month": month if month is not None and 1 <= month <= 12 else None,
        "card_exp_year": year if year is not None and 2000 <= year <= 9999 else None,
        "card_fingerprint": _text(details.get("fingerprint"))[:64],
    }


def event_from_stripe(event: Mapping) -> PaymentEvent:
    """Translate one Stripe event; raises InvalidPayload when it has no id, type, created or object."""
    if not isinstance(event, Mapping):
        raise InvalidPayload("not a Stripe event: the body is not a JSON object")
    event_id, event_type = event.get("id"), event.get("type")
    obj, occurred_at = _get(event, "data", "object"), _moment(event.get("created"))
    if not isinstance(event_id, str) or not isinstance(event_type, str) or not isinstance(obj, Mapping):
        raise InvalidPayload("not a Stripe event: it needs an id, a type and data.object")
    if occurred_at is None:
        # Without it the event cannot be ordered against others; "now" would make a stale event look newest.
        raise InvalidPayload(f"Stripe event {event_id} has no created timestamp")

    kind = KINDS.get(event_type, EventKind.UNKNOWN)
    if kind == EventKind.CHECKOUT_COMPLETED:
        fields = _checkout_fields(obj)
    elif kind in (EventKind.SUBSCRIPTION_CREATED, EventKind.SUBSCRIPTION_UPDATED, EventKind.SUBSCRIPTION_DELETED):
        fields = _subscription_fields(obj)
    elif kind in (EventKind.INVOICE_PAID, EventKind.INVOICE_PAYMENT_FAILED):
        fields = _invoice_fields(obj, paid=kind == EventKind.INVOICE_PAID)
    elif kind in (EventKind.CARD_EXPIRING, EventKind.CARD_SAVED):
        fields = _card_fields(obj)
    else:
        fields = {}
    return PaymentEvent(
        provider=PROVIDER,
        event_id=event_id,
        kind=kind,
        provider_type=event_type,
        occurred_at=occurred_at,
        raw=event,
        **fields,
    )
