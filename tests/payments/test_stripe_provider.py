"""StripeProvider driving the real Stripe SDK against a private localstripe server.

localstripe has no Checkout Sessions, Billing Portal, trials or subscription.updated events; those
paths are covered by test_stripe_events.py with Stripe-shaped payloads. It refuses the parameters of a
prorated change of plan: change_plan is covered by test_stripe_http.py, against a scripted Stripe.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import threading
import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit

import pytest
import stripe

from masthead.payments.interface import (
    CheckoutRequest,
    DiscountTerms,
    EventKind,
    Interval,
    InvalidSignature,
    OfferTerms,
    PlanTerms,
    ProviderError,
)
from masthead.payments.providers.stripe import StripeProvider
from masthead.payments.providers.stripe.provider import retention_coupon_id
from tests.servers import QuietHandler, http_server

from .stripe_setup import (
    API_KEY,
    create_subscription,
    ensure_customer,
    ensure_product_and_plan,
    plan_id_for,
    stripe_client,
)

WEBHOOK_SECRET = "whsec_localstripe_test"
MONTHLY = PlanTerms(slug="digital", name="Digital", amount_minor=900, currency="usd", interval=Interval.MONTH)
YEARLY = PlanTerms(slug="digital", name="Digital", amount_minor=9000, currency="usd", interval=Interval.YEAR)


def _request(base_url: str, method: str, path: str, form: dict | None = None) -> tuple[int, bytes]:
    # http.client rather than urllib: no proxy settings can route a 127.0.0.1 call elsewhere.
    host = urlsplit(base_url).netloc
    connection = http.client.HTTPConnection(host, timeout=10)
    try:
        body = urlencode(form, doseq=True) if form is not None else None
        headers = {"Authorization": f"Bearer {API_KEY}", "Content-Type": "application/x-www-form-urlencoded"}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def stored(base_url: str, path: str) -> dict:
    """An object as localstripe holds it, read without going through the provider."""
    status, body = _request(base_url, "GET", path)
    assert status == 200, body
    return json.loads(body)


@pytest.fixture
def provider(localstripe: str) -> StripeProvider:
    return StripeProvider(api_key=API_KEY, webhook_secret=WEBHOOK_SECRET, api_base=localstripe)


@pytest.fixture
def sdk(localstripe: str) -> stripe.StripeClient:
    """The tests' own SDK client, for what the dashboard and a paying reader would do."""
    return stripe_client(localstripe)


def _email() -> str:
    return f"reader-{uuid.uuid4().hex[:8]}@example.com"


def _subscribe(sdk: stripe.StripeClient, plan: PlanTerms = MONTHLY, reference: str = "") -> tuple[str, str]:
    customer_id = ensure_customer(sdk, _email())
    plan_id = ensure_product_and_plan(sdk, plan)
    return customer_id, create_subscription(sdk, customer_id, plan_id, reference=reference)


# -- the tests' set-up (stripe_setup), which the provider tests below rely on ----------------------------
def test_ensure_customer_finds_the_customer_it_created(sdk: stripe.StripeClient) -> None:
    email = _email()
    customer_id = ensure_customer(sdk, email)
    assert customer_id.startswith("cus_")
    assert ensure_customer(sdk, email) == customer_id
    assert ensure_customer(sdk, _email()) != customer_id


def test_ensure_product_and_plan_is_idempotent(sdk: stripe.StripeClient, localstripe: str) -> None:
    first = ensure_product_and_plan(sdk, MONTHLY)
    assert ensure_product_and_plan(sdk, MONTHLY) == first == plan_id_for(MONTHLY)
    plan = stored(localstripe, f"/v1/plans/{first}")
    assert (plan["amount"], plan["currency"], plan["interval"]) == (900, "usd", "month")
    assert stored(localstripe, f"/v1/products/{plan['product']}")["name"] == "Digital"
    assert ensure_product_and_plan(sdk, YEARLY) != first


def test_create_subscription_is_active_and_carries_the_reference(sdk: stripe.StripeClient, localstripe: str) -> None:
    customer_id, subscription_id = _subscribe(sdk, reference="sub-ref-1")
    subscription = stored(localstripe, f"/v1/subscriptions/{subscription_id}")
    assert subscription["status"] == "active"
    assert subscription["customer"] == customer_id
    assert subscription["plan"]["id"] == plan_id_for(MONTHLY)
    assert subscription["metadata"] == {"masthead_reference": "sub-ref-1"}


# -- the provider -------------------------------------------------------------------------------------
def test_cancel_at_period_end_then_resume(provider: StripeProvider, sdk: stripe.StripeClient, localstripe: str) -> None:
    _, subscription_id = _subscribe(sdk)
    provider.cancel_at_period_end(subscription_id=subscription_id)
    assert stored(localstripe, f"/v1/subscriptions/{subscription_id}")["cancel_at_period_end"] is True
    provider.resume(subscription_id=subscription_id)
    subscription = stored(localstripe, f"/v1/subscriptions/{subscription_id}")
    assert subscription["cancel_at_period_end"] is False
    assert subscription["status"] == "active"


def test_failures_become_provider_errors(provider: StripeProvider, sdk: stripe.StripeClient) -> None:
    with pytest.raises(ProviderError, match="change the plan"):
        provider.change_plan(subscription_id="sub_missing", plan=dataclasses.replace(YEARLY, provider_plan_id="x"))
    with pytest.raises(ProviderError, match="no Stripe plan id"):
        provider.change_plan(subscription_id="sub_missing", plan=YEARLY)
    # localstripe has no Checkout or Billing Portal: the SDK's error still arrives as a ProviderError.
    request = CheckoutRequest(
        reference="ref-1",
        email=_email(),
        customer_id="",
        plan=dataclasses.replace(MONTHLY, provider_plan_id=ensure_product_and_plan(sdk, MONTHLY)),
        offer=OfferTerms(code="trial", trial_days=14),
        success_url="http://127.0.0.1/ok",
        cancel_url="http://127.0.0.1/cancel",
    )
    with pytest.raises(ProviderError, match="start the checkout"):
        provider.start_checkout(request)
    with pytest.raises(ProviderError, match="billing portal"):
        provider.portal_url(customer_id="cus_missing", return_url="http://127.0.0.1/account")


# -- signed webhook delivery ---------------------------------------------------------------------------
class Inbox:
    """Webhook deliveries received over HTTP: raw body and headers, in arrival order."""

    def __init__(self) -> None:
        self.url = ""
        self._deliveries: list[tuple[bytes, dict[str, str]]] = []
        self._lock = threading.Lock()

    def record(self, body: bytes, headers: dict[str, str]) -> None:
        with self._lock:
            self._deliveries.append((body, headers))

    def wait_for(self, event_type: str, object_id: str, timeout: float = 10) -> tuple[bytes, dict[str, str]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for body, headers in self._deliveries:
                    event = json.loads(body)
                    if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                        return body, headers
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} for {object_id} within {timeout} s")


@pytest.fixture(scope="module")
def inbox(localstripe: str) -> Iterator[Inbox]:
    received = Inbox()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.record(body, dict(self.headers.items()))
            self.send_response(200)
            self.end_headers()

    with http_server(Handler, name="webhook-inbox") as url:
        received.url = url + "/webhooks/stripe"
        status, body = _request(
            localstripe,
            "POST",
            f"/_config/webhooks/inbox-{uuid.uuid4().hex[:8]}",
            {"url": received.url, "secret": WEBHOOK_SECRET, "events[]": ["customer.subscription.created"]},
        )
        assert status == 200, body
        yield received


def test_a_delivered_subscription_event_verifies_and_translates(
    provider: StripeProvider, sdk: stripe.StripeClient, inbox: Inbox
) -> None:
    customer_id, subscription_id = _subscribe(sdk, reference="sub-ref-2")
    body, headers = inbox.wait_for("customer.subscription.created", subscription_id)

    event = provider.parse_webhook(payload=body, headers=headers)

    assert event.provider == "stripe"
    assert event.kind == EventKind.SUBSCRIPTION_CREATED
    assert event.provider_type == "customer.subscription.created"
    assert event.event_id.startswith("evt_")
    assert (event.subscription_id, event.customer_id, event.status) == (subscription_id, customer_id, "active")
    assert event.reference == "sub-ref-2"
    assert event.plan_id == plan_id_for(MONTHLY)
    assert event.cancel_at_period_end is False
    assert event.current_period_start < event.current_period_end
    assert event.raw["data"]["object"]["id"] == subscription_id

    lowercase = {key.lower(): value for key, value in headers.items()}
    assert provider.parse_webhook(payload=body, headers=lowercase).event_id == event.event_id


def test_a_tampered_or_unsigned_delivery_is_refused(
    provider: StripeProvider, sdk: stripe.StripeClient, inbox: Inbox
) -> None:
    _, subscription_id = _subscribe(sdk)
    body, headers = inbox.wait_for("customer.subscription.created", subscription_id)
    assert provider.parse_webhook(payload=body, headers=headers).subscription_id == subscription_id  # as delivered

    tampered = body.replace(b'"active"', b'"canceled"')
    assert tampered != body
    with pytest.raises(InvalidSignature):
        provider.parse_webhook(payload=tampered, headers=headers)
    unsigned = {key: value for key, value in headers.items() if key.lower() != "stripe-signature"}
    with pytest.raises(InvalidSignature, match="missing"):
        provider.parse_webhook(payload=body, headers=unsigned)


def test_the_retention_coupon_is_made_once_as_stripe_takes_it(
    provider: StripeProvider, sdk: stripe.StripeClient, localstripe: str
) -> None:
    """localstripe makes coupons but cannot put one on a subscription (test_stripe_http covers that step): the
    coupon is made with the terms a repeating discount needs, once, and the refused step is a ProviderError."""
    _, subscription_id = _subscribe(sdk)
    discount = DiscountTerms(percent_off=40, intervals=2, months=2)
    for _ in range(2):
        with pytest.raises(ProviderError, match="apply the discount"):
            provider.apply_discount(subscription_id=subscription_id, discount=discount)
    coupon = stored(localstripe, f"/v1/coupons/{retention_coupon_id(discount)}")
    assert (coupon["percent_off"], coupon["duration"], coupon["duration_in_months"]) == (40, "repeating", 2)
    assert coupon["metadata"] == {"masthead": "retention"}
