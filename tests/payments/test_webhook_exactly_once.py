"""A payment event is handled exactly once: storing it, handling it and its outcome commit together or not at all.

A worker that dies in the middle (here: a BaseException raised from inside a handler, which no
``except Exception`` catches, as nothing runs after a SIGKILL) leaves nothing behind, so the provider's
redelivery is handled. tests/faults/ does the same with a real server process killed by SIGKILL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User

from masthead.payments import webhooks
from masthead.payments.interface import EventKind
from masthead.payments.models import WebhookEvent
from masthead.subscriptions.handlers import HANDLERS
from masthead.subscriptions.models import Payment, Subscription

from .test_webhooks import invoice, post, session_completed

pytestmark = pytest.mark.django_db(transaction=True)  # each transaction really commits, or really does not


class WorkerDied(BaseException):
    """A worker's death, in-process: it escapes every ``except Exception`` and nothing after it runs."""


@contextlib.contextmanager
def handled_by(kind: EventKind, handler) -> Iterator[None]:
    """Events of ``kind`` go to ``handler`` for the duration; the real handler comes back after."""
    real = HANDLERS[kind]
    webhooks.register(kind, handler)
    try:
        yield
    finally:
        webhooks.register(kind, real)


def dying_while_handling(kind: EventKind, calls: list[str]):
    """The real handler for ``kind`` does its work, then the worker dies before anything commits."""

    def handler(event):
        calls.append(HANDLERS[kind](event))
        raise WorkerDied(event.event_id)

    return handled_by(kind, handler)


def raising(error: Exception):
    def handler(event):
        raise error

    return handler


@pytest.fixture
def incomplete(client, stripe_settings, stripe_checkout, clock) -> Subscription:
    """A subscription whose checkout Stripe confirmed and whose first invoice is not paid yet."""
    assert (
        post(client, session_completed(str(stripe_checkout.reference), int(clock.now.timestamp()))).status_code == 200
    )
    subscription = Subscription.objects.get()
    assert subscription.status == "incomplete" and not subscription.ever_paid
    return subscription


def first_invoice_paid(clock) -> dict:
    now = int(clock.now.timestamp())
    return invoice("evt_paid", "invoice.paid", "in_1", 1200, now + 1, now + 30 * 86400)


def test_a_worker_dying_mid_handling_leaves_nothing_and_the_redelivery_is_handled_once(client, incomplete, clock):
    paid = first_invoice_paid(clock)
    calls: list[str] = []
    with dying_while_handling(EventKind.INVOICE_PAID, calls), pytest.raises(WorkerDied):
        post(client, paid)
    assert calls == ["paid; status active"]  # positive control: the handler did its work before the death
    # Nothing of it committed: not the event, not the payment, not the status.
    assert not WebhookEvent.objects.filter(event_id="evt_paid").exists()
    assert not Payment.objects.exists()
    incomplete.refresh_from_db()
    assert incomplete.status == "incomplete"

    redelivery = post(client, paid)
    assert redelivery.status_code == 200 and redelivery.json()["outcome"] == "processed"
    again = post(client, paid)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert list(Payment.objects.values_list("provider_invoice_id", "outcome")) == [("in_1", "paid")]
    incomplete.refresh_from_db()
    assert incomplete.status == "active" and incomplete.ever_paid
    assert WebhookEvent.objects.get(event_id="evt_paid").outcome == "processed"


def stored_but_never_handled(client, body: dict) -> WebhookEvent:
    """An event row as the old code could leave it: committed as ``received``, its handling lost."""
    with handled_by(EventKind.INVOICE_PAID, raising(webhooks.NotReady("later"))):
        assert post(client, body).json()["outcome"] == "waiting"
    WebhookEvent.objects.filter(event_id=body["id"]).update(outcome="received", detail="", processed_at=None)
    return WebhookEvent.objects.get(event_id=body["id"])


def test_a_stored_event_never_handled_is_handled_on_redelivery(client, incomplete, clock):
    paid = first_invoice_paid(clock)
    stored = stored_but_never_handled(client, paid)
    assert stored.outcome == "received" and not Payment.objects.exists()  # positive control

    redelivery = post(client, paid)
    assert redelivery.status_code == 200 and redelivery.json()["outcome"] == "processed"
    stored.refresh_from_db()
    assert stored.outcome == "processed"
    assert Payment.objects.count() == 1
    incomplete.refresh_from_db()
    assert incomplete.status == "active"


def test_a_failed_event_is_handled_again_on_redelivery_and_a_processed_one_is_not(client, incomplete, clock):
    paid = first_invoice_paid(clock)
    with handled_by(EventKind.INVOICE_PAID, raising(RuntimeError("a bug in the handler"))):
        failed = post(client, paid)
    assert failed.status_code == 200 and failed.json()["outcome"] == "failed"  # not a 500 into the same bug
    assert not Payment.objects.exists()

    assert post(client, paid).json()["outcome"] == "processed"  # e.g. resent from Stripe's dashboard after a fix
    assert post(client, paid).json()["duplicate"] is True
    assert Payment.objects.count() == 1


def test_the_admin_replays_events_never_handled_failed_or_waiting_and_nothing_final(client, incomplete, clock):
    paid = first_invoice_paid(clock)
    never_handled = stored_but_never_handled(client, paid)
    processed = WebhookEvent.objects.get(event_type="checkout.session.completed")
    assert processed.outcome == "processed"
    admin = User.objects.create_superuser("admin", "admin@example.com", "a long admin password 1")
    client.force_login(admin)

    response = client.post(
        "/admin/payments/webhookevent/",
        {"action": "replay", "_selected_action": [never_handled.pk, processed.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 event(s) handled again." in response.content.decode()
    never_handled.refresh_from_db()
    assert never_handled.outcome == "processed"
    assert Payment.objects.count() == 1
    incomplete.refresh_from_db()
    assert incomplete.status == "active"
    assert Subscription.objects.count() == 1  # the processed checkout event was not handled a second time


def test_events_waiting_for_their_subscription_are_handled_in_the_same_unit(
    client, stripe_settings, stripe_checkout, clock
):
    """An invoice that arrives before its subscription waits; the event that creates it brings it along."""
    paid = first_invoice_paid(clock)
    assert post(client, paid).json()["outcome"] == "waiting"
    assert (
        post(client, session_completed(str(stripe_checkout.reference), int(clock.now.timestamp()))).status_code == 200
    )
    assert WebhookEvent.objects.get(event_id="evt_paid").outcome == "processed"
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and Payment.objects.count() == 1
    assert subscription.current_period_end == dt.datetime.fromtimestamp(paid["created"] - 1 + 30 * 86400, dt.UTC)
