"""Finding 2: an offer ends when its plan changes, the change is prorated, and the account page shows the next charge.

The local provider's rule (payments.billing.plan_change): the change takes effect now; the unused part of the
current period is credited at what was paid for it; the new plan's price less that credit is charged now and
a new period on the new plan starts now; a credit larger than the price lengthens that first period.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from masthead.payments.billing import add_months
from masthead.payments.models import LocalSubscription
from masthead.subscriptions.models import Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick

from .conftest import CARD_FAILS_AT_RENEWAL, offer_on_sale, subscribe

pytestmark = pytest.mark.django_db(transaction=True)


def change_plan(client, subscription, plan) -> str:
    response = client.post(
        "/account/subscription/plan/", {"subscription": subscription.pk, "plan": plan.pk}, follow=True
    )
    return account_text(response)


def account_text(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account" in html
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def next_charge(client) -> str:
    text = account_text(client.get("/accounts/"))
    match = re.search(r"Next charge (\S+ on [^0-9]*\d+, \d{4})", text)
    return match.group(1) if match else ""


def day(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def amounts() -> list[int]:
    return list(Payment.objects.order_by("at", "id").values_list("amount_minor", flat=True))


def renew(clock, subscription) -> None:
    subscription.refresh_from_db()
    clock.set(subscription.current_period_end + dt.timedelta(minutes=1))
    subscriptions_tick()


def test_switching_from_an_introductory_offer_to_annual_ends_the_offer(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, commerce.intro)  # $3 for Nov 15 → Dec 15 (30 days)
    assert next_charge(client) == f"$3 on {day(subscription.current_period_end)}"
    clock.advance(days=10)
    text = change_plan(client, subscription, commerce.annual)
    assert "Your plan is changed to Annual." in text

    subscription.refresh_from_db()
    assert subscription.plan == commerce.annual and subscription.offer is None
    # 20 of the 30 days paid at $3 were unused: $2 credited against $120, and a year starts now.
    assert amounts() == [300, 11800]
    assert subscription.current_period_start == clock.now
    assert subscription.current_period_end == add_months(clock.now, 12)
    assert next_charge(client) == f"$120 on {day(subscription.current_period_end)}"
    local = LocalSubscription.objects.get()
    assert local.offer is None and local.plan["slug"] == "annual"

    renew(clock, subscription)
    renew(clock, subscription)
    assert amounts() == [300, 11800, 12000, 12000]  # not $3 for two more years


def test_a_percent_off_offer_ends_with_its_plan(client, clock, commerce, reader):
    half = offer_on_sale(
        clock,
        days=10,
        name="Half price for ever",
        slug="half",
        plan=commerce.monthly,
        kind="percent_off",
        percent_off=50,
    )
    subscription = subscribe(client, commerce.monthly, half)
    assert amounts() == [600]
    change_plan(client, subscription, commerce.annual)  # at once: all of the $6 is credited
    assert amounts() == [600, 11400]
    renew(clock, subscription)
    assert amounts() == [600, 11400, 12000]


def test_a_move_to_a_cheaper_plan_lengthens_the_new_period_by_the_credit(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.annual)  # $120 for a year (365 days)
    clock.advance(days=73)  # 292 of 365 days unused: $96 of credit
    change_plan(client, subscription, commerce.monthly)
    subscription.refresh_from_db()
    assert subscription.plan == commerce.monthly
    assert amounts() == [12000, 0]  # $12 of the credit pays the first month; $84 more buys 7 more months
    month_end = add_months(clock.now, 1)
    assert subscription.current_period_end == month_end + (month_end - clock.now) * 7
    assert next_charge(client) == f"$12 on {day(subscription.current_period_end)}"
    renew(clock, subscription)
    assert amounts() == [12000, 0, 1200]


def test_a_free_trial_ends_when_the_plan_changes_and_the_new_plan_is_charged(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, commerce.trial)
    assert subscription.status == "trialing"
    clock.advance(days=2)
    change_plan(client, subscription, commerce.annual)
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.ever_paid and subscription.offer is None
    assert amounts() == [12000]  # nothing was paid for the trial, so nothing is credited
    assert next_charge(client) == f"$120 on {day(add_months(clock.now, 12))}"


def test_a_declined_card_leaves_the_plan_as_it_was(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, card=CARD_FAILS_AT_RENEWAL)
    text = change_plan(client, subscription, commerce.annual)
    assert "Your card was declined" in text and "Your plan is changed" not in text
    subscription.refresh_from_db()
    assert subscription.plan == commerce.monthly and amounts() == [1200]
    assert LocalSubscription.objects.get().plan["slug"] == "monthly"


def test_a_past_due_subscription_cannot_change_plan(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, card=CARD_FAILS_AT_RENEWAL)
    renew(clock, subscription)
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    text = change_plan(client, subscription, commerce.annual)
    assert "Please update your card before changing plan." in text
    subscription.refresh_from_db()
    assert subscription.plan == commerce.monthly


def test_without_an_offer_renewals_go_on_at_the_plan_price(client, clock, commerce, reader):
    """The positive control: with no change of plan, the introductory price runs its three months."""
    subscription = subscribe(client, commerce.monthly, commerce.intro)
    for _ in range(3):
        renew(clock, subscription)
    assert amounts() == [300, 300, 300, 1200]
    assert Subscription.objects.get().offer == commerce.intro
