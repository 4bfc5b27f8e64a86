"""A worker SIGKILLed in the middle of a webhook, then Stripe's redelivery: the event is handled exactly once.

A real server (deploy/serve, granian) runs tests/faults/stopping_wsgi.py: Masthead with an invoice.paid
handler that does its work and then stops, so the test can kill the worker with SIGKILL while the event is
being handled. Stripe saw no answer, so it delivers the event again, here to a fresh server on the same
database. One Payment, the subscription active, the event processed.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.payments.stripe_signing import sign
from tests.payments.test_webhooks import invoice, session_completed
from tests.servers import Site, served_site, serving

SECRET = "whsec_fault_tests"
REFERENCE = str(uuid.uuid4())
SETUP = f"""
from django.contrib.auth.models import User
from masthead.core import clock
from masthead.subscriptions.models import Checkout, Plan
user = User.objects.create_user("paying@example.com", email="paying@example.com")
plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, provider_plan_id="plan_monthly")
Checkout.objects.create(user=user, plan=plan, provider="stripe", created_at=clock.now(), reference="{REFERENCE}")
"""
STATE = """
import json
from masthead.payments.models import WebhookEvent
from masthead.subscriptions.models import Payment, Subscription
print(json.dumps({
    "subscriptions": [list(row) for row in Subscription.objects.values_list("status", "ever_paid")],
    "payments": [list(row) for row in Payment.objects.values_list("provider_invoice_id", "outcome")],
    "events": dict(WebhookEvent.objects.values_list("event_id", "outcome")),
}))
"""


def deliver(url: str, body: dict) -> tuple[int, dict]:
    """POST one event, signed the way Stripe signs it at the moment of sending (as each retry is)."""
    payload = json.dumps(body).encode()
    request = urllib.request.Request(
        url + "/payments/webhooks/stripe/",
        data=payload,
        headers={"Content-Type": "application/json", "Stripe-Signature": sign(payload, SECRET, int(time.time()))},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, {}


def state(site: Site) -> dict:
    return json.loads(site.manage("shell", "-c", STATE).stdout.strip().splitlines()[-1])


def wait_for(path: Path, delivery: threading.Thread, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        if not delivery.is_alive():
            break
        time.sleep(0.05)
    raise AssertionError("the server never reached the middle of handling invoice.paid")


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
def test_a_worker_killed_mid_webhook_then_the_redelivery_handles_the_event_exactly_once(tmp_path, database):
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    env = {
        "MASTHEAD_PAYMENT_PROVIDER": "stripe",
        "STRIPE_API_KEY": "sk_test_fault_tests",
        "STRIPE_WEBHOOK_SECRET": SECRET,
        "MASTHEAD_WSGI_APP": "tests.faults.stopping_wsgi:application",
        "FAULT_HOOK_DIR": str(hook_dir),
    }
    now = int(time.time())
    paid = invoice("evt_paid", "invoice.paid", "in_1", 1200, now + 1, now + 30 * 86400)
    with served_site(tmp_path, database=database, workers=1, setup=SETUP, env=env) as site:
        status, answer = deliver(site.url, session_completed(REFERENCE, now))
        assert (status, answer.get("outcome")) == (200, "processed")  # the hook leaves other events alone

        answers: list[object] = []

        def first_delivery() -> None:
            try:
                answers.append(deliver(site.url, paid))
            except OSError as error:  # the connection dies with the worker
                answers.append(error)

        delivery = threading.Thread(target=first_delivery)
        delivery.start()
        worker, master = (int(pid) for pid in wait_for(hook_dir / "handling", delivery).split())
        # Positive control: the worker is in the middle of handling invoice.paid, its effects made, not committed.
        assert worker != master and os.getpid() not in (worker, master)
        os.kill(master, signal.SIGKILL)  # first, so that no worker is respawned
        os.kill(worker, signal.SIGKILL)
        delivery.join(timeout=30)
        assert not delivery.is_alive()
        assert not (isinstance(answers[0], tuple) and 200 <= answers[0][0] < 300), answers  # Stripe will retry

        # Positive control: the payment the worker was handling is not there.
        before = state(site)
        assert before["subscriptions"] == [["incomplete", False]] and before["payments"] == []

        fresh_env = {name: value for name, value in site.env.items() if name != "MASTHEAD_WSGI_APP"}
        with serving(fresh_env, workers=2) as url:
            assert deliver(url, paid) == (200, {"received": True, "outcome": "processed"})
            assert deliver(url, paid) == (200, {"received": True, "duplicate": True})
        after = state(site)
        assert after == {
            "subscriptions": [["active", True]],
            "payments": [["in_1", "paid"]],
            "events": {"evt_checkout": "processed", "evt_paid": "processed"},
        }
