"""Canceling in two steps: a reason, perhaps one retention offer, then cancel at once or stay with the discount."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from masthead.payments.interface import ProviderError
from masthead.payments.models import LocalSubscription
from masthead.payments.providers.local.provider import LocalProvider
from masthead.publishing.roles import PUBLISHERS
from masthead.publishing.selectors import current_publication
from masthead.subscriptions import offers as offer_rules
from masthead.subscriptions.models import CancellationFeedback, Offer, Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.admin_forms import staff_user

from .conftest import offer_on_sale, subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # the local provider's events commit with its changes

CANCEL = "/account/subscription/cancel/"
NOW = dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def retention(commerce, clock) -> Offer:
    return offer_on_sale(
        clock,
        days=200,
        name="50% off your next 3 months",
        slug="stay-half-off",
        plan=commerce.monthly,
        kind="percent_off",
        percent_off=50,
        percent_off_intervals=3,
        purpose="retention",
    )


@pytest.fixture
def subscriber(client, commerce, reader) -> Subscription:
    """The reader, paying for the monthly plan ($12) without an offer since Nov 15, 2026."""
    return subscribe(client, commerce.monthly)


def page(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.content[:400]
    return html.unescape(response.content.decode())


def test_the_account_page_links_to_the_cancel_page_below_the_other_controls(client, subscriber):
    account = page(client, "/accounts/")
    link = f'href="{CANCEL}?subscription={subscriber.pk}"'
    assert link in account
    assert account.index("Change plan") < account.index(link) < account.index("Payment history")
    assert f'action="{CANCEL}"' not in account  # no one-tap cancel button any more


def test_the_cancel_page_asks_why_and_shows_one_retention_offer(client, clock, commerce, subscriber, retention):
    Offer.objects.create(
        name="25% off your next 6 months",
        slug="stay-quarter-off",
        plan=commerce.monthly,
        kind="percent_off",
        percent_off=25,
        percent_off_intervals=6,
        purpose="retention",
        starts_at=retention.starts_at,
        ends_at=retention.ends_at + dt.timedelta(days=1),
    )
    text = page(client, f"{CANCEL}?subscription={subscriber.pk}")
    assert "Why are you canceling? (optional)" in text
    assert 'value="too_expensive"' in text and "It costs too much" in text and "<textarea" in text
    assert "Before you go: 50% off your next 3 months" in text
    assert "$6 a month for 3 months from December 15, then $12 a month from March 15, 2027" in text
    assert "25% off" not in text  # only one offer shows
    assert "Try 3 months for $9" not in text  # offers on sale are not retention offers
    assert "If you cancel, you keep full access until Dec. 15, 2026" in text
    assert 'name="action" value="cancel"' in text and "Cancel my subscription" in text
    assert page(client, CANCEL).count("Before you go") == 1  # without an id: the reader's current subscription


def test_declining_the_offer_cancels_at_once_and_stores_the_reason(client, subscriber, retention):
    response = client.post(
        CANCEL,
        {"subscription": subscriber.pk, "reason": "too_expensive", "text": "  Too much for me  ", "action": "cancel"},
        follow=True,
    )
    text = html.unescape(response.content.decode())
    assert "Your subscription is canceled. You keep full access until Dec. 15, 2026." in text
    assert "Full access until" in text and "Resume subscription" in text
    subscriber.refresh_from_db()
    assert subscriber.status == "canceled" and subscriber.cancel_at_period_end
    assert subscriber.discount_percent_off == 0
    feedback = CancellationFeedback.objects.get()
    assert (feedback.subscription, feedback.reason, feedback.text) == (subscriber, "too_expensive", "Too much for me")
    assert feedback.offered == retention and not feedback.offer_accepted
    assert LocalSubscription.objects.get().cancel_at_period_end


def test_no_reason_is_needed_to_cancel(client, subscriber):
    response = client.post(CANCEL, {"subscription": subscriber.pk, "action": "cancel"})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.status == "canceled"
    feedback = CancellationFeedback.objects.get()
    assert feedback.reason == "" and feedback.offered is None and feedback.outcome == "canceled"


def test_taking_the_offer_applies_the_discount_and_keeps_the_subscription(client, subscriber, retention):
    response = client.post(
        CANCEL,
        {"subscription": subscriber.pk, "reason": "too_expensive", "action": "keep", "offer": retention.pk},
        follow=True,
    )
    text = html.unescape(response.content.decode())
    assert "Thank you for staying with us." in text
    assert "$6 a month for 3 months from December 15, then $12 a month from March 15, 2027" in text
    assert "$6 on Dec. 15, 2026" in text  # the next charge
    subscriber.refresh_from_db()
    assert subscriber.status == "active" and not subscriber.cancel_at_period_end
    assert (subscriber.discount_percent_off, subscriber.discount_first_interval, subscriber.discount_intervals) == (
        50,
        2,
        3,
    )
    feedback = CancellationFeedback.objects.get()
    assert feedback.offer_accepted and feedback.offered == retention and feedback.reason == "too_expensive"
    assert subscriber.history.filter(event="retention_offer_taken").exists()
    retention.refresh_from_db()
    assert retention.redemptions == 1
    assert LocalSubscription.objects.get().discount == {"percent_off": 50, "first_interval": 2, "intervals": 3}


def test_local_renewals_charge_the_discount_for_exactly_its_months_then_the_full_price(
    client, clock, subscriber, retention
):
    clock.advance(days=10)
    client.post(CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": retention.pk})
    assert "Your discount" in page(client, "/accounts/")
    for _ in range(5):
        subscriber.refresh_from_db()
        clock.set(subscriber.current_period_end + dt.timedelta(minutes=1))
        subscriptions_tick()
    amounts = list(Payment.objects.order_by("at", "id").values_list("amount_minor", flat=True))
    assert amounts == [1200, 600, 600, 600, 1200, 1200]
    assert "Your discount" not in page(client, "/accounts/")  # the discount is over: nothing more to say


def test_the_offer_is_not_shown_during_a_trial_nor_a_second_time(client, clock, commerce, reader, retention):
    trial = subscribe(client, commerce.monthly, commerce.trial)
    text = page(client, f"{CANCEL}?subscription={trial.pk}")
    assert "Why are you canceling?" in text and "Before you go" not in text

    newcomer = User.objects.create_user("new@example.com", email="new@example.com", password="a new passphrase 77")
    client.force_login(newcomer)
    intro = subscribe(client, commerce.monthly, commerce.intro)  # $3 a month for 3 months, then $12
    text = page(client, f"{CANCEL}?subscription={intro.pk}")
    assert "Before you go: 50% off your next 3 months" in text
    assert "$1.50 a month for 2 months from December 15, then $6 for one month from February 15, 2027" in text
    client.post(CANCEL, {"subscription": intro.pk, "action": "keep", "offer": retention.pk})
    for _ in range(4):
        intro.refresh_from_db()
        clock.set(intro.current_period_end + dt.timedelta(minutes=1))
        subscriptions_tick()
    amounts = list(intro.payments.order_by("at", "id").values_list("amount_minor", flat=True))
    assert amounts == [300, 150, 150, 600, 1200]  # half of what each month cost, for exactly three months
    text = page(client, f"{CANCEL}?subscription={intro.pk}")  # the discount is over, but was taken this year
    assert "Why are you canceling?" in text and "Before you go" not in text


def test_a_retention_offer_is_never_sold(client, commerce, reader, retention):
    offers = page(client, "/subscribe/")
    assert "Try 3 months for $9" in offers and "50% off your next 3 months" not in offers
    response = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": retention.pk}, follow=True)
    assert "This offer is no longer available." in html.unescape(response.content.decode())
    assert not Subscription.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "because"},  # not one of the choices
        {"reason": "too_expensive\x00"},
        {"text": "x" * 2001},
    ],
    ids=["unknown-reason", "nul", "long-text"],
)
def test_a_bad_answer_is_shown_again_and_changes_nothing(client, subscriber, retention, data):
    response = client.post(CANCEL, {"subscription": subscriber.pk, "action": "cancel", **data})
    assert response.status_code == 400
    text = html.unescape(response.content.decode())
    assert "Please check your answer below." in text and "Before you go" in text
    subscriber.refresh_from_db()
    assert subscriber.status == "active" and not CancellationFeedback.objects.exists()


@pytest.mark.parametrize("offer", ["999999999", "abc", "", "-1", "１"])
def test_an_unknown_offer_is_a_clear_error_and_changes_nothing(client, subscriber, retention, offer):
    response = client.post(CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": offer}, follow=True)
    assert response.status_code == 200
    assert "That offer is not available. Your subscription was not changed." in html.unescape(response.content.decode())
    subscriber.refresh_from_db()
    assert subscriber.status == "active" and subscriber.discount_percent_off == 0
    assert not CancellationFeedback.objects.exists()


def test_a_sale_offer_cannot_be_taken_as_a_retention_offer(client, commerce, subscriber, retention):
    response = client.post(CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": commerce.intro.pk})
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.discount_percent_off == 0 and subscriber.status == "active"


def test_another_readers_subscription_is_not_found(client, commerce, subscriber, retention):
    other = User.objects.create_user("other@example.com", email="other@example.com", password="another passphrase 9")
    client.force_login(other)
    assert client.get(f"{CANCEL}?subscription={subscriber.pk}").status_code == 404
    for action in ("cancel", "keep"):
        data = {"subscription": subscriber.pk, "action": action, "offer": retention.pk}
        response = client.post(CANCEL, data, follow=True)
        assert "That subscription could not be found." in html.unescape(response.content.decode())
    assert client.post(CANCEL, {"subscription": subscriber.pk, "reason": "nope"}).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.status == "active" and subscriber.discount_percent_off == 0
    assert not CancellationFeedback.objects.exists()


@pytest.mark.parametrize("raw", ["abc", "0", "１", "99999999999999999999999"])
def test_a_bad_subscription_id_is_not_found(client, subscriber, raw):
    assert client.get(f"{CANCEL}?subscription={raw}").status_code == 404
    response = client.post(CANCEL, {"subscription": raw, "action": "cancel"}, follow=True)
    assert "That subscription could not be found." in html.unescape(response.content.decode())
    subscriber.refresh_from_db()
    assert subscriber.status == "active"


def test_nothing_to_cancel_leads_back_to_the_account(client, subscriber):
    assert client.post(CANCEL, {"subscription": subscriber.pk}).status_code == 302
    response = client.get(f"{CANCEL}?subscription={subscriber.pk}", follow=True)
    assert "You have no subscription to cancel." in html.unescape(response.content.decode())
    assert CancellationFeedback.objects.count() == 1
    assert client.get(CANCEL, follow=False).status_code == 302
    client.logout()
    assert client.get(CANCEL)["Location"].startswith("/accounts/signin/")


def test_a_provider_failure_leaves_everything_as_it_was(client, subscriber, retention, monkeypatch):
    def fail(self, **kwargs):
        raise ProviderError("the provider is down")

    monkeypatch.setattr(LocalProvider, "apply_discount", fail)
    response = client.post(
        CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": retention.pk}, follow=True
    )
    assert "The payment service did not answer." in html.unescape(response.content.decode())
    retention.refresh_from_db()
    subscriber.refresh_from_db()
    assert retention.redemptions == 0 and subscriber.discount_percent_off == 0
    assert not CancellationFeedback.objects.exists()


def test_the_provider_sets_the_discount_before_the_offer_is_reserved_and_what_it_set_counts(
    client, subscriber, retention, monkeypatch
):
    """The offer's row (every taker's) is not held locked over the provider's round trip: the redemption is
    taken after it. Had the cap been reached meanwhile, the discount the provider set still counts."""
    retention.redemption_cap = 1
    retention.save(update_fields=["redemption_cap"])
    seen = []
    apply_discount = LocalProvider.apply_discount

    def racing(self, **kwargs):
        seen.append(Offer.objects.get(pk=retention.pk).redemptions)
        Offer.objects.filter(pk=retention.pk).update(redemptions=1)  # another reader took the last one meanwhile
        apply_discount(self, **kwargs)

    monkeypatch.setattr(LocalProvider, "apply_discount", racing)
    response = client.post(
        CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": retention.pk}, follow=True
    )
    assert "Thank you for staying with us." in html.unescape(response.content.decode())
    assert seen == [0]  # nothing reserved yet while the provider worked
    subscriber.refresh_from_db()
    retention.refresh_from_db()
    assert subscriber.discount_percent_off == 50 and LocalSubscription.objects.get().discount["percent_off"] == 50
    assert retention.redemptions == 2  # past the cap: the provider did set it, so our rows say so


def test_the_cancel_page_speaks_japanese(client, subscriber, retention):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    text = page(client, f"{CANCEL}?subscription={subscriber.pk}")
    assert "購読の解約" in text and "解約の理由" in text and "購読を解約する" in text
    assert "3か月間は月額$6" in text
    response = client.post(
        CANCEL, {"subscription": subscriber.pk, "action": "keep", "offer": retention.pk}, follow=True
    )
    assert "割引" in html.unescape(response.content.decode())


def test_a_retention_offer_is_a_percentage_off_for_some_intervals_without_a_code(commerce, retention):
    retention.full_clean()
    retention.percent_off_intervals = 0
    retention.code = "STAY"
    with pytest.raises(ValidationError) as error:
        retention.full_clean()
    assert set(error.value.message_dict) == {"percent_off_intervals", "code"}
    retention.kind, retention.trial_days = "free_trial", 14
    with pytest.raises(ValidationError) as error:
        retention.full_clean()
    assert "kind" in error.value.message_dict


def test_the_publisher_reads_the_reasons_in_the_admin(client, subscriber, retention):
    client.post(CANCEL, {"subscription": subscriber.pk, "reason": "elsewhere", "text": "I read the Gazette"})
    client.force_login(staff_user("business", PUBLISHERS))
    listing = html.unescape(page(client, "/admin/subscriptions/cancellationfeedback/"))
    assert "I get my news elsewhere" in listing and "I read the Gazette" in listing
    assert "50% off your next 3 months" in listing
    offers = page(client, "/admin/subscriptions/offer/?purpose__exact=retention")
    assert "50% off your next 3 months" in offers and "Try 3 months for $9" not in offers


RULES = offer_rules.OfferRules(plan_id=1, starts_at=NOW - dt.timedelta(days=1), ends_at=NOW + dt.timedelta(days=30))
PAYING = offer_rules.SubscriberState(plan_id=1, paid_and_running=True, discount_running=False)


@pytest.mark.parametrize(
    ("rules", "subscriber", "now", "refusal"),
    [
        (RULES, PAYING, NOW, None),
        (RULES, dataclasses.replace(PAYING, plan_id=2), NOW, offer_rules.Refusal.WRONG_PLAN),
        (RULES, dataclasses.replace(PAYING, paid_and_running=False), NOW, offer_rules.Refusal.NOT_ELIGIBLE),
        (RULES, dataclasses.replace(PAYING, discount_running=True), NOW, offer_rules.Refusal.NOT_ELIGIBLE),
        (RULES, dataclasses.replace(PAYING, last_retention_at=NOW - dt.timedelta(days=364)), NOW, "not_eligible"),
        (RULES, dataclasses.replace(PAYING, last_retention_at=NOW - dt.timedelta(days=365)), NOW, None),
        (dataclasses.replace(RULES, active=False), PAYING, NOW, offer_rules.Refusal.INACTIVE),
        (RULES, PAYING, NOW + dt.timedelta(days=30), offer_rules.Refusal.ENDED),
        (RULES, PAYING, NOW - dt.timedelta(days=2), offer_rules.Refusal.NOT_STARTED),
        (dataclasses.replace(RULES, redemption_cap=5, redemptions=5), PAYING, NOW, offer_rules.Refusal.CAP_REACHED),
        (dataclasses.replace(RULES, code="IGNORED", lapsed_allowed=False), PAYING, NOW, None),
    ],
)
def test_who_is_offered_a_retention_offer(rules, subscriber, now, refusal):
    assert offer_rules.retention_refusal(rules, subscriber=subscriber, now=now) == refusal


def test_a_stripe_subscriber_on_a_yearly_plan_gets_a_coupon_for_as_many_months(
    client, clock, commerce, reader, monkeypatch
):
    """The service hands the provider the span in months as well as intervals: Stripe's coupons count months."""
    yearly_offer = offer_on_sale(
        clock,
        days=30,
        name="Half off your next year",
        slug="stay-half-off-a-year",
        plan=commerce.annual,
        kind="percent_off",
        percent_off=50,
        percent_off_intervals=1,
        purpose="retention",
        provider_coupon_id="STAYYEAR",
    )
    subscription = Subscription.objects.create(
        user=reader,
        plan=commerce.annual,
        status="active",
        provider="stripe",
        provider_subscription_id="sub_yearly",
        current_period_start=clock.now,
        current_period_end=clock.now + dt.timedelta(days=365),
        ever_paid=True,
        created_at=clock.now,
    )
    Payment.objects.create(
        subscription=subscription,
        outcome="paid",
        amount_minor=12000,
        currency="usd",
        at=clock.now,
        provider_invoice_id="in_1",
    )
    applied = []

    class Recorder:
        def apply_discount(self, *, subscription_id, discount):
            applied.append((subscription_id, discount))

    monkeypatch.setattr("masthead.subscriptions.services.get_provider", lambda name=None: Recorder())
    text = page(client, f"{CANCEL}?subscription={subscription.pk}")
    assert "Before you go: Half off your next year" in text
    client.post(CANCEL, {"subscription": subscription.pk, "action": "keep", "offer": yearly_offer.pk})
    [(stripe_id, discount)] = applied
    assert stripe_id == "sub_yearly"
    assert (discount.percent_off, discount.intervals, discount.months, discount.provider_coupon_id) == (
        50,
        1,
        12,
        "STAYYEAR",
    )
    subscription.refresh_from_db()
    assert (subscription.discount_first_interval, subscription.discount_intervals) == (2, 1)
