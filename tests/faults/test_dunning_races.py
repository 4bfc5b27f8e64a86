"""Dunning under overlapping cron ticks, on real databases: each step (a retry, a reminder) is taken once.

Each tick is its own process (``manage.py shell``), all released at the same instant over subscriptions whose
day-3 step is due. The positive control: every subscription took its step (retried once, counted once).
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.faults.test_money_races import DATABASES, readers, shell_json
from tests.servers import served_site

COUNT = 12

# Every reader pays with the card that fails at renewal; the renewal comes due and fails (day 0 of dunning);
# then the dunning is moved three days back, so that its day-3 step is due now.
FAILED_AND_DAY_3 = """
import datetime as dt
from masthead.core import clock
from masthead.payments.models import LocalSubscription
from masthead.payments.providers.local.provider import LocalProvider
from masthead.subscriptions.models import Checkout, Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick
for checkout in Checkout.objects.all():
    LocalProvider().pay(str(checkout.reference), "4000000000000341", "12/34")
due = clock.now() - dt.timedelta(minutes=1)
LocalSubscription.objects.update(period_end=due)
Subscription.objects.update(current_period_end=due)
Payment.objects.update(period_end=due)  # the first period, paid, ends now (a failure for it is not stale)
subscriptions_tick()
Subscription.objects.update(dunning_started_at=clock.now() - dt.timedelta(days=3, minutes=1))
print(Subscription.objects.filter(status="past_due", dunning_step=1).count())
"""
TICK_TOGETHER = """
import time
from masthead.subscriptions.services import subscriptions_tick
time.sleep(max(0.0, {start} - time.time()))
print(subscriptions_tick()["dunning"])
"""
STEPS = """
import json
from masthead.payments.models import WebhookEvent
from masthead.subscriptions.models import Subscription
failed = WebhookEvent.objects.filter(event_type="invoice.payment_failed")
print(json.dumps({
    "steps": sorted(Subscription.objects.values_list("dunning_step", flat=True)),
    "attempts": sorted(
        failed.filter(subscription_id=s.provider_subscription_id).count() for s in Subscription.objects.all()
    ),
}))
"""


@pytest.mark.parametrize("database", DATABASES)
def test_overlapping_ticks_take_each_dunning_step_once(tmp_path, database):
    with served_site(tmp_path, database=database, workers=1) as site:
        readers(site, count=COUNT)
        prepared = site.manage("shell", "-c", FAILED_AND_DAY_3)
        assert prepared.stdout.split()[-1] == str(COUNT), prepared.stdout[-2000:] + prepared.stderr[-3000:]
        start = time.time() + 4
        with ThreadPoolExecutor(max_workers=4) as pool:
            runs = list(pool.map(lambda _: site.manage("shell", "-c", TICK_TOGETHER.format(start=start)), range(4)))

        taken = [int(run.stdout.split()[-1]) for run in runs]
        assert sum(taken) == COUNT, taken
        ledger = shell_json(site, STEPS)
        assert ledger == {"steps": [2] * COUNT, "attempts": [2] * COUNT}, json.dumps(ledger)


# The tick's retry is held for a while, as a slow one would be, once the tick has its locks.
TICK_SLOW_RETRY = """
import time
from masthead.payments.providers.local.provider import LocalProvider
retry = LocalProvider.retry_payment
def slow(self, **kwargs):
    time.sleep(4)
    return retry(self, **kwargs)
LocalProvider.retry_payment = slow
from masthead.subscriptions.services import subscriptions_tick
time.sleep(max(0.0, {start} - time.time()))
print(subscriptions_tick()["dunning"])
"""
# Meanwhile the reader gives a new card on the card page (which retries the open invoice with it at once).
NEW_CARD = """
import time
from masthead.payments.models import LocalSubscription
from masthead.payments.providers.local.provider import LocalProvider
time.sleep(max(0.0, {start} + 1.5 - time.time()))
local = LocalSubscription.objects.get()
card = dict(card_number="4242424242424242", expiry="12/34")
print(LocalProvider().update_card(subscription_id=local.subscription_id, **card))
"""
STATUS = """
import json
from masthead.subscriptions.models import Subscription
print(json.dumps(list(Subscription.objects.values_list("status", "dunning_step"))))
"""


@pytest.mark.postgres
def test_a_tick_and_a_new_card_at_once_take_their_locks_in_one_order(tmp_path):
    """The card page locks the local provider's row, then (its event) ours; the tick took ours, then the
    provider's: at once, PostgreSQL found a deadlock and killed one. Both now take the provider's row first."""
    with served_site(tmp_path, database="postgres", workers=1) as site:
        readers(site, count=1)
        prepared = site.manage("shell", "-c", FAILED_AND_DAY_3)
        assert prepared.stdout.split()[-1] == "1", prepared.stdout[-2000:] + prepared.stderr[-3000:]
        start = time.time() + 4
        scripts = [TICK_SLOW_RETRY.format(start=start), NEW_CARD.format(start=start)]
        with ThreadPoolExecutor(max_workers=2) as pool:
            tick, card = pool.map(lambda code: site.manage("shell", "-c", code, check=False), scripts)

        for run in (tick, card):
            assert run.returncode == 0 and "deadlock" not in run.stderr, run.stderr[-3000:]
        assert tick.stdout.split()[-1] == "1"  # the tick took its day-3 step (its retry failed: the old card)
        assert card.stdout.split()[-1] == "paid"  # then the new card paid the open invoice
        assert shell_json(site, STATUS) == [["active", 0]]
