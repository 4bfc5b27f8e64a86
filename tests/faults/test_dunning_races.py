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
