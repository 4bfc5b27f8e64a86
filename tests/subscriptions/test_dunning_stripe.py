"""Dunning with Stripe: its signed events start and stop it, its Billing Portal updates the card.

Stripe retries the card itself (Smart Retries), so the tick only reminds the reader on days 3 and 6; an
``invoice.paid`` ends it all. ``customer.source.expiring`` tells the reader once per card.

localstripe (1.15) has no Billing Portal (its routes cover no ``/v1/billing_portal/…``), so the card-update
page is asked of a scripted Stripe at the HTTP level (tests/payments/test_stripe_http.py): the real SDK sends
the real request, which is checked as sent.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.payments.models import WebhookEvent
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.payments.test_stripe_http import one, scripted  # noqa: F401 (the scripted Stripe fixture)
from tests.payments.test_webhooks import event, invoice, post, subscription_object

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit

DAY = 86400
FAILED = "Your payment failed"
REMINDER = "Reminder: your payment failed"
CARD_EXPIRING = "Your card expires next month"
PORTAL = "https://billing.stripe.com/p/session/test_YWNjdF8x"


def card_expiring(event_id: str, created: int, *, last4: str = "4242", fingerprint: str = "Xt5EWLLDS7FJjR1c") -> dict:
    """A ``customer.source.expiring`` event as Stripe sends it: its object is the customer's card."""
    return event(
        event_id,
        "customer.source.expiring",
        {
            "id": "card_1QxYzExpiring",
            "object": "card",
            "address_zip_check": "pass",
            "brand": "Visa",
            "country": "US",
            "customer": "cus_1",
            "cvc_check": "pass",
            "exp_month": 12,
            "exp_year": 2026,
            "fingerprint": fingerprint,
            "funding": "credit",
            "last4": last4,
            "metadata": {},
        },
        created,
    )


@pytest.fixture
def deliver(client, stripe_settings, stripe_checkout):
    reference = str(stripe_checkout.reference)

    def send(body: dict) -> str:
        response = post(client, body)
        assert response.status_code == 200, response.content
        return "duplicate" if response.json().get("duplicate") else response.json()["outcome"]

    send.reference = reference
    return send


@pytest.fixture
def paid(deliver, clock) -> Subscription:
    now = int(clock.now.timestamp())
    period_end = now + 30 * DAY
    deliver(
        event(
            "evt_created",
            "customer.subscription.created",
            subscription_object(deliver.reference, "active", period_end=period_end),
            now,
        )
    )
    deliver(invoice("evt_paid_1", "invoice.paid", "in_1", 1200, now, period_end))
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and subscription.provider_customer_id == "cus_1"
    subscription.renewal_at = period_end
    return subscription


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_stripe_dunning_reminds_on_days_3_and_6_without_retrying_and_invoice_paid_stops_it(deliver, paid, clock):
    renewal = paid.renewal_at
    clock.set(dt.datetime.fromtimestamp(renewal + 60, dt.UTC))
    mail.outbox.clear()
    assert (
        deliver(invoice("evt_failed_2", "invoice.payment_failed", "in_2", 1200, renewal, renewal + 30 * DAY))
        == "processed"
    )
    # Stripe's own retry fails again on day 1 (the same invoice): no second email.
    assert (
        deliver(invoice("evt_failed_2b", "invoice.payment_failed", "in_2", 1200, renewal + DAY, renewal + 30 * DAY))
        == "ignored"
    )
    assert subjects() == [FAILED]
    for number, expected in ((1, []), (3, [REMINDER]), (4, [])):
        mail.outbox.clear()
        clock.set(dt.datetime.fromtimestamp(renewal + number * DAY + 60, dt.UTC))
        subscriptions_tick()
        subscriptions_tick()
        assert subjects() == expected, number
    assert Subscription.objects.get().dunning_step == 2

    # Day 4: the reader updated the card in the portal; Stripe's retry paid the invoice.
    deliver(invoice("evt_paid_2", "invoice.paid", "in_2", 1200, renewal + 4 * DAY, renewal + 30 * DAY))
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and subscription.dunning_started_at is None
    for number in (5, 6, 7, 8):
        mail.outbox.clear()
        clock.set(dt.datetime.fromtimestamp(renewal + number * DAY + 60, dt.UTC))
        subscriptions_tick()
        assert subjects() == []
    assert Subscription.objects.get().status == "active"


def test_customer_source_expiring_tells_the_reader_once_per_card(deliver, paid, clock):
    now = int(clock.now.timestamp())
    mail.outbox.clear()
    assert deliver(card_expiring("evt_expiring_1", now)) == "processed"
    (message,) = mail.outbox
    assert message.subject == CARD_EXPIRING and message.to == ["paying@example.com"]
    assert (
        "The card ending 4242 that pays for The Masthead Review expires at the end of next month (12/2026)."
        in message.body
    )
    assert f"/account/subscription/{paid.pk}/card/" in message.body

    assert deliver(card_expiring("evt_expiring_1", now)) == "duplicate"  # the same delivery again
    assert deliver(card_expiring("evt_expiring_again", now + DAY)) == "ignored"  # the same card, told already
    assert len(mail.outbox) == 1
    assert deliver(card_expiring("evt_expiring_other", now + DAY, last4="4444", fingerprint="Other4444")) == "processed"
    assert subjects() == [CARD_EXPIRING, CARD_EXPIRING]  # another card is another warning


def test_a_badly_signed_card_expiry_changes_nothing(client, deliver, paid, clock):
    mail.outbox.clear()
    response = post(client, card_expiring("evt_forged", int(clock.now.timestamp())), secret="whsec_wrong")
    assert response.status_code == 400
    assert not WebhookEvent.objects.filter(event_id="evt_forged").exists() and mail.outbox == []
    assert deliver(card_expiring("evt_forged", int(clock.now.timestamp()))) == "processed"  # signed right, it counts
    assert subjects() == [CARD_EXPIRING]


def test_a_card_expiry_for_an_unknown_customer_is_ignored(deliver, paid, clock):
    body = card_expiring("evt_nobody", int(clock.now.timestamp()))
    body["data"]["object"]["customer"] = "cus_nobody"
    mail.outbox.clear()
    assert deliver(body) == "ignored"
    assert mail.outbox == []
    body["data"]["object"]["customer"], body["id"] = "cus_1", "evt_somebody"
    assert deliver(body) == "processed" and subjects() == [CARD_EXPIRING]  # the control: a known customer


# -- the card-update page is Stripe's Billing Portal -----------------------------------------------------
@pytest.fixture
def portal_ready(settings, scripted, paid, client):  # noqa: F811 (the fixture imported above)
    settings.STRIPE_API_BASE = scripted.url
    client.force_login(paid.user)
    return paid


def test_update_card_opens_a_billing_portal_session_on_its_payment_method_flow(client, scripted, portal_ready):  # noqa: F811
    scripted.reply(
        "POST", "/v1/billing_portal/sessions", {"id": "bps_1", "object": "billing_portal.session", "url": PORTAL}
    )
    response = client.get(f"/account/subscription/{portal_ready.pk}/card/")
    assert response.status_code == 302 and response["Location"] == PORTAL
    [form] = scripted.sent("POST", "/v1/billing_portal/sessions")
    assert one(form, "customer") == "cus_1"
    assert one(form, "flow_data[type]") == "payment_method_update"
    assert one(form, "return_url") == "http://testserver/accounts/"
    assert one(form, "flow_data[after_completion][redirect][return_url]") == "http://testserver/accounts/"


def test_a_portal_that_does_not_answer_is_a_clear_message(client, scripted, portal_ready):  # noqa: F811
    scripted.reply(
        "POST", "/v1/billing_portal/sessions", {"error": {"type": "api_error", "message": "down"}}, status=500
    )
    response = client.get(f"/account/subscription/{portal_ready.pk}/card/", follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/"
    assert "The payment service did not answer. Please try again in a few minutes." in response.content.decode()


def test_another_readers_stripe_subscription_opens_no_portal(client, scripted, portal_ready):  # noqa: F811
    scripted.reply(
        "POST", "/v1/billing_portal/sessions", {"id": "bps_1", "object": "billing_portal.session", "url": PORTAL}
    )
    assert client.get(f"/account/subscription/{portal_ready.pk}/card/")["Location"] == PORTAL  # its owner's
    intruder = User.objects.create_user("intruder@example.com", email="intruder@example.com")
    client.force_login(intruder)
    response = client.get(f"/account/subscription/{portal_ready.pk}/card/", follow=True)
    assert "That subscription could not be found." in response.content.decode()
    assert len(scripted.sent("POST", "/v1/billing_portal/sessions")) == 1  # none opened for the intruder


# -- the card a Checkout saved (a PaymentMethod, which customer.source.expiring never names) ------------------
def payment_method(event_id: str, created: int, *, kind: str = "attached", exp_month: int = 12, exp_year: int = 2026):
    """A ``payment_method.attached`` (Checkout or the portal saved the reader's card) or
    ``payment_method.automatically_updated`` (the card network renewed it) event, as Stripe sends it."""
    return event(
        event_id,
        f"payment_method.{kind}",
        {
            "id": "pm_1QxYzCheckout",
            "object": "payment_method",
            "type": "card",
            "customer": "cus_1",
            "billing_details": {"email": "paying@example.com", "name": None},
            "card": {
                "brand": "visa",
                "country": "US",
                "exp_month": exp_month,
                "exp_year": exp_year,
                "fingerprint": "Xt5EWLLDS7FJjR1c",
                "funding": "credit",
                "last4": "4242",
            },
            "created": created,
            "livemode": False,
            "metadata": {},
        },
        created,
    )


def test_a_checkout_card_expiring_next_month_is_told_once_from_our_rows(deliver, paid, clock):
    now = int(clock.now.timestamp())
    assert deliver(payment_method("evt_pm_attached", now)) == "processed"
    mail.outbox.clear()
    subscriptions_tick()
    subscriptions_tick()
    (message,) = mail.outbox
    assert message.subject == CARD_EXPIRING and message.to == ["paying@example.com"]
    assert "The card ending 4242 that pays for The Masthead Review expires at the end of next month (12/2026)." in (
        message.body
    )
    # Stripe's own word about the same card (were it a Card object) is not a second warning.
    assert deliver(card_expiring("evt_expiring_1", now + DAY)) == "ignored"
    assert len(mail.outbox) == 1


def test_a_card_expiring_later_is_told_in_its_last_month_only_even_if_saved_before_the_subscription(deliver, clock):
    now = int(clock.now.timestamp())
    # Checkout saves the card before its session completes: the card's event comes first, and waits.
    assert deliver(payment_method("evt_pm_attached", now, exp_month=3, exp_year=2027)) == "ignored"
    period_end = now + 150 * DAY  # a long first period: still running in February
    created = subscription_object(deliver.reference, "active", period_end=period_end)
    deliver(event("evt_created", "customer.subscription.created", created, now + 1))
    deliver(invoice("evt_paid_1", "invoice.paid", "in_1", 1200, now + 1, period_end))
    subscription = Subscription.objects.get()
    assert subscription.status == "active"
    assert (subscription.card_last4, subscription.card_exp_month, subscription.card_exp_year) == ("4242", 3, 2027)
    mail.outbox.clear()
    subscriptions_tick()
    assert CARD_EXPIRING not in subjects()  # in November, March is not next month
    clock.set(dt.datetime(2027, 2, 10, 12, tzinfo=dt.UTC))
    subscriptions_tick()
    subscriptions_tick()
    assert subjects().count(CARD_EXPIRING) == 1  # in February it is: told once

    # The network renewed the card: its new expiry replaces the old one, with nothing to tell.
    renewed = payment_method("evt_pm_renewed", now + DAY, kind="automatically_updated", exp_year=2030)
    assert deliver(renewed) == "processed"
    assert Subscription.objects.get().card_exp_year == 2030
    subscriptions_tick()
    assert subjects().count(CARD_EXPIRING) == 1
