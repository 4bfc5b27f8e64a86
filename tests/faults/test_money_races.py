"""Money under races, on real servers: payments fired in parallel at the production server's workers.

Each test starts a fresh site (tests/servers.py), prepares readers and open checkouts with the site's own
code, then fires real HTTP requests from threads released together. Each has a positive control: the same
requests, where they should all succeed, do.
"""

from __future__ import annotations

import http.client
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode, urlsplit

import pytest

from tests.servers import Site, served_site

DATABASES = [pytest.param("sqlite", id="sqlite"), pytest.param("postgres", id="postgres")]
CARD_OK = "4242 4242 4242 4242"

# Readers, each signed in (a session and a CSRF cookie made by the site's own code), each with open checkouts.
READERS = """
import datetime as dt, json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from masthead.core import clock
from masthead.subscriptions.models import Offer, Plan
from masthead.subscriptions.services import checkout_begin

now = clock.now()
plan, _ = Plan.objects.get_or_create(slug="monthly", defaults=dict(name="Monthly", amount_minor=1200, interval="month"))
offer = None
if {cap!r} is not None:
    offer = Offer.objects.create(
        name="Try 3 months for $9", slug="three-for-nine", plan=plan, kind="intro_price", intro_amount_minor=300,
        intro_intervals=3, starts_at=now - dt.timedelta(days=1), ends_at=now + dt.timedelta(days=10),
        redemption_cap={cap!r},
    )
readers = []
for n in range({readers}):
    email = f"reader-{{n}}@example.com"
    user = get_user_model().objects.create_user(email, email=email, password="a sturdy passphrase 42")
    browser = Client(SERVER_NAME="127.0.0.1")
    browser.get(resolve_url(settings.LOGIN_URL))  # the CSRF cookie a browser gets from any form
    browser.force_login(user)  # and the session signing in makes
    checkouts = [
        checkout_begin(user=user, plan=plan, offer=offer, success_url="/accounts/?welcome=1", cancel_url="/subscribe/")
        .redirect_url
        for _ in range({checkouts})
    ]
    readers.append({{
        "email": email,
        "cookie": f"{{settings.SESSION_COOKIE_NAME}}={{browser.cookies[settings.SESSION_COOKIE_NAME].value}}; "
        f"{{settings.CSRF_COOKIE_NAME}}={{browser.cookies[settings.CSRF_COOKIE_NAME].value}}",
        "csrf": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        "checkouts": checkouts,
    }})
print(json.dumps(readers))
"""

# What the database holds afterwards, per reader.
LEDGER = """
import json
from masthead.payments.models import LocalSubscription
from masthead.subscriptions.models import Offer, Payment, Subscription
print(json.dumps({
    "subscriptions": {
        email: count for email, count in __import__("collections").Counter(
            Subscription.objects.exclude(status="expired").values_list("user__email", flat=True)
        ).items()
    },
    "with_offer": Subscription.objects.filter(offer__isnull=False).count(),
    "redemptions": list(Offer.objects.values_list("redemptions", flat=True)),
    "payments": Payment.objects.filter(outcome="paid").count(),
    "provider_subscriptions": LocalSubscription.objects.count(),
}))
"""


def shell_json(site: Site, code: str):
    return json.loads(site.manage("shell", "-c", code).stdout.strip().splitlines()[-1])


def pay(site: Site, reader: dict, checkout_path: str, barrier: threading.Barrier) -> tuple[int, str]:
    """POST the card to a local checkout page as the reader's browser would; (status, body)."""
    body = urlencode({"card_number": CARD_OK, "expiry": "12/34", "cvc": "123", "csrfmiddlewaretoken": reader["csrf"]})
    headers = {
        "Cookie": reader["cookie"],
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": site.url + checkout_path,
    }
    connection = http.client.HTTPConnection(urlsplit(site.url).netloc, timeout=60)
    try:
        connection.connect()  # connected before the barrier, so the requests leave together
        barrier.wait(timeout=30)
        connection.request("POST", checkout_path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def pay_all_at_once(site: Site, attempts: list[tuple[dict, str]]) -> list[tuple[int, str]]:
    barrier = threading.Barrier(len(attempts))
    with ThreadPoolExecutor(max_workers=len(attempts)) as pool:
        return list(pool.map(lambda attempt: pay(site, *attempt, barrier), attempts))


def readers(site: Site, *, count: int, checkouts: int = 1, cap: int | None = None) -> list[dict]:
    return shell_json(site, READERS.format(readers=count, checkouts=checkouts, cap=cap))


# -- finding 9: an offer's redemption cap -----------------------------------------------------------------
@pytest.mark.parametrize("database", DATABASES)
def test_parallel_payers_redeem_an_offer_capped_at_one_exactly_once(tmp_path, database):
    with served_site(tmp_path, database=database, workers=3) as site:
        people = readers(site, count=6, cap=1)
        results = pay_all_at_once(site, [(reader, reader["checkouts"][0]) for reader in people])

        assert sorted(status for status, _ in results) == [200] * 5 + [302], [s for s, _ in results]
        refusals = [page for status, page in results if status == 200]
        assert all("This offer has been fully redeemed." in page for page in refusals)
        ledger = shell_json(site, LEDGER)
        assert ledger["with_offer"] == 1
        assert ledger["redemptions"] == [1]
        assert ledger["payments"] == 1 and ledger["provider_subscriptions"] == 1


@pytest.mark.parametrize("database", DATABASES)
def test_parallel_payers_all_redeem_an_offer_with_room_for_them(tmp_path, database):
    """The positive control: the same six parallel payments, with a cap of six, all go through."""
    with served_site(tmp_path, database=database, workers=3) as site:
        people = readers(site, count=6, cap=6)
        results = pay_all_at_once(site, [(reader, reader["checkouts"][0]) for reader in people])

        assert [status for status, _ in results] == [302] * 6
        ledger = shell_json(site, LEDGER)
        assert ledger["with_offer"] == 6 and ledger["redemptions"] == [6] and ledger["payments"] == 6


# -- finding 8: two open checkouts -------------------------------------------------------------------------
@pytest.mark.parametrize("database", DATABASES)
def test_open_checkouts_paid_in_parallel_make_one_subscription_per_reader(tmp_path, database):
    """Three readers each pay three open checkouts at once: each reader gets one subscription, billed once.

    Three readers succeeding together is the positive control: paying in parallel works at all.
    """
    with served_site(tmp_path, database=database, workers=3) as site:
        people = readers(site, count=3, checkouts=3)
        attempts = [(reader, path) for reader in people for path in reader["checkouts"]]
        results = pay_all_at_once(site, attempts)

        paid = [attempt[0]["email"] for attempt, (status, _) in zip(attempts, results, strict=True) if status == 302]
        assert sorted(paid) == sorted(reader["email"] for reader in people), [s for s, _ in results]
        refusals = [page for status, page in results if status == 200]
        assert len(refusals) == 6
        assert all("You already have a subscription" in page for page in refusals)
        ledger = shell_json(site, LEDGER)
        assert ledger["subscriptions"] == {reader["email"]: 1 for reader in people}
        assert ledger["payments"] == 3 and ledger["provider_subscriptions"] == 3


# -- renewals: overlapping cron ticks ----------------------------------------------------------------------
SUBSCRIBED_AND_DUE = """
import datetime as dt
from masthead.core import clock
from masthead.payments.models import LocalSubscription
from masthead.payments.providers.local.provider import LocalProvider
from masthead.subscriptions.models import Checkout, Subscription
for checkout in Checkout.objects.all():
    LocalProvider().pay(str(checkout.reference), "4242424242424242")
due = clock.now() - dt.timedelta(minutes=1)
LocalSubscription.objects.update(period_end=due)
Subscription.objects.update(current_period_end=due)
print(Subscription.objects.filter(status="active").count())
"""
TICK_TOGETHER = """
import time
from masthead.subscriptions.services import subscriptions_tick
time.sleep(max(0.0, {start} - time.time()))
print(subscriptions_tick()["renewed"])
"""
RENEWALS = """
import json
from masthead.subscriptions.models import Payment, Subscription
print(json.dumps(sorted(s.payments.filter(outcome="paid").count() for s in Subscription.objects.all())))
"""


@pytest.mark.parametrize("database", DATABASES)
def test_overlapping_renewal_ticks_bill_each_renewal_once(tmp_path, database):
    """Four cron ticks started at the same instant over twenty due renewals: each is billed once.

    The positive control: every due subscription was renewed (two payments each, not one).
    """
    import time

    with served_site(tmp_path, database=database, workers=1) as site:
        readers(site, count=20)
        assert site.manage("shell", "-c", SUBSCRIBED_AND_DUE).stdout.split()[-1] == "20"
        start = time.time() + 4  # each tick is its own process; all start their work at this moment
        with ThreadPoolExecutor(max_workers=4) as pool:
            runs = list(pool.map(lambda _: site.manage("shell", "-c", TICK_TOGETHER.format(start=start)), range(4)))

        renewed = [int(run.stdout.split()[-1]) for run in runs]
        assert sum(renewed) == 20, renewed
        assert shell_json(site, RENEWALS) == [2] * 20
