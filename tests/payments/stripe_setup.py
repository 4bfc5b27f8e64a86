"""What Stripe's dashboard and a paying reader do, done by the tests against localstripe.

The app never creates products, plans, customers or subscriptions itself: a plan's Stripe id is entered
by the publisher (``Plan.provider_plan_id``) and readers subscribe through hosted Checkout. The tests
need all four to make localstripe send the webhooks the app does handle, so they live here.
"""

from __future__ import annotations

from typing import Any

import stripe

from masthead.payments.interface import PlanTerms
from masthead.payments.providers.stripe.events import REFERENCE_KEY

API_KEY = "sk_test_masthead"


def stripe_client(api_base: str, api_key: str = API_KEY) -> stripe.StripeClient:
    """An SDK client for the localstripe server at ``api_base``."""
    return stripe.StripeClient(api_key, base_addresses={"api": api_base})


def plan_id_for(plan: PlanTerms) -> str:
    """The deterministic Stripe plan id for ``plan``: a change of price makes a new plan."""
    return f"masthead-{plan.slug}-{plan.interval}-{plan.amount_minor}{plan.currency}"


def _retrieve_or_create(service: Any, object_id: str, params: dict[str, Any]) -> None:
    try:
        service.retrieve(object_id)
    except stripe.InvalidRequestError as error:
        if error.http_status != 404:
            raise
        service.create(params={"id": object_id, **params})


def ensure_product_and_plan(client: stripe.StripeClient, plan: PlanTerms) -> str:
    """Create the plan's Product and Plan unless they exist; returns the Stripe plan id."""
    product_id, plan_id = f"masthead-{plan.slug}", plan_id_for(plan)
    _retrieve_or_create(client.v1.products, product_id, {"name": plan.name})
    _retrieve_or_create(
        client.v1.plans,
        plan_id,
        {
            "product": product_id,
            "amount": plan.amount_minor,
            "currency": plan.currency,
            "interval": str(plan.interval),
            "nickname": plan.name,
        },
    )
    return plan_id


def ensure_customer(client: stripe.StripeClient, email: str) -> str:
    """The id of the customer with this email, created when there is none."""
    found = client.v1.customers.list(params={"email": email, "limit": 1})
    if found.data:
        return found.data[0].id
    return client.v1.customers.create(params={"email": email}).id


def create_subscription(
    client: stripe.StripeClient,
    customer_id: str,
    plan_id: str,
    payment_method: str = "pm_card_visa",
    reference: str = "",
) -> str:
    """Subscribe the customer to the plan, paying with ``payment_method``; returns the subscription id."""
    attached = client.v1.payment_methods.attach(payment_method, params={"customer": customer_id})
    client.v1.customers.update(customer_id, params={"invoice_settings": {"default_payment_method": attached.id}})
    params: dict[str, Any] = {"customer": customer_id, "items": [{"plan": plan_id}]}
    if reference:
        params["metadata"] = {REFERENCE_KEY: reference}
    return client.v1.subscriptions.create(params=params).id
