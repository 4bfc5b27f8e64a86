"""The local provider's change of state and the handling of its events commit together, or not at all.

A worker dying between the two (a BaseException from inside a handler, as nothing runs after a SIGKILL)
must not leave a checkout completed, or a renewal billed, whose events were never handled.
"""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.payments.interface import EventKind
from masthead.payments.models import LocalCheckout, LocalSubscription, WebhookEvent
from masthead.subscriptions.models import Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.payments.test_webhook_exactly_once import WorkerDied, dying_while_handling

from .conftest import CARD_OK, pay, start_checkout

pytestmark = pytest.mark.django_db(transaction=True)  # each transaction really commits, or really does not


def test_a_worker_dying_while_a_local_payment_is_handled_takes_no_payment_and_the_reader_can_pay(
    client, commerce, reader
):
    checkout_path = start_checkout(client, commerce.monthly)
    reference = checkout_path.rstrip("/").rsplit("/", 1)[1]
    calls: list[str] = []
    with dying_while_handling(EventKind.INVOICE_PAID, calls), pytest.raises(WorkerDied):
        pay(client, checkout_path, CARD_OK)
    assert calls == ["paid; status active"]  # positive control: it died in the middle of the handling
    # Nothing of the payment committed: the checkout is still open, and no event or subscription exists.
    assert LocalCheckout.objects.get(reference=reference).completed is False
    assert not LocalSubscription.objects.exists()
    assert not WebhookEvent.objects.exists()
    assert not Subscription.objects.exists() and not Payment.objects.exists()

    response = pay(client, checkout_path, CARD_OK)
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.status == "active" and subscription.ever_paid
    assert list(Payment.objects.values_list("amount_minor", "outcome")) == [(1200, "paid")]
    assert LocalSubscription.objects.count() == 1
    assert set(WebhookEvent.objects.values_list("outcome", flat=True)) == {"processed"}


def test_a_worker_dying_while_a_renewal_is_handled_leaves_it_due_and_the_next_tick_bills_it_once(
    client, clock, commerce, reader
):
    response = pay(client, start_checkout(client, commerce.monthly), CARD_OK)
    assert response.status_code == 302
    subscription = Subscription.objects.get()
    first_period_end = subscription.current_period_end
    clock.set(first_period_end + dt.timedelta(minutes=1))
    calls: list[str] = []
    with dying_while_handling(EventKind.INVOICE_PAID, calls), pytest.raises(WorkerDied):
        subscriptions_tick()
    assert calls == ["paid; status active"]  # positive control: the renewal's event was being handled
    local = LocalSubscription.objects.get()
    assert local.period_end == first_period_end and local.intervals_billed == 1  # the renewal is still due
    assert Payment.objects.count() == 1

    assert subscriptions_tick()["renewed"] == 1
    assert subscriptions_tick()["renewed"] == 0
    assert list(Payment.objects.order_by("at", "id").values_list("amount_minor", flat=True)) == [1200, 1200]
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.current_period_end > first_period_end
