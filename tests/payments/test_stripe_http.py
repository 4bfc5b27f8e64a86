"""StripeProvider's calls that localstripe cannot answer, against a scripted Stripe at the HTTP level.

localstripe 1.15 refuses ``proration_behavior``, ``billing_cycle_anchor``, ``discounts`` and
``payment_behavior`` on a subscription update (HTTP 500; so a retention coupon cannot be set there), and
has no invoice payments list. This server answers the requests a test scripts, with bodies shaped as Stripe's
documentation shows, and records every request as the real SDK sent it.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from masthead.payments.interface import DiscountTerms, Interval, PaymentDeclined, PlanTerms, ProviderError
from masthead.payments.providers.stripe import StripeProvider
from tests.servers import QuietHandler, http_server

ANNUAL = PlanTerms("annual", "Annual", 12000, "usd", Interval.YEAR, provider_plan_id="plan_annual")


class ScriptedStripe:
    """Answers (method, path) from a script; records (method, path, form) for every request."""

    def __init__(self) -> None:
        self.url = ""
        self.script: dict[tuple[str, str], tuple[int, dict]] = {}
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []
        self.headers: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers) of every request
        self._lock = threading.Lock()

    def reply(self, method: str, path: str, body: dict, status: int = 200) -> None:
        self.script[(method, path)] = (status, body)

    def sent(self, method: str, path: str) -> list[dict[str, list[str]]]:
        with self._lock:
            return [form for m, p, form in self.requests if (m, p) == (method, path)]

    def sent_headers(self, method: str, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [headers for m, p, headers in self.headers if (m, p) == (method, path)]

    def handle(self, method: str, target: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, dict]:
        parts = urlsplit(target)
        form = parse_qs(body.decode() or parts.query, keep_blank_values=True)
        with self._lock:
            self.requests.append((method, parts.path, form))
            self.headers.append((method, parts.path, {key.lower(): value for key, value in (headers or {}).items()}))
        return self.script.get(
            (method, parts.path), (404, {"error": {"type": "invalid_request_error", "message": "not scripted"}})
        )


@pytest.fixture
def scripted() -> Iterator[ScriptedStripe]:
    stripe_server = ScriptedStripe()

    class Handler(QuietHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, payload = stripe_server.handle(self.command, self.path, body, dict(self.headers))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = _answer

    with http_server(Handler, name="scripted-stripe") as url:
        stripe_server.url = url
        yield stripe_server


@pytest.fixture
def provider(scripted) -> StripeProvider:
    return StripeProvider(api_key="sk_test_scripted", webhook_secret="whsec_scripted", api_base=scripted.url)


def subscription(status: str = "active", **extra) -> dict:
    return {
        "id": "sub_1",
        "object": "subscription",
        "status": status,
        "customer": "cus_1",
        "items": {"object": "list", "data": [{"id": "si_1", "object": "subscription_item"}]},
        **extra,
    }


def one(form: dict[str, list[str]], key: str) -> str | None:
    values = form.get(key)
    return values[0] if values else None


# -- finding 2 --------------------------------------------------------------------------------------------
def test_a_change_of_plan_is_prorated_now_and_ends_the_offers_coupon(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription())
    scripted.reply("POST", "/v1/subscriptions/sub_1", subscription())
    provider.change_plan(subscription_id="sub_1", plan=ANNUAL)
    [form] = scripted.sent("POST", "/v1/subscriptions/sub_1")
    assert one(form, "items[0][id]") == "si_1" and one(form, "items[0][plan]") == "plan_annual"
    assert one(form, "proration_behavior") == "always_invoice"
    assert one(form, "billing_cycle_anchor") == "now"
    assert one(form, "discounts") == ""  # the coupon of the offer is removed
    assert one(form, "payment_behavior") == "error_if_incomplete"
    assert "trial_end" not in form


def test_a_change_of_plan_during_a_trial_ends_the_trial(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription("trialing"))
    scripted.reply("POST", "/v1/subscriptions/sub_1", subscription())
    provider.change_plan(subscription_id="sub_1", plan=ANNUAL)
    [form] = scripted.sent("POST", "/v1/subscriptions/sub_1")
    assert one(form, "trial_end") == "now"


def test_a_declined_card_on_a_change_of_plan_is_a_payment_declined(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription())
    declined = {"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}}
    scripted.reply("POST", "/v1/subscriptions/sub_1", declined, status=402)
    with pytest.raises(PaymentDeclined, match="Your card was declined"):
        provider.change_plan(subscription_id="sub_1", plan=ANNUAL)


# -- finding 8: a duplicate is canceled, then refunded --------------------------------------------------------
def test_a_duplicate_is_canceled_first_then_refunded_through_its_invoice_payments(provider, scripted):
    """Stripe API 2025-03-31 and later name an invoice's payment in /v1/invoice_payments, not on the invoice."""
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(latest_invoice="in_1"))
    scripted.reply("DELETE", "/v1/subscriptions/sub_1", subscription("canceled"))
    scripted.reply("GET", "/v1/invoices/in_1", {"id": "in_1", "object": "invoice", "amount_paid": 900})
    payments = {
        "object": "list",
        "data": [
            {"id": "inpay_0", "object": "invoice_payment", "status": "canceled", "payment": {}},
            {
                "id": "inpay_1",
                "object": "invoice_payment",
                "status": "paid",
                "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
            },
        ],
        "has_more": False,
    }
    scripted.reply("GET", "/v1/invoice_payments", payments)
    scripted.reply("POST", "/v1/refunds", {"id": "re_1", "object": "refund", "amount": 900})

    provider.refund_and_cancel(subscription_id="sub_1")

    calls = [(method, path) for method, path, _ in scripted.requests]
    assert calls.index(("DELETE", "/v1/subscriptions/sub_1")) < calls.index(("POST", "/v1/refunds"))
    assert scripted.sent("GET", "/v1/invoice_payments") == [{"invoice": ["in_1"]}]
    [refund] = scripted.sent("POST", "/v1/refunds")
    assert one(refund, "payment_intent") == "pi_1"


def test_a_duplicate_that_paid_nothing_is_only_canceled(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(latest_invoice="in_1"))
    scripted.reply("DELETE", "/v1/subscriptions/sub_1", subscription("canceled"))
    scripted.reply("GET", "/v1/invoices/in_1", {"id": "in_1", "object": "invoice", "amount_paid": 0})
    provider.refund_and_cancel(subscription_id="sub_1")
    assert scripted.sent("DELETE", "/v1/subscriptions/sub_1") and not scripted.sent("POST", "/v1/refunds")


# -- finding 14: the card's fingerprint ---------------------------------------------------------------------
def test_the_card_fingerprint_is_read_from_the_subscriptions_payment_method(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(default_payment_method="pm_1"))
    card = {"brand": "visa", "last4": "4242", "fingerprint": "Xt5EWLLDS7FJjR1c"}
    scripted.reply("GET", "/v1/payment_methods/pm_1", {"id": "pm_1", "object": "payment_method", "card": card})
    assert provider.card_fingerprint(subscription_id="sub_1") == "Xt5EWLLDS7FJjR1c"


# -- a retention offer taken: a repeating coupon on the running subscription ---------------------------------
HALF_OFF = DiscountTerms(percent_off=50, intervals=3, months=3)


def test_a_retention_discount_makes_its_repeating_coupon_and_sets_it_on_the_subscription(provider, scripted):
    coupon_path = "/v1/coupons/masthead-retention-50-off-3-months"
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription())
    scripted.reply("POST", "/v1/coupons", {"id": "masthead-retention-50-off-3-months", "object": "coupon"})
    scripted.reply("POST", "/v1/subscriptions/sub_1", subscription())
    provider.apply_discount(subscription_id="sub_1", discount=HALF_OFF)
    assert len(scripted.sent("GET", coupon_path)) == 1  # looked for first: not there (404)
    [coupon] = scripted.sent("POST", "/v1/coupons")
    assert one(coupon, "id") == "masthead-retention-50-off-3-months"
    assert (one(coupon, "percent_off"), one(coupon, "duration"), one(coupon, "duration_in_months")) == (
        "50",
        "repeating",
        "3",
    )
    [update] = scripted.sent("POST", "/v1/subscriptions/sub_1")
    assert one(update, "discounts[0][coupon]") == "masthead-retention-50-off-3-months"

    scripted.reply("GET", coupon_path, {"id": "masthead-retention-50-off-3-months", "object": "coupon"})
    provider.apply_discount(subscription_id="sub_1", discount=HALF_OFF)
    assert len(scripted.sent("POST", "/v1/coupons")) == 1  # the same discount reuses its coupon


def test_a_retention_discount_uses_the_publishers_own_coupon_after_the_offers_discount(provider, scripted):
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(discounts=["di_intro"]))
    scripted.reply("POST", "/v1/subscriptions/sub_1", subscription())
    provider.apply_discount(
        subscription_id="sub_1", discount=dataclasses.replace(HALF_OFF, provider_coupon_id="STAYWITHUS")
    )
    [update] = scripted.sent("POST", "/v1/subscriptions/sub_1")
    assert one(update, "discounts[0][discount]") == "di_intro"  # the offer's coupon stays, applied first
    assert one(update, "discounts[1][coupon]") == "STAYWITHUS"
    assert not scripted.sent("GET", "/v1/coupons/STAYWITHUS") and not scripted.sent("POST", "/v1/coupons")


def test_a_refused_discount_is_a_provider_error(provider, scripted):
    scripted.reply("GET", "/v1/coupons/masthead-retention-50-off-3-months", {"id": "x", "object": "coupon"})
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription())
    refused = {"error": {"type": "invalid_request_error", "message": "No such subscription: 'sub_1'"}}
    scripted.reply("POST", "/v1/subscriptions/sub_1", refused, status=400)
    with pytest.raises(ProviderError, match="apply the discount"):
        provider.apply_discount(subscription_id="sub_1", discount=HALF_OFF)


def test_a_retention_coupon_already_on_the_subscription_is_not_set_a_second_time(provider, scripted):
    """A reply that timed out after Stripe set the coupon: taking the offer again must not stack a second one."""
    coupon_id = "masthead-retention-50-off-3-months"
    scripted.reply("GET", f"/v1/coupons/{coupon_id}", {"id": coupon_id, "object": "coupon"})
    scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(discounts=["di_intro"]))
    scripted.reply("POST", "/v1/subscriptions/sub_1", subscription())
    provider.apply_discount(subscription_id="sub_1", discount=HALF_OFF)
    [update] = scripted.sent("POST", "/v1/subscriptions/sub_1")  # the first time: set, once
    assert one(update, "discounts[1][coupon]") == coupon_id
    [headers] = scripted.sent_headers("POST", "/v1/subscriptions/sub_1")
    assert headers["idempotency-key"] == f"retention-sub_1-{coupon_id}"  # a retried request is applied once
    [read] = scripted.sent("GET", "/v1/subscriptions/sub_1")
    assert one(read, "expand[0]") == "discounts"  # the discounts' coupons are read with the subscription

    # Stripe did set it (the reply was lost): the discounts name their coupons, in today's shape and the older.
    intro = {"id": "di_intro", "object": "discount", "source": {"type": "coupon", "coupon": "INTRO"}}
    for taken in (
        {"id": "di_2", "object": "discount", "source": {"type": "coupon", "coupon": coupon_id}},
        {"id": "di_2", "object": "discount", "coupon": {"id": coupon_id, "object": "coupon"}},
    ):
        scripted.reply("GET", "/v1/subscriptions/sub_1", subscription(discounts=[intro, taken]))
        provider.apply_discount(subscription_id="sub_1", discount=HALF_OFF)
        assert len(scripted.sent("POST", "/v1/subscriptions/sub_1")) == 1  # no second update: one coupon


# -- issue 11: the hosted checkout writes the schedule out and comes back with its session id ----------------
def test_a_checkout_session_carries_the_schedule_and_the_session_placeholder(provider, scripted):
    from masthead.payments.interface import SESSION_ID_PLACEHOLDER, CheckoutRequest

    scripted.reply(
        "POST",
        "/v1/checkout/sessions",
        {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.example/cs_test_1"},
    )
    start = provider.start_checkout(
        CheckoutRequest(
            reference="ref-1",
            email="reader@example.com",
            customer_id="",
            plan=ANNUAL,
            offer=None,
            success_url=f"https://news.example.com/subscribe/thank-you/?session_id={SESSION_ID_PLACEHOLDER}",
            cancel_url="https://news.example.com/subscribe/",
            summary="$120 a year — save $24 against monthly",
        )
    )
    assert start.session_id == "cs_test_1"
    [form] = scripted.sent("POST", "/v1/checkout/sessions")
    assert one(form, "success_url") == "https://news.example.com/subscribe/thank-you/?session_id={CHECKOUT_SESSION_ID}"
    assert one(form, "custom_text[submit][message]") == "$120 a year — save $24 against monthly"
