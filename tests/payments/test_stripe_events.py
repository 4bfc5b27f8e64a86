"""Stripe-shaped webhook deliveries, signed as Stripe signs them, through StripeProvider.parse_webhook.

The payloads follow Stripe's documented objects (API 2025 and later: billing periods on subscription
items, an invoice's subscription under parent.subscription_details), trimmed to the fields that matter.
"""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from masthead.payments.interface import EventKind, InvalidPayload, InvalidSignature, PaymentEvent
from masthead.payments.providers.stripe import StripeProvider
from tests.payments.stripe_signing import sign

SECRET = "whsec_events_test"
CREATED = 1_767_225_600  # 2026-01-01 00:00 UTC
PERIOD_START = 1_767_225_600
PERIOD_END = 1_769_904_000  # 2026-02-01 00:00 UTC
TRIAL_END = 1_768_435_200  # 2026-01-15 00:00 UTC


def utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def stripe_event(event_type: str, obj: dict, event_id: str = "evt_1QxYzTest") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": CREATED,
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
        "data": {"object": obj},
    }


def subscription(**overrides) -> dict:
    obj = {
        "id": "sub_1QxYz",
        "object": "subscription",
        "customer": "cus_Reader1",
        "status": "active",
        "cancel_at_period_end": False,
        "cancel_at": None,
        "canceled_at": None,
        "trial_start": None,
        "trial_end": None,
        "metadata": {"masthead_reference": "42"},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1QxYz",
                    "object": "subscription_item",
                    "current_period_start": PERIOD_START,
                    "current_period_end": PERIOD_END,
                    "quantity": 1,
                    "price": {
                        "id": "masthead-digital-month-900usd",
                        "object": "price",
                        "unit_amount": 900,
                        "unit_amount_decimal": "900",
                        "currency": "usd",
                        "recurring": {"interval": "month", "interval_count": 1},
                    },
                    "plan": {"id": "masthead-digital-month-900usd", "object": "plan", "amount": 900},
                }
            ],
            "has_more": False,
        },
    }
    obj.update(overrides)
    return obj


def invoice(*, paid: bool) -> dict:
    return {
        "id": "in_1QxYz",
        "object": "invoice",
        "customer": "cus_Reader1",
        "currency": "usd",
        "status": "paid" if paid else "open",
        "amount_due": 900,
        "amount_paid": 900 if paid else 0,
        "amount_remaining": 0 if paid else 900,
        "billing_reason": "subscription_cycle",
        "parent": {
            "type": "subscription_details",
            "quote_details": None,
            "subscription_details": {"metadata": {"masthead_reference": "42"}, "subscription": "sub_1QxYz"},
        },
        "lines": {
            "object": "list",
            "data": [
                {
                    "id": "il_1QxYz",
                    "object": "line_item",
                    "amount": 900,
                    "currency": "usd",
                    "metadata": {},
                    "period": {"start": PERIOD_START, "end": PERIOD_END},
                }
            ],
            "has_more": False,
        },
    }


@pytest.fixture
def provider() -> StripeProvider:
    return StripeProvider(api_key="sk_test_x", webhook_secret=SECRET)


def deliver(
    provider: StripeProvider, event: dict | bytes, *, secret: str = SECRET, at: int | None = None
) -> PaymentEvent:
    payload = event if isinstance(event, bytes) else json.dumps(event, indent=2).encode()
    signature = sign(payload, secret, int(time.time()) if at is None else at)
    return provider.parse_webhook(
        payload=payload, headers={"Content-Type": "application/json", "Stripe-Signature": signature}
    )


def test_checkout_completed_with_a_trial(provider: StripeProvider) -> None:
    session = {
        "id": "cs_test_a1",
        "object": "checkout.session",
        "mode": "subscription",
        "status": "complete",
        "payment_status": "no_payment_required",
        "amount_total": 0,
        "currency": "usd",
        "client_reference_id": "42",
        "customer": "cus_Reader1",
        "customer_email": "reader@example.com",
        "subscription": "sub_1QxYz",
        "metadata": {"masthead_reference": "42"},
        "url": None,
    }
    event = deliver(provider, stripe_event("checkout.session.completed", session))

    assert event.kind == EventKind.CHECKOUT_COMPLETED
    assert (event.provider, event.event_id, event.provider_type) == (
        "stripe",
        "evt_1QxYzTest",
        "checkout.session.completed",
    )
    assert (event.reference, event.customer_id, event.subscription_id) == ("42", "cus_Reader1", "sub_1QxYz")
    assert event.occurred_at == utc(CREATED)
    assert event.raw["data"]["object"]["id"] == "cs_test_a1"


def test_checkout_reference_falls_back_to_metadata(provider: StripeProvider) -> None:
    session = {"id": "cs_test_a2", "client_reference_id": None, "metadata": {"masthead_reference": "43"}}
    assert deliver(provider, stripe_event("checkout.session.completed", session)).reference == "43"


def test_trialing_subscription_created(provider: StripeProvider) -> None:
    obj = subscription(status="trialing", trial_start=PERIOD_START, trial_end=TRIAL_END)
    event = deliver(provider, stripe_event("customer.subscription.created", obj))

    assert event.kind == EventKind.SUBSCRIPTION_CREATED
    assert (event.status, event.trial_end) == ("trialing", utc(TRIAL_END))


def test_subscription_updated_to_cancel_at_period_end(provider: StripeProvider) -> None:
    obj = subscription(cancel_at_period_end=True, cancel_at=PERIOD_END, canceled_at=CREATED)
    event = deliver(provider, stripe_event("customer.subscription.updated", obj))

    assert event.kind == EventKind.SUBSCRIPTION_UPDATED
    assert (event.subscription_id, event.customer_id, event.reference) == ("sub_1QxYz", "cus_Reader1", "42")
    assert (event.status, event.cancel_at_period_end) == ("active", True)
    # Since API 2025-03-31 the period is only on the items.
    assert (event.current_period_start, event.current_period_end) == (utc(PERIOD_START), utc(PERIOD_END))
    assert event.trial_end is None
    assert event.plan_id == "masthead-digital-month-900usd"


def test_older_subscription_shape_with_top_level_period_and_plan(provider: StripeProvider) -> None:
    obj = subscription(current_period_start=PERIOD_START, current_period_end=PERIOD_END + 60)
    obj["items"]["data"][0] = {"id": "si_old", "plan": {"id": "plan_legacy"}}
    event = deliver(provider, stripe_event("customer.subscription.updated", obj))

    assert event.current_period_end == utc(PERIOD_END + 60)
    assert event.plan_id == "plan_legacy"


def test_subscription_deleted(provider: StripeProvider) -> None:
    obj = subscription(status="canceled", canceled_at=PERIOD_END, ended_at=PERIOD_END)
    event = deliver(provider, stripe_event("customer.subscription.deleted", obj))

    assert event.kind == EventKind.SUBSCRIPTION_DELETED
    assert (event.subscription_id, event.status) == ("sub_1QxYz", "canceled")


def test_invoice_paid(provider: StripeProvider) -> None:
    event = deliver(provider, stripe_event("invoice.paid", invoice(paid=True)))

    assert event.kind == EventKind.INVOICE_PAID
    assert (event.invoice_id, event.subscription_id, event.customer_id) == ("in_1QxYz", "sub_1QxYz", "cus_Reader1")
    assert (event.amount_minor, event.currency) == (900, "usd")
    assert event.current_period_end == utc(PERIOD_END)
    assert event.reference == "42"


def test_invoice_payment_failed_in_the_older_shape(provider: StripeProvider) -> None:
    obj = invoice(paid=False)
    del obj["parent"]
    obj["subscription"] = "sub_1QxYz"
    obj["lines"]["data"][0]["metadata"] = {"masthead_reference": "42"}
    event = deliver(provider, stripe_event("invoice.payment_failed", obj))

    assert event.kind == EventKind.INVOICE_PAYMENT_FAILED
    assert (event.subscription_id, event.reference) == ("sub_1QxYz", "42")
    assert event.amount_minor == 900  # what is owed, not the 0 that was paid


def test_an_unknown_type_is_passed_on_as_unknown(provider: StripeProvider) -> None:
    charge = {"id": "ch_1", "object": "charge", "amount_refunded": 900, "customer": "cus_Reader1"}
    event = deliver(provider, stripe_event("charge.refunded", charge))

    assert (event.kind, event.provider_type, event.event_id) == (EventKind.UNKNOWN, "charge.refunded", "evt_1QxYzTest")
    assert event.customer_id == ""


def test_a_sparse_payload_gets_defaults(provider: StripeProvider) -> None:
    sparse = {"id": "evt_sparse", "type": "customer.subscription.updated", "created": CREATED, "data": {"object": {}}}
    event = deliver(provider, sparse)

    assert event == PaymentEvent(
        provider="stripe",
        event_id="evt_sparse",
        kind=EventKind.SUBSCRIPTION_UPDATED,
        provider_type="customer.subscription.updated",
        occurred_at=utc(CREATED),
        raw=sparse,
    )
    sparse_invoice = {**sparse, "type": "invoice.paid", "data": {"object": {"id": "in_2", "lines": {"data": []}}}}
    event = deliver(provider, sparse_invoice)
    assert (event.invoice_id, event.amount_minor, event.current_period_end) == ("in_2", None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"id": "evt_1", "type": "invoice.paid", "created": CREATED},
        {"id": "evt_1", "type": "invoice.paid", "created": CREATED, "data": {"object": "in_1"}},
        {"type": "invoice.paid", "created": CREATED, "data": {"object": {}}},
        {"id": "evt_1", "created": CREATED, "data": {"object": {}}},
        {"id": "evt_1", "type": "invoice.paid", "data": {"object": {}}},
        {"id": "evt_1", "type": "invoice.paid", "created": 10**20, "data": {"object": {}}},
        [1, 2, 3],
    ],
)
def test_a_signed_body_that_is_not_an_event_is_an_invalid_payload(provider: StripeProvider, body) -> None:
    with pytest.raises(InvalidPayload):
        deliver(provider, json.dumps(body).encode())


def test_invalid_json_with_a_valid_signature_is_an_invalid_payload(provider: StripeProvider) -> None:
    with pytest.raises(InvalidPayload):
        deliver(provider, b"{not json")


def test_an_old_timestamp_is_refused(provider: StripeProvider) -> None:
    event = stripe_event("invoice.paid", invoice(paid=True))
    assert deliver(provider, event, at=int(time.time()) - 60).kind == EventKind.INVOICE_PAID  # within tolerance
    with pytest.raises(InvalidSignature):
        deliver(provider, event, at=int(time.time()) - 3600)


def test_a_signature_made_with_another_secret_is_refused(provider: StripeProvider) -> None:
    event = stripe_event("invoice.paid", invoice(paid=True))
    assert deliver(provider, event).kind == EventKind.INVOICE_PAID  # signed with the right secret
    with pytest.raises(InvalidSignature):
        deliver(provider, event, secret="whsec_someone_else")


def test_a_missing_or_malformed_header_is_refused(provider: StripeProvider) -> None:
    payload = json.dumps(stripe_event("invoice.paid", invoice(paid=True))).encode()
    signed = {"Stripe-Signature": sign(payload, SECRET, int(time.time()))}
    assert provider.parse_webhook(payload=payload, headers=signed).kind == EventKind.INVOICE_PAID
    with pytest.raises(InvalidSignature):
        provider.parse_webhook(payload=payload, headers={})
    with pytest.raises(InvalidSignature):
        provider.parse_webhook(payload=payload, headers={"Stripe-Signature": "garbage"})


def test_the_header_name_is_case_insensitive(provider: StripeProvider) -> None:
    payload = json.dumps(stripe_event("invoice.paid", invoice(paid=True))).encode()
    headers = {"stripe-signature": sign(payload, SECRET, int(time.time()))}
    assert provider.parse_webhook(payload=payload, headers=headers).kind == EventKind.INVOICE_PAID


def test_customer_source_expiring_names_the_card_in_either_shape(provider: StripeProvider) -> None:
    card = {"id": "card_1", "object": "card", "customer": "cus_Reader1", "exp_month": 1, "exp_year": 2027}
    event = deliver(provider, stripe_event("customer.source.expiring", {**card, "last4": "4242", "fingerprint": "fp1"}))
    assert event.kind == EventKind.CARD_EXPIRING and event.customer_id == "cus_Reader1"
    assert (event.card_last4, event.card_exp_month, event.card_exp_year, event.card_fingerprint) == (
        "4242",
        1,
        2027,
        "fp1",
    )
    source = {"id": "src_1", "object": "source", "customer": "cus_Reader1", "card": {"last4": "0341", "exp_month": 2}}
    event = deliver(
        provider, stripe_event("customer.source.expiring", {**source, "card": {**source["card"], "exp_year": 2027}})
    )
    assert (event.card_last4, event.card_exp_month, event.card_exp_year) == ("0341", 2, 2027)
    nonsense = {"id": "card_2", "object": "card", "customer": ["x"], "exp_month": 13, "exp_year": "2027", "last4": 4242}
    event = deliver(provider, stripe_event("customer.source.expiring", nonsense))
    assert (event.customer_id, event.card_last4, event.card_exp_month, event.card_exp_year) == ("", "", None, None)
