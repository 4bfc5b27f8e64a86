"""Stripe Tax: the Checkout Session's tax parameters, and an invoice's tax from signed events to the receipt.

localstripe 1.15 has no Checkout Sessions at all (no /v1/checkout/sessions: test_stripe_provider.py shows its
refusal), so the session is created against the scripted Stripe of test_stripe_http.py, which records the
request as the real SDK encodes it. The events are whole Stripe payloads of the SDK's pinned API version
(2026-10-28.endive; tests/payments/events/), where an invoice's tax is its ``total_taxes``, signed as Stripe
signs them and posted to the webhook endpoint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import stripe
from django.contrib.auth.models import User
from django.core import mail

from masthead.payments.interface import CheckoutRequest, Interval, PlanTerms, ProviderError
from masthead.payments.providers.stripe import StripeProvider
from masthead.payments.providers.stripe.events import event_from_stripe
from masthead.subscriptions.models import Checkout, Payment, Plan, Subscription

from .test_stripe_http import ScriptedStripe, one, scripted  # noqa: F401 -- the scripted Stripe fixture
from .test_webhooks import post

EVENTS = Path(__file__).parent / "events"
MONTHLY = PlanTerms("monthly", "Monthly", 1200, "gbp", Interval.MONTH, provider_plan_id="price_1TaxMonthly")
SESSION = {"id": "cs_test_1", "object": "checkout.session", "url": "https://checkout.stripe.com/c/pay/cs_test_1"}


@pytest.fixture
def stripe_server(scripted: ScriptedStripe) -> ScriptedStripe:  # noqa: F811 -- the fixture imported above
    return scripted


def price(tax_behavior: str) -> dict:
    return {"id": "price_1TaxMonthly", "object": "price", "tax_behavior": tax_behavior, "unit_amount": 1200}


def request(*, customer_id: str = "", prices_include_tax: bool = True) -> CheckoutRequest:
    return CheckoutRequest(
        reference="ref-tax-1",
        email="reader@example.com",
        customer_id=customer_id,
        plan=MONTHLY,
        offer=None,
        success_url="https://news.example.com/accounts/?welcome=1",
        cancel_url="https://news.example.com/subscribe/",
        prices_include_tax=prices_include_tax,
    )


def provider(server: ScriptedStripe, *, automatic_tax: bool) -> StripeProvider:
    return StripeProvider(
        api_key="sk_test_scripted", webhook_secret="whsec_scripted", api_base=server.url, automatic_tax=automatic_tax
    )


# -- the Checkout Session -----------------------------------------------------------------------------------
def test_with_stripe_tax_checkout_computes_tax_and_collects_an_address_and_a_tax_id(stripe_server):
    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price("inclusive"))
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    start = provider(stripe_server, automatic_tax=True).start_checkout(request())
    assert start.redirect_url == SESSION["url"]
    [form] = stripe_server.sent("POST", "/v1/checkout/sessions")
    assert one(form, "mode") == "subscription" and one(form, "line_items[0][price]") == "price_1TaxMonthly"
    assert one(form, "automatic_tax[enabled]") == "true"
    assert one(form, "billing_address_collection") == "required"
    assert one(form, "tax_id_collection[enabled]") == "true"
    assert one(form, "customer_email") == "reader@example.com"
    assert not any(key.startswith("customer_update") for key in form)  # only with an existing customer


def test_a_returning_customer_lets_checkout_save_the_address_and_name_stripe_tax_needs(stripe_server):
    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price("inclusive"))
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    provider(stripe_server, automatic_tax=True).start_checkout(request(customer_id="cus_Returning"))
    [form] = stripe_server.sent("POST", "/v1/checkout/sessions")
    assert one(form, "customer") == "cus_Returning" and "customer_email" not in form
    assert one(form, "automatic_tax[enabled]") == "true"
    assert one(form, "customer_update[address]") == "auto"  # automatic tax needs the customer's address
    assert one(form, "customer_update[name]") == "auto"  # tax ID collection needs to update the name


def test_without_stripe_tax_the_session_asks_for_none_of_it(stripe_server):
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    provider(stripe_server, automatic_tax=False).start_checkout(request(customer_id="cus_Returning"))
    [form] = stripe_server.sent("POST", "/v1/checkout/sessions")
    assert one(form, "line_items[0][price]") == "price_1TaxMonthly"  # the session itself was asked for
    for key in ("automatic_tax[enabled]", "billing_address_collection", "tax_id_collection[enabled]"):
        assert key not in form
    assert not any(key.startswith("customer_update") for key in form)
    assert not stripe_server.sent("GET", "/v1/prices/price_1TaxMonthly")


@pytest.mark.parametrize(("behavior", "include"), [("unspecified", True), ("unspecified", False), ("exclusive", False)])
def test_a_price_that_agrees_or_takes_the_accounts_default_is_sold(stripe_server, behavior, include):
    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price(behavior))
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    provider(stripe_server, automatic_tax=True).start_checkout(request(prices_include_tax=include))
    assert len(stripe_server.sent("POST", "/v1/checkout/sessions")) == 1


@pytest.mark.parametrize(("behavior", "include"), [("exclusive", True), ("inclusive", False)])
def test_a_price_taxed_otherwise_than_the_site_says_is_refused_before_any_session(stripe_server, behavior, include):
    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price(behavior))
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    with pytest.raises(ProviderError, match=f"price_1TaxMonthly of the plan 'monthly' is tax-{behavior}"):
        provider(stripe_server, automatic_tax=True).start_checkout(request(prices_include_tax=include))
    assert stripe_server.sent("GET", "/v1/prices/price_1TaxMonthly")  # it was asked
    assert not stripe_server.sent("POST", "/v1/checkout/sessions")


def test_the_site_passes_the_publications_word_and_the_setting_to_stripe(
    db, client, stripe_settings, stripe_server, clock
):
    """Through the subscribe view: MASTHEAD_STRIPE_TAX reaches the provider, prices_include_tax the price check."""
    from masthead.publishing.selectors import current_publication

    publication = current_publication()
    publication.prices_include_tax = True
    publication.save()
    stripe_settings.MASTHEAD_STRIPE_TAX = True
    stripe_settings.STRIPE_API_BASE = stripe_server.url
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, provider_plan_id="price_1TaxMonthly")
    client.force_login(User.objects.create_user("taxed@example.com", email="taxed@example.com"))
    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price("inclusive"))
    stripe_server.reply("POST", "/v1/checkout/sessions", SESSION)
    response = client.post("/subscribe/checkout/", {"plan": plan.pk})
    assert response.status_code == 302 and response["Location"] == SESSION["url"]
    [form] = stripe_server.sent("POST", "/v1/checkout/sessions")
    assert one(form, "automatic_tax[enabled]") == "true"

    stripe_server.reply("GET", "/v1/prices/price_1TaxMonthly", price("exclusive"))  # now they disagree
    refused = client.post("/subscribe/checkout/", {"plan": plan.pk}, follow=True)
    assert "Payments are unavailable right now" in refused.content.decode()
    assert len(stripe_server.sent("POST", "/v1/checkout/sessions")) == 1
    assert Checkout.objects.count() == 1  # the refused one left nothing behind


# -- the invoice's tax, from signed events to the receipt ---------------------------------------------------
def recorded(name: str, reference: str) -> bytes:
    return (EVENTS / name).read_text().replace("REFERENCE", reference).encode()


@pytest.mark.django_db(transaction=True)  # the receipt is sent when the payment commits
def test_a_paid_invoices_tax_is_stored_and_printed_on_the_receipt(client, stripe_settings, clock):
    stripe_settings.MASTHEAD_STRIPE_TAX = True
    user = User.objects.create_user("paying@example.com", email="paying@example.com")
    plan = Plan.objects.create(
        name="Monthly", slug="monthly", amount_minor=1200, currency="gbp", provider_plan_id="price_1TaxMonthly"
    )
    checkout = Checkout.objects.create(user=user, plan=plan, provider="stripe", created_at=clock.now)
    reference = str(checkout.reference)

    assert post(client, recorded("checkout_session_completed_tax.json", reference)).status_code == 200
    assert post(client, recorded("invoice_paid_tax.json", reference)).status_code == 200

    subscription = Subscription.objects.get(checkout=checkout)
    assert subscription.status == "active"
    payment = Payment.objects.get(subscription=subscription)
    assert (payment.amount_minor, payment.tax_minor, payment.currency) == (1200, 200, "gbp")
    assert (payment.net_label, payment.tax_amount_label, payment.amount_label) == ("£10", "£2", "£12")
    [receipt] = [message for message in mail.outbox if message.subject.startswith("Your receipt")]
    assert "We received your payment of £12 for Monthly." in receipt.body
    assert "Price before tax: £10\nTax: £2\nTotal: £12\n" in receipt.body  # Stripe names no rate: "Tax"


def test_the_tax_of_an_invoice_is_its_total_taxes_or_before_2025_its_tax():
    event = json.loads(recorded("invoice_paid_tax.json", "42"))
    assert event_from_stripe(event).tax_minor == 200
    invoice = event["data"]["object"]
    invoice["total_taxes"] = [{"amount": 150, "type": "tax_rate_details"}, {"amount": 50, "type": "tax_rate_details"}]
    assert event_from_stripe(event).tax_minor == 200  # a state's and a city's tax: added up
    invoice["total_taxes"] = []
    assert event_from_stripe(event).tax_minor == 0  # Stripe Tax on, nothing due (a reverse charge)
    del invoice["total_taxes"]
    invoice["tax"] = 240  # API versions before 2025-03-31.basil
    assert event_from_stripe(event).tax_minor == 240
    del invoice["tax"]
    assert event_from_stripe(event).tax_minor is None  # the event does not say
    invoice["total_taxes"] = [{"amount": "200"}, "nonsense", {"amount": -5}]
    assert event_from_stripe(event).tax_minor == 0  # what is not an amount is not tax


def test_the_sdk_reads_the_recorded_invoice_as_the_pinned_api_version_does():
    """The fixture is the shape the SDK's pinned version expects: its Invoice has total_taxes and no tax."""
    event = stripe.Event.construct_from(json.loads(recorded("invoice_paid_tax.json", "42")), "sk_test")
    assert event.api_version == stripe.api_version
    invoice = event.data.object
    assert [tax.amount for tax in invoice.total_taxes] == [200]
    assert "tax" not in invoice
