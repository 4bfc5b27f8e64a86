"""Stripe webhooks through Masthead's endpoint: signed, stored once, order-proof, changing the right things."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.db import close_old_connections

from masthead.payments.models import WebhookEvent
from masthead.subscriptions.models import Checkout, Offer, Payment, Plan, Subscription

from .stripe_signing import SECRET, sign

URL = "/payments/webhooks/stripe/"


@pytest.fixture
def checkout(db, clock):
    user = User.objects.create_user("paying@example.com", email="paying@example.com", password="x" * 12)
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, provider_plan_id="plan_monthly")
    offer = Offer.objects.create(
        name="Trial",
        slug="trial",
        plan=plan,
        kind="free_trial",
        trial_days=14,
        starts_at=clock.now - dt.timedelta(days=1),
        ends_at=clock.now + dt.timedelta(days=30),
    )
    return Checkout.objects.create(user=user, plan=plan, offer=offer, provider="stripe", created_at=clock.now)


def event(event_id: str, event_type: str, obj: dict, created: int) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": created,
        "data": {"object": obj},
        "api_version": "2025-03-31.basil",
        "livemode": False,
    }


def post(client, body: dict | bytes, *, secret: str = SECRET, timestamp: int | None = None, signed: bool = True):
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {}
    if signed:
        headers["HTTP_STRIPE_SIGNATURE"] = sign(payload, secret, timestamp or int(time.time()))
    return client.post(URL, payload, content_type="application/json", **headers)


def session_completed(reference: str, created: int) -> dict:
    return event(
        "evt_checkout",
        "checkout.session.completed",
        {
            "id": "cs_test_1",
            "object": "checkout.session",
            "mode": "subscription",
            "client_reference_id": reference,
            "customer": "cus_1",
            "subscription": "sub_1",
            "status": "complete",
            "payment_status": "paid",
            "metadata": {"masthead_reference": reference},
        },
        created,
    )


def subscription_object(
    reference: str, status: str, *, period_end: int, trial_end: int | None = None, cancel: bool = False
) -> dict:
    return {
        "id": "sub_1",
        "object": "subscription",
        "customer": "cus_1",
        "status": status,
        "cancel_at_period_end": cancel,
        "trial_end": trial_end,
        "metadata": {"masthead_reference": reference},
        "items": {
            "object": "list",
            "data": [
                {
                    "id": "si_1",
                    "object": "subscription_item",
                    "current_period_start": period_end - 30 * 86400,
                    "current_period_end": period_end,
                    "price": {"id": "plan_monthly", "object": "price"},
                }
            ],
        },
    }


def invoice(event_id: str, event_type: str, invoice_id: str, amount: int, created: int, period_end: int) -> dict:
    return event(
        event_id,
        event_type,
        {
            "id": invoice_id,
            "object": "invoice",
            "customer": "cus_1",
            "currency": "usd",
            "amount_paid": amount if event_type == "invoice.paid" else 0,
            "amount_due": amount,
            "parent": {
                "type": "subscription_details",
                "subscription_details": {"subscription": "sub_1", "metadata": {}},
            },
            "lines": {"object": "list", "data": [{"period": {"start": period_end - 30 * 86400, "end": period_end}}]},
        },
        created,
    )


@pytest.mark.django_db(transaction=True)
def test_a_full_stripe_lifecycle_arrives_by_webhooks(client, stripe_settings, checkout, clock):
    now = int(clock.now.timestamp())
    reference = str(checkout.reference)
    trial_end = now + 14 * 86400
    assert post(client, session_completed(reference, now)).status_code == 200
    created = event(
        "evt_created",
        "customer.subscription.created",
        subscription_object(reference, "trialing", period_end=trial_end, trial_end=trial_end),
        now + 1,
    )
    assert post(client, created).status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.status == "trialing" and subscription.user == checkout.user
    assert subscription.trial_end == dt.datetime.fromtimestamp(trial_end, dt.UTC)

    renewal_end = trial_end + 30 * 86400
    paid = invoice("evt_paid", "invoice.paid", "in_1", 1200, trial_end + 5, renewal_end)
    assert post(client, paid).status_code == 200
    active = event(
        "evt_active",
        "customer.subscription.updated",
        subscription_object(reference, "active", period_end=renewal_end),
        trial_end + 6,
    )
    post(client, active)
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.ever_paid
    assert subscription.current_period_end == dt.datetime.fromtimestamp(renewal_end, dt.UTC)

    canceling = event(
        "evt_cancel",
        "customer.subscription.updated",
        subscription_object(reference, "active", period_end=renewal_end, cancel=True),
        trial_end + 7,
    )
    post(client, canceling)
    subscription.refresh_from_db()
    assert subscription.status == "canceled" and subscription.cancel_at_period_end

    deleted = event(
        "evt_deleted",
        "customer.subscription.deleted",
        subscription_object(reference, "canceled", period_end=renewal_end),
        renewal_end + 1,
    )
    post(client, deleted)
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert list(subscription.history.values_list("to_status", flat=True)) == [
        "trialing",
        "active",
        "canceled",
        "expired",
    ]
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {"processed"}


@pytest.mark.django_db
def test_a_bad_or_missing_signature_is_a_400_and_changes_nothing(client, stripe_settings, checkout, clock):
    body = session_completed(str(checkout.reference), int(clock.now.timestamp()))
    assert post(client, body, secret="whsec_wrong").status_code == 400
    assert post(client, body, signed=False).status_code == 400
    assert post(client, body, timestamp=int(time.time()) - 3600).status_code == 400
    assert post(client, b"not json at all").status_code == 400
    assert client.get(URL).status_code == 405
    assert client.post("/payments/webhooks/paypal/", b"{}", content_type="application/json").status_code == 404
    assert not WebhookEvent.objects.exists() and not Subscription.objects.exists()
    # The same body, signed as it should be, is taken: the refusals above were the signatures' doing.
    assert post(client, body).status_code == 200
    assert WebhookEvent.objects.filter(event_type="checkout.session.completed").exists()


@pytest.mark.django_db
def test_a_replayed_event_is_acknowledged_and_ignored(client, stripe_settings, checkout, clock):
    now = int(clock.now.timestamp())
    reference = str(checkout.reference)
    post(client, session_completed(reference, now))
    paid = invoice("evt_paid", "invoice.paid", "in_1", 1200, now + 1, now + 30 * 86400)
    first, replay = post(client, paid), post(client, paid)
    assert first.json()["outcome"] == "processed"
    assert replay.status_code == 200 and replay.json()["duplicate"] is True
    assert Payment.objects.count() == 1
    assert WebhookEvent.objects.filter(event_id="evt_paid").count() == 1


@pytest.mark.django_db
def test_events_out_of_order_end_in_the_right_state(client, stripe_settings, checkout, clock):
    now = int(clock.now.timestamp())
    reference = str(checkout.reference)
    period_end = now + 30 * 86400
    # The invoice arrives before Masthead knows the subscription: it waits, then is replayed.
    paid = invoice("evt_paid", "invoice.paid", "in_1", 1200, now + 2, period_end)
    assert post(client, paid).json()["outcome"] == "waiting"
    newer = event(
        "evt_newer",
        "customer.subscription.updated",
        subscription_object(reference, "active", period_end=period_end, cancel=True),
        now + 3,
    )
    older = event(
        "evt_older",
        "customer.subscription.updated",
        subscription_object(reference, "active", period_end=period_end),
        now + 1,
    )
    post(client, session_completed(reference, now))
    subscription = Subscription.objects.get()
    assert WebhookEvent.objects.get(event_id="evt_paid").outcome == "processed"
    assert Payment.objects.count() == 1
    post(client, newer)
    assert post(client, older).json()["outcome"] == "ignored"  # older than what was applied
    subscription.refresh_from_db()
    assert subscription.cancel_at_period_end and subscription.status == "canceled"


@pytest.mark.django_db
def test_an_unknown_event_type_is_stored_and_ignored(client, stripe_settings, clock):
    body = event("evt_refund", "charge.refunded", {"id": "ch_1", "object": "charge"}, int(clock.now.timestamp()))
    response = post(client, body)
    assert response.status_code == 200 and response.json()["outcome"] == "ignored"
    assert WebhookEvent.objects.get().detail == "no handler for charge.refunded"


@pytest.mark.django_db(transaction=True)
def test_parallel_deliveries_of_the_same_subscription_create_it_once(stripe_settings, checkout, clock):
    from django.test import Client

    now = int(clock.now.timestamp())
    reference = str(checkout.reference)
    bodies = [session_completed(reference, now)] + [
        event(
            f"evt_u{i}",
            "customer.subscription.updated",
            subscription_object(reference, "trialing", period_end=now + 86400 * 14, trial_end=now + 86400 * 14),
            now + i,
        )
        for i in range(1, 6)
    ]
    results = []

    def deliver(body):
        try:
            results.append(post(Client(), body).status_code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=deliver, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(200) == len(bodies)
    assert Subscription.objects.count() == 1
    assert Subscription.objects.get().status == "trialing"


@pytest.mark.django_db
def test_checkout_with_stripe_sends_the_reader_to_stripe(client, stripe_settings, checkout, localstripe, monkeypatch):
    """localstripe has no Checkout Sessions: starting one must fail cleanly with a message, not a 500."""
    stripe_settings.STRIPE_API_BASE = localstripe
    client.force_login(checkout.user)
    response = client.post("/subscribe/checkout/", {"plan": checkout.plan.pk}, follow=True)
    assert response.status_code == 200
    assert "Payments are unavailable right now" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_localstripe_delivers_a_signed_event_that_creates_the_subscription(
    live_server, stripe_settings, checkout, localstripe
):
    """The real SDK creates a subscription in localstripe; its signed webhook reaches Masthead's endpoint."""
    import uuid

    from masthead.payments.interface import PlanTerms

    from .stripe_setup import create_subscription, ensure_customer, ensure_product_and_plan, stripe_client
    from .test_stripe_provider import _request

    stripe_settings.STRIPE_API_BASE = localstripe
    sdk = stripe_client(localstripe)
    status, body = _request(
        localstripe,
        "POST",
        f"/_config/webhooks/masthead-{uuid.uuid4().hex[:8]}",
        {"url": live_server.url + URL, "secret": SECRET, "events[]": ["customer.subscription.created"]},
    )
    assert status == 200, body
    plan_id = ensure_product_and_plan(sdk, PlanTerms("monthly", "Monthly", 1200, "usd", "month"))
    customer = ensure_customer(sdk, "paying@example.com")
    subscription_id = create_subscription(sdk, customer, plan_id, reference=str(checkout.reference))

    # Wait for what is asserted: the event's outcome (final once the row is visible: it commits with its effects).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not WebhookEvent.objects.filter(subscription_id=subscription_id):
        time.sleep(0.2)
    stored = WebhookEvent.objects.get(subscription_id=subscription_id)
    assert stored.event_type == "customer.subscription.created" and stored.outcome == "processed"
    subscription = Subscription.objects.get(provider_subscription_id=subscription_id)
    assert subscription.user == checkout.user and subscription.provider_customer_id == customer
