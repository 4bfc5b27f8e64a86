"""A subscription's life on the local provider, with the clock moved by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from masthead.core import memo
from masthead.payments.models import WebhookEvent
from masthead.paywall.models import MeterSettings
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Checkout, Payment, Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.controls import assert_article_page

from .conftest import CARD_DECLINED, CARD_FAILS_AT_RENEWAL, CARD_OK, offer_on_sale, pay, start_checkout, subscribe

pytestmark = pytest.mark.django_db(transaction=True)  # emails are sent when changes commit


@pytest.fixture
def walled_article(make_article):
    MeterSettings.objects.create(anonymous_limit=0, registered_limit=0)
    return make_article(body_html="".join(f"<p>Exclusive paragraph {i}.</p>" for i in range(1, 7)))


def article_page(client, article) -> str:
    return assert_article_page(client.get(article.get_absolute_url()), article)


def full_text(client, article) -> bool:
    """Whether the reader gets the whole article (asked only of a page that is the article's)."""
    return "Exclusive paragraph 6." in article_page(client, article)


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


def test_the_offers_page_lists_plans_offers_and_deadlines(client, commerce):
    html = client.get("/subscribe/").content.decode()
    assert "Try 3 months for $9" in html and "Try it free for 14 days" in html
    assert "Offer ends November 25th" in html  # ten days after the test clock, in the publication's zone
    assert "Offer ends February 23rd, 2027" in html  # a deadline in another year says which
    assert "$12" in html and "$120" in html and "Read all stories with unlimited access" in html
    assert "$3 a month for 3 months, then $12 a month from February 15, 2027" in html  # the schedule, written out
    assert "$120 a year — save $24 against monthly" in html


def test_the_paywall_panel_lists_the_live_offers_and_plans(client, clock, commerce, walled_article):
    html = article_page(client, walled_article)
    panel = html.split('class="paywall-panel"')[1].split("</section>")[0]
    source = f"/subscribe/?article={walled_article.pk}"  # each link carries the article, the conversion's source
    offer = panel.split(f'href="{source}#offer-three-for-nine"')[0].rsplit('<li class="offer-card', 1)[1]
    assert "<h3>Try 3 months for $9</h3>" in offer and "Offer ends November 25th" in offer
    assert "$3 a month for 3 months, then $12 a month from February 15, 2027" in offer
    assert f'href="{source}#plan-monthly"' in panel and "<h3>Monthly</h3>" in panel and "$12 a month" in panel
    assert f'href="{source}#plan-annual"' in panel and "$120 a year — save $24 against monthly" in panel
    assert "Already a subscriber?" in panel
    clock.advance(days=11)  # the introductory offer has ended; a panel rendered now no longer offers it
    memo.forget_everything()  # what a worker's memory does on its own within seconds
    later = article_page(client, walled_article).split('class="paywall-panel"')[1]
    assert f'href="{source}#plan-monthly"' in later
    assert "Try 3 months for $9" not in later


@pytest.fixture
def coded_offer(commerce, clock):
    return offer_on_sale(
        clock,
        days=30,
        name="Readers' club: 50% off for a year",
        slug="readers-club",
        plan=commerce.annual,
        kind="percent_off",
        percent_off=50,
        percent_off_intervals=1,
        code="CLUB2026",
    )


def test_an_offer_with_a_code_shows_only_to_whoever_enters_it(client, coded_offer):
    offers = client.get("/subscribe/")
    assert offers.status_code == 200 and "Try 3 months for $9" in offers.content.decode()
    assert "Readers&#x27; club" not in offers.content.decode()
    html = client.get("/subscribe/?code=club2026").content.decode()
    assert "Readers&#x27; club: 50% off for a year" in html
    assert '<input type="hidden" name="code" value="club2026">' in html
    wrong = client.get("/subscribe/?code=NOPE").content.decode()
    assert "That offer code is not valid." in wrong and "Readers&#x27; club" not in wrong


@pytest.mark.parametrize("code", ["\x00", "club\x002026", "x" * 500, "éü🙂", "' OR 1=1 --"])
def test_an_odd_offer_code_is_just_not_valid(client, coded_offer, code):
    response = client.get("/subscribe/", {"code": code})
    assert response.status_code == 200
    assert "That offer code is not valid." in response.content.decode()


def test_a_reader_redeems_an_offer_with_its_code(client, coded_offer, reader):
    response = client.post(
        "/subscribe/checkout/", {"plan": coded_offer.plan.pk, "offer": coded_offer.pk, "code": "club2026"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/payments/local/checkout/")
    without = client.post("/subscribe/checkout/", {"plan": coded_offer.plan.pk, "offer": coded_offer.pk})
    assert without.status_code == 302 and without["Location"] == "/subscribe/"
    assert "That offer code is not valid." in client.get("/subscribe/").content.decode()


def test_an_offer_is_redeemed_before_its_end(client, clock, commerce, reader, walled_article):
    assert not full_text(client, walled_article)
    subscription = subscribe(client, commerce.monthly, commerce.intro)
    assert subscription.status == "active" and subscription.offer == commerce.intro
    assert list(Payment.objects.values_list("amount_minor", flat=True)) == [300]
    assert full_text(client, walled_article)
    commerce.intro.refresh_from_db()
    assert commerce.intro.redemptions == 1
    assert "Welcome to The Masthead Review" in subjects()
    assert "Your receipt from The Masthead Review" in subjects()


def test_an_offer_is_refused_after_its_end_even_from_an_old_checkout_link(client, clock, commerce, reader):
    checkout_path = start_checkout(client, commerce.monthly, commerce.intro)
    clock.advance(days=11)
    response = pay(client, checkout_path, CARD_OK)
    # The checkout closed within the hour (and never after the offer's end).
    assert response.status_code == 200 and "This checkout has expired" in response.content.decode()
    assert not Subscription.objects.exists()
    refused = client.post(
        "/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": commerce.intro.pk}, follow=True
    )
    assert "This offer has ended." in refused.content.decode()
    assert Checkout.objects.count() == 1


def test_a_declined_card_shows_an_error_and_creates_no_subscription(client, commerce, reader):
    checkout_path = start_checkout(client, commerce.monthly)
    response = pay(client, checkout_path, CARD_DECLINED)
    assert "Your card was declined" in response.content.decode()
    assert not Subscription.objects.exists() and not Payment.objects.exists()
    assert "not valid" in pay(client, checkout_path, "1234 5678").content.decode()


def test_trial_then_paid(client, clock, commerce, reader, walled_article):
    subscription = subscribe(client, commerce.monthly, commerce.trial)
    assert subscription.status == "trialing" and not Payment.objects.exists()
    assert full_text(client, walled_article)
    clock.advance(days=11, hours=1)
    subscriptions_tick()
    assert "Your free trial ends in 3 days" in subjects()
    clock.advance(days=3)
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.ever_paid
    assert list(Payment.objects.values_list("amount_minor", flat=True)) == [1200]
    assert full_text(client, walled_article)


def test_trial_canceled_then_expired_with_the_right_message(client, clock, commerce, reader, walled_article):
    subscription = subscribe(client, commerce.monthly, commerce.trial)
    client.post("/account/subscription/cancel/", {"subscription": subscription.pk})
    subscription.refresh_from_db()
    assert subscription.status == "canceled"
    assert full_text(client, walled_article)  # until the trial's last day
    clock.advance(days=14, seconds=1)
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    page = article_page(client, walled_article)
    assert "Your trial period has expired" in page and "See all offers" in page
    assert "Exclusive paragraph 6." not in page
    assert not Payment.objects.exists()


def test_payment_failure_grace_then_expired(client, clock, commerce, reader, walled_article, settings):
    settings.MASTHEAD_GRACE_DAYS = 7
    subscription = subscribe(client, commerce.monthly, card=CARD_FAILS_AT_RENEWAL)
    assert subscription.status == "active"
    clock.set(subscription.current_period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "past_due"
    assert "Your payment failed" in subjects()
    assert full_text(client, walled_article)  # the grace period
    clock.advance(days=7)
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    page = article_page(client, walled_article)
    assert "Your full access to The Masthead Review has expired" in page
    assert "Your full access to The Masthead Review has expired" in subjects()
    assert list(Payment.objects.order_by("at").values_list("outcome", flat=True)) == ["paid", "failed"]


def test_cancel_keeps_access_until_the_period_ends_and_resume_undoes_it(
    client, clock, commerce, reader, walled_article
):
    subscription = subscribe(client, commerce.monthly)
    client.post("/account/subscription/cancel/", {"subscription": subscription.pk})
    subscription.refresh_from_db()
    assert subscription.status == "canceled" and subscription.cancel_at_period_end
    account = client.get("/accounts/").content.decode()
    assert "Resume subscription" in account and "Full access until" in account
    client.post("/account/subscription/resume/", {"subscription": subscription.pk})
    subscription.refresh_from_db()
    assert subscription.status == "active" and not subscription.cancel_at_period_end
    client.post("/account/subscription/cancel/", {"subscription": subscription.pk})
    clock.set(subscription.current_period_end - dt.timedelta(minutes=1))
    assert full_text(client, walled_article)
    clock.advance(minutes=2)
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    assert not full_text(client, walled_article)


def test_renewal_charges_the_intro_price_three_times_then_the_plan(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, commerce.intro)
    for _ in range(4):
        subscription.refresh_from_db()
        clock.set(subscription.current_period_end + dt.timedelta(minutes=1))
        subscriptions_tick()
    amounts = list(Payment.objects.order_by("at", "id").values_list("amount_minor", flat=True))
    assert amounts == [300, 300, 300, 1200, 1200]


def test_the_cron_command_is_safe_to_run_twice(client, clock, commerce, reader):
    subscription = subscribe(client, commerce.monthly, commerce.trial)
    clock.advance(days=12)
    call_command("subscriptions_tick")
    call_command("subscriptions_tick")
    assert subjects().count("Your free trial ends in 3 days") == 1
    clock.advance(days=3)
    call_command("subscriptions_tick")
    call_command("subscriptions_tick")
    assert Payment.objects.count() == 1
    subscription.refresh_from_db()
    assert subscription.status == "active"


def test_account_page_shows_plan_status_next_charge_and_history(client, commerce, reader):
    subscribe(client, commerce.monthly, commerce.intro)
    html = client.get("/accounts/").content.decode()
    assert "Monthly" in html and "Active" in html
    assert "Next charge" in html and "$3" in html
    assert "Payment history" in html and "Paid" in html
    assert WebhookEvent.objects.filter(outcome="processed").count() >= 3


def test_change_of_plan(client, commerce, reader):
    subscription = subscribe(client, commerce.monthly)
    client.post("/account/subscription/plan/", {"subscription": subscription.pk, "plan": commerce.annual.pk})
    subscription.refresh_from_db()
    assert subscription.plan == commerce.annual


def test_a_second_subscription_is_refused_and_bad_input_is_handled(client, commerce, reader):
    subscribe(client, commerce.monthly)
    response = client.post("/subscribe/checkout/", {"plan": commerce.annual.pk}, follow=True)
    assert "You already have a subscription" in response.content.decode()
    assert client.post("/subscribe/checkout/", {"plan": "abc"}).status_code == 302
    assert client.post("/subscribe/checkout/", {"plan": "99999"}).status_code == 404
    assert client.post("/account/subscription/cancel/", {"subscription": "x"}).status_code == 302
    assert client.post("/account/subscription/cancel/", {"subscription": "99999"}).status_code == 302


def test_anonymous_checkout_asks_for_an_account_first(client, commerce):
    response = client.post("/subscribe/checkout/", {"plan": commerce.monthly.pk})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signup/")


def test_a_checkout_never_outlives_its_offer(client, clock, commerce, reader, monkeypatch):
    from masthead.payments.providers.local.provider import LocalProvider

    seen = []

    class RecordingProvider(LocalProvider):
        def start_checkout(self, request):
            seen.append(request)
            return super().start_checkout(request)

    monkeypatch.setattr("masthead.subscriptions.services.get_provider", lambda name=None: RecordingProvider())
    clock.set(commerce.intro.ends_at - dt.timedelta(hours=5))
    start_checkout(client, commerce.monthly, commerce.intro)
    assert seen[-1].expires_at == clock.now + dt.timedelta(hours=1)  # every checkout closes within the hour
    clock.set(commerce.intro.ends_at - dt.timedelta(minutes=45))
    start_checkout(client, commerce.monthly, commerce.intro)
    assert seen[-1].expires_at == commerce.intro.ends_at
    clock.set(commerce.intro.ends_at - dt.timedelta(minutes=10))
    response = client.post(
        "/subscribe/checkout/", {"plan": commerce.monthly.pk, "offer": commerce.intro.pk}, follow=True
    )
    assert "too soon to complete a payment" in response.content.decode()


def test_the_offers_page_speaks_the_publications_language(client, commerce):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    html = client.get("/subscribe/").content.decode()
    assert "11月25日まで" in html  # "Offer ends November 25th", in Japanese
    assert "2027年2月23日まで" in html
    assert "3か月間は月額$3、2027年2月15日からは月額$12" in html  # the offer's schedule is translated too


def test_emails_speak_the_publications_language(client, clock, commerce, reader):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    subscribe(client, commerce.monthly, commerce.intro)
    receipt = next(m for m in mail.outbox if "領収書" in m.subject)
    assert "お支払い" in receipt.body and "ありがとうございます" in receipt.body
    assert any("ご購読いただきありがとうございます" in m.body for m in mail.outbox)
