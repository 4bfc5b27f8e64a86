"""A subscription's Stripe events, stamped within one second, in any order and duplicated: one final state.

The lifecycle: created (incomplete), the first invoice paid, updated (active), the renewal's payment failed,
its retry paid, and the end: canceled at the period's end (an update) or canceled now (a deletion). Each
event is signed as Stripe signs it and read by the provider's parse path. Whatever the order, and however
often an event is delivered again, the end state is the in-order one, and a paid subscription never shows
``incomplete``, after any step.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from masthead.payments import webhooks
from masthead.payments.interface import PaymentEvent
from masthead.payments.providers.stripe import StripeProvider
from masthead.subscriptions.models import Checkout, Payment, Plan, Subscription
from tests.payments.stripe_signing import SECRET, sign
from tests.payments.test_stripe_events import CREATED, invoice, stripe_event, subscription

DAY = 86400
P0, P1, P2 = CREATED, CREATED + 31 * DAY, CREATED + 59 * DAY  # the first and the renewed period


def with_period(obj: dict, start: int, end: int) -> dict:
    for line in obj["items" if obj["object"] == "subscription" else "lines"]["data"]:
        if obj["object"] == "subscription":
            line["current_period_start"], line["current_period_end"] = start, end
        else:
            line["period"] = {"start": start, "end": end}
    return obj


def sub(reference: str, start: int, end: int, **fields) -> dict:
    return with_period(subscription(metadata={"masthead_reference": reference}, **fields), start, end)


def bill(reference: str, invoice_id: str, *, paid: bool, start: int, end: int) -> dict:
    obj = with_period(invoice(paid=paid), start, end)
    obj["id"] = invoice_id
    obj["parent"]["subscription_details"]["metadata"] = {"masthead_reference": reference}
    return obj


def lifecycle(reference: str, ending: str) -> list[tuple[str, str, dict]]:
    """(event id, type, object) in the order Stripe sent them, all stamped CREATED (the same second)."""
    end = (
        ("customer.subscription.updated", sub(reference, P1, P2, cancel_at_period_end=True, cancel_at=P2))
        if ending == "cancel-at-period-end"
        else ("customer.subscription.deleted", sub(reference, P1, P2, status="canceled", ended_at=CREATED))
    )
    return [
        ("evt_created", "customer.subscription.created", sub(reference, P0, P1, status="incomplete")),
        ("evt_paid_1", "invoice.paid", bill(reference, "in_1", paid=True, start=P0, end=P1)),
        ("evt_active", "customer.subscription.updated", sub(reference, P0, P1, status="active")),
        ("evt_failed_2", "invoice.payment_failed", bill(reference, "in_2", paid=False, start=P1, end=P2)),
        ("evt_retry_paid_2", "invoice.paid", bill(reference, "in_2", paid=True, start=P1, end=P2)),
        ("evt_end", *end),
    ]


def parsed(reference: str, ending: str) -> list[PaymentEvent]:
    provider = StripeProvider(api_key="sk_test_x", webhook_secret=SECRET)
    events = []
    for event_id, event_type, obj in lifecycle(reference, ending):
        payload = json.dumps(stripe_event(event_type, obj, event_id)).encode()
        headers = {"Stripe-Signature": sign(payload, SECRET, int(time.time()))}
        events.append(provider.parse_webhook(payload=payload, headers=headers))
    assert {event.occurred_at for event in events} == {events[0].occurred_at}  # all in the same second
    return events


@st.composite
def deliveries(draw, count: int) -> list[int]:
    """Every event once, in any order, and some delivered again at any later point."""
    order = draw(st.permutations(range(count)))
    for _ in range(draw(st.integers(0, 4))):
        event = draw(st.sampled_from(range(count)))
        first = order.index(event)
        order.insert(draw(st.integers(first + 1, len(order))), event)
    return order


def final_state() -> dict:
    return {
        "subscriptions": list(
            Subscription.objects.values(
                "status", "ever_paid", "cancel_at_period_end", "current_period_start", "current_period_end"
            )
        ),
        "payments": sorted(Payment.objects.values_list("provider_invoice_id", "outcome", "amount_minor")),
    }


def assert_no_paid_subscription_is_incomplete() -> None:
    for stored in Subscription.objects.all():
        paid = stored.ever_paid or stored.payments.filter(outcome=Payment.Outcome.PAID).exists()
        assert not (paid and stored.status == "incomplete"), list(stored.history.values_list("note", flat=True))


def run(events: list[PaymentEvent], order: list[int]) -> tuple[dict, list[str]]:
    """Deliver ``order`` and roll everything back after; returns the final state and the statuses seen."""
    seen = []
    with transaction.atomic():
        for index in order:
            webhooks.process(events[index])
            assert_no_paid_subscription_is_incomplete()
            seen.append(Subscription.objects.get().status)
        state = final_state()
        transaction.set_rollback(True)
    return state, seen


@pytest.fixture
def checkout(db, clock, stripe_settings) -> Checkout:
    # The events are Stripe's, so the site is configured for Stripe as it would be in production.
    user = User.objects.create_user("paying@example.com", email="paying@example.com")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=900, provider_plan_id="plan_monthly")
    return Checkout.objects.create(
        user=user, plan=plan, provider="stripe", created_at=clock.now, reference=uuid.uuid4()
    )


IN_ORDER = {
    "cancel-at-period-end": ["incomplete", "active", "active", "past_due", "active", "canceled"],
    "canceled-now": ["incomplete", "active", "active", "past_due", "active", "expired"],
}


@pytest.mark.parametrize("ending", list(IN_ORDER))
def test_the_in_order_lifecycle_goes_through_every_state(checkout, ending):
    """The positive control: in order, every event has its effect (so the property below is not vacuous)."""
    events = parsed(str(checkout.reference), ending)
    state, seen = run(events, list(range(len(events))))
    assert seen == IN_ORDER[ending]
    assert state["payments"] == [("in_1", "paid", 900), ("in_2", "paid", 900)]
    assert state["subscriptions"][0]["ever_paid"]


IN_ORDER_STATE: dict[str, dict] = {}


@pytest.mark.parametrize("ending", list(IN_ORDER))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_order_and_any_duplicates_end_in_the_in_order_state(checkout, ending, data):
    events = parsed(str(checkout.reference), ending)
    if ending not in IN_ORDER_STATE:  # the state holds no ids: one in-order run per ending is enough
        IN_ORDER_STATE[ending] = run(events, list(range(len(events))))[0]
    expected = IN_ORDER_STATE[ending]
    order = data.draw(deliveries(len(events)), label="order")
    state, _ = run(events, order)
    assert state == expected
