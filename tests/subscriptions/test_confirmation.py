"""The page after payment, the conversion's source, and the schedule writer on checkout, account and receipts."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.publishing.models import ArticleStatus
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Checkout, Offer, Plan, Subscription
from tests.payments.test_webhooks import event, post, session_completed, subscription_object

from .conftest import CARD_OK, pay

pytestmark = pytest.mark.django_db(transaction=True)  # receipts are sent when payments commit

INTRO_SCHEDULE = "$3 a month for 3 months, then $12 a month from February 15, 2027"


@pytest.fixture
def story(make_article):
    return make_article(headline="The harbour at dawn")


def checkout_from(client, plan, offer=None, article=None) -> str:
    data = {"plan": plan.pk, **({"offer": offer.pk} if offer else {}), **({"article": article.pk} if article else {})}
    response = client.post("/subscribe/checkout/", data)
    assert response.status_code == 302 and response["Location"].startswith("/payments/local/checkout/")
    return response["Location"]


def paid(client, plan, offer=None, article=None) -> str:
    """Choose, pay with a good card; returns the address the provider sends the reader to."""
    response = pay(client, checkout_from(client, plan, offer, article), CARD_OK)
    assert response.status_code == 302
    return response["Location"]


def test_the_confirmation_says_what_was_bought_its_schedule_the_receipt_and_the_story(client, commerce, reader, story):
    landing = paid(client, commerce.monthly, commerce.intro, story)
    assert landing.startswith("http://testserver/subscribe/thank-you/?session_id=cs_local_")
    html = client.get(landing).content.decode()
    assert "Thank you for subscribing" in html
    assert "You now have Try 3 months for $9" in html
    assert f'<p class="confirmation-schedule">{INTRO_SCHEDULE}</p>' in html
    assert "You paid $3 today. We have emailed a receipt to reader@example.com." in html
    assert f'href="{story.get_absolute_url()}">Continue reading: The harbour at dawn</a>' in html
    assert any("Your receipt" in message.subject for message in mail.outbox)  # as the page says


def test_the_conversion_source_is_recorded_on_the_checkout_and_the_subscription(client, commerce, reader, story):
    paid(client, commerce.monthly, commerce.intro, story)
    subscription = Subscription.objects.get()
    assert subscription.source_article == story and subscription.checkout.source_article == story
    story.delete()  # the record outlives the story: the source is simply forgotten
    subscription.refresh_from_db()
    assert subscription.source_article is None and Subscription.objects.filter(pk=subscription.pk).exists()


def test_without_a_source_the_confirmation_offers_the_front_page(client, commerce, reader, story):
    html = client.get(paid(client, commerce.monthly)).content.decode()
    assert '<p class="confirmation-schedule">$12 a month</p>' in html
    assert "Continue reading" not in html and "Start reading" in html
    assert Subscription.objects.get().source_article is None


def test_a_story_unpublished_since_is_not_linked(client, commerce, reader, story):
    landing = paid(client, commerce.monthly, commerce.intro, story)
    assert "Continue reading: The harbour at dawn" in client.get(landing).content.decode()
    story.status = ArticleStatus.DRAFT
    story.save()
    assert "Continue reading" not in client.get(landing).content.decode()


def test_a_free_trial_says_nothing_is_charged_today(client, commerce, reader, story):
    html = client.get(paid(client, commerce.monthly, commerce.trial, story)).content.decode()
    assert "Free for 14 days, then $12 a month from November 29" in html
    assert "Nothing is charged today. We have emailed the details to reader@example.com." in html


def test_the_confirmation_speaks_japanese(client, commerce, reader, story):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    html = client.get(paid(client, commerce.monthly, commerce.intro, story)).content.decode()
    assert "ご購読ありがとうございます" in html
    assert "3か月間は月額$3、2027年2月15日からは月額$12" in html
    assert "続きを読む：The harbour at dawn" in html
    assert "reader@example.com に領収書をお送りしました" in html
    assert "{{" not in html and "%(" not in html


def test_the_address_never_decides_what_is_shown(client, commerce, reader, story):
    landing = paid(client, commerce.monthly, commerce.intro, story)
    assert "Thank you for subscribing" in client.get(landing).content.decode()  # presence first
    session_id = parse_qs(urlsplit(landing).query)["session_id"][0]
    other = User.objects.create_user("other@example.com", email="other@example.com")
    client.force_login(other)
    assert client.get("/subscribe/thank-you/", {"session_id": session_id})["Location"] == "/accounts/"
    for hostile in ("", "cs_local_nope", "x" * 5000, "\x00", "{CHECKOUT_SESSION_ID}"):
        assert client.get("/subscribe/thank-you/", {"session_id": hostile})["Location"] == "/accounts/"
    client.logout()
    assert client.get(landing)["Location"].startswith("/accounts/signin/")


# -- Stripe: the reader may arrive before the provider's events -------------------------------------------


def test_stripe_success_url_carries_the_session_placeholder(client, commerce, reader, story, monkeypatch):
    from masthead.payments.providers.local.provider import LocalProvider

    seen = []

    class RecordingProvider(LocalProvider):
        def start_checkout(self, request):
            seen.append(request)
            return super().start_checkout(request)

    monkeypatch.setattr("masthead.subscriptions.services.get_provider", lambda name=None: RecordingProvider())
    checkout_from(client, commerce.monthly, commerce.intro, story)
    assert seen[-1].success_url == "http://testserver/subscribe/thank-you/?session_id={CHECKOUT_SESSION_ID}"
    assert seen[-1].cancel_url == f"http://testserver/subscribe/?article={story.pk}"
    assert seen[-1].summary == INTRO_SCHEDULE  # what a hosted checkout page shows beside its button


def test_a_stripe_confirmation_waits_for_the_events_then_reads_our_rows(client, stripe_settings, clock, story):
    user = User.objects.create_user("paying@example.com", email="paying@example.com")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, provider_plan_id="plan_monthly")
    offer = Offer.objects.create(
        name="Try it free for 14 days",
        slug="trial",
        plan=plan,
        kind="free_trial",
        trial_days=14,
        starts_at=clock.now,
        ends_at=clock.now.replace(year=2027),
    )
    checkout = Checkout.objects.create(
        user=user,
        plan=plan,
        offer=offer,
        provider="stripe",
        created_at=clock.now,
        session_id="cs_test_1",
        source_article=story,
    )
    client.force_login(user)
    landing = "/subscribe/thank-you/?session_id=cs_test_1"
    pending = client.get(landing).content.decode()
    assert "Your payment is being confirmed" in pending
    assert "Free for 14 days, then $12 a month from November 29" in pending
    assert "Continue reading: The harbour at dawn" in pending

    now = int(clock.now.timestamp())
    reference = str(checkout.reference)
    assert post(client, session_completed(reference, now)).status_code == 200
    created = subscription_object(reference, "trialing", period_end=now + 14 * 86400, trial_end=now + 14 * 86400)
    assert post(client, event("evt_sub", "customer.subscription.created", created, now)).status_code == 200

    html = client.get(landing).content.decode()
    assert "Thank you for subscribing" in html and "Your payment is being confirmed" not in html
    assert "Nothing is charged today. We have emailed the details to paying@example.com." in html
    assert Subscription.objects.get().source_article == story


# -- the schedule writer on checkout, account and receipt ---------------------------------------------------


def test_checkout_leads_with_the_offer_and_its_schedule(client, commerce, reader):
    html = client.get(checkout_from(client, commerce.monthly, commerce.intro)).content.decode()
    summary = html.split('class="checkout-summary"')[1].split("</form>")[0]
    assert "Try 3 months for $9" in summary and INTRO_SCHEDULE in summary
    assert "$12 / month" not in summary  # not the plan's price on its own, contradicting the schedule
