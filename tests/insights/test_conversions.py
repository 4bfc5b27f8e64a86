"""Conversions and their sources: each registration, trial start and first payment is recorded once, with its
last touch (the article the money path carried, else the reader's latest metered read this window) and its
first touch (the reader's first metered read this window)."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import User
from django.core import mail

from masthead.accounts.hooks import Registration
from masthead.insights import conversions
from masthead.insights.models import Conversion
from masthead.paywall.models import MeterRead
from masthead.publishing.models import Publication
from masthead.publishing.selectors import current_publication, forget_site_settings
from masthead.subscriptions.models import Subscription
from masthead.subscriptions.services import subscriptions_tick
from tests.conftest import require_service
from tests.payments.test_webhooks import event, invoice, post, subscription_object
from tests.subscriptions import conftest as shop

pytestmark = pytest.mark.django_db(transaction=True)  # the local provider's events commit with its changes

commerce = shop.commerce
PASSWORD = "a sturdy passphrase 42"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def articles(make_article):
    """Four metered stories: A, B, C, D."""
    return [make_article(headline=f"Story {letter}") for letter in "ABCD"]


def read(client, clock, article) -> None:
    """The reader opens ``article`` a minute after whatever came before (a metered read on the meter)."""
    clock.advance(minutes=1)
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200


def touches(kind: str) -> tuple[int | None, int | None]:
    conversion = Conversion.objects.get(kind=kind)
    return conversion.first_touch_id, conversion.last_touch_id


def choose(client, plan, offer=None, article=None) -> str:
    """An anonymous reader chooses on /subscribe; returns the ``next`` their sign-up carries."""
    data = {"plan": plan.pk, **({"offer": offer.pk} if offer else {}), **({"article": article.pk} if article else {})}
    response = client.post("/subscribe/checkout/", data)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/signup/")
    return parse_qs(urlsplit(response["Location"]).query)["next"][0]


def sign_up(client, email: str, next_url: str = "/"):
    response = client.post("/accounts/signup/", {"email": email, "password": PASSWORD, "next": next_url})
    assert response.status_code == 200
    return User.objects.get(username=email)


def confirm_from_mail(client):
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    return client.get(urlsplit(link)._replace(scheme="", netloc="").geturl())


def test_a_journey_is_attributed_to_the_carried_article_and_the_first_metered_read(client, clock, commerce, articles):
    """Anonymous: reads A then B, chooses the trial from C's paywall, signs up, confirms, starts the trial; the
    trial is paid for at its end. Each conversion: first touch A (the first read), last touch C (carried)."""
    a, b, c, _ = articles
    read(client, clock, a)
    read(client, clock, b)
    next_url = choose(client, commerce.monthly, commerce.trial, article=c)
    user = sign_up(client, "new@example.com", next_url)

    registration = Conversion.objects.get()
    assert (registration.kind, registration.user, registration.subscription) == ("registration", user, None)
    assert (registration.first_touch, registration.last_touch) == (a, c)
    assert (registration.at, registration.day) == (clock.now, dt.date(2026, 11, 15))

    landing = confirm_from_mail(client)  # signs in: the browser's reads now count for the account too
    assert landing.status_code == 302
    checkout = client.get(landing["Location"])["Location"]
    clock.advance(minutes=1)
    assert shop.pay(client, checkout, shop.CARD_OK).status_code == 302
    subscription = Subscription.objects.get(user=user)
    assert subscription.status == "trialing" and subscription.source_article == c
    assert touches("trial") == (a.pk, c.pk)
    assert Conversion.objects.get(kind="trial").subscription == subscription

    clock.set(subscription.trial_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    subscriptions_tick()
    subscription.refresh_from_db()
    assert subscription.status == "active" and subscription.payments.get().amount_minor == 1200
    paid = Conversion.objects.get(kind="paid")
    assert (paid.subscription, paid.user, paid.at) == (subscription, user, subscription.payments.get().at)
    assert touches("paid") == (a.pk, c.pk)

    # A renewal is not a conversion; each kind is there once.
    clock.set(subscription.current_period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    assert subscription.payments.count() == 2
    assert sorted(Conversion.objects.values_list("kind", flat=True)) == ["paid", "registration", "trial"]


def test_without_carried_context_the_last_touch_is_the_latest_metered_read(client, clock, commerce, articles):
    a, b, c, _ = articles
    user = User.objects.create_user("reader@example.com", email="reader@example.com", password=PASSWORD)
    client.force_login(user)
    read(client, clock, b)
    read(client, clock, a)
    read(client, clock, c)
    read(client, clock, a)  # a re-read: C stays the latest metered read
    clock.advance(minutes=1)
    subscription = shop.subscribe(client, commerce.monthly)  # from the offers page: no article carried
    assert subscription.source_article is None
    assert touches("paid") == (b.pk, c.pk)
    assert not Conversion.objects.filter(kind="trial").exists()  # no trial: paid at once


def test_a_registration_from_the_registration_wall_is_attributed_to_its_article(client, clock, articles):
    a, b, _, _ = articles
    read(client, clock, a)
    read(client, clock, b)
    sign_up(client, "wall@example.com", next_url=a.get_absolute_url())  # "Create a free account" on A's wall
    assert touches("registration") == (a.pk, a.pk)


def test_a_registration_from_nowhere_takes_the_browsers_latest_read(client, clock, articles):
    a, b, _, _ = articles
    read(client, clock, a)
    read(client, clock, b)
    sign_up(client, "plain@example.com", next_url="/")
    assert touches("registration") == (a.pk, b.pk)


def test_a_registration_without_reads_or_context_has_no_touches(client, clock, articles):
    sign_up(client, "cold@example.com", next_url="https://elsewhere.example/")
    assert touches("registration") == (None, None)


@pytest.mark.parametrize(
    "next_url",
    [
        "/subscribe/continue/?choice=forged",
        "/politics/no-such-story/",
        "/politics/",
        "//elsewhere.example/politics/story-1/",
        "/" + "x" * 2000,
    ],
    ids=["forged-choice", "unknown-article", "section-page", "other-host", "long"],
)
def test_hostile_or_unknown_next_values_carry_no_article(client, clock, articles, next_url):
    read(client, clock, articles[0])
    sign_up(client, "odd@example.com", next_url=next_url)
    assert touches("registration") == (articles[0].pk, articles[0].pk)  # the meter's, never the address's


def test_a_draft_article_in_next_is_not_carried(client, clock, make_article, articles):
    draft = make_article(status="draft")
    read(client, clock, articles[1])
    sign_up(client, "draft@example.com", next_url=draft.get_absolute_url())
    assert touches("registration") == (articles[1].pk, articles[1].pk)


def test_each_conversion_is_recorded_once(client, clock, commerce, articles):
    user = sign_up(client, "once@example.com")
    assert Conversion.objects.filter(kind="registration", user=user).count() == 1
    # The same address again: no new account, no new conversion.
    client.post("/accounts/signup/", {"email": "once@example.com", "password": PASSWORD, "next": "/"})
    assert Conversion.objects.filter(kind="registration").count() == 1
    # The listener heard twice (a retried request, say) records it once.
    heard = Registration(user.pk, clock.now, articles[0].pk)
    conversions.registration_heard(heard)
    assert Conversion.objects.filter(kind="registration").count() == 1
    assert not conversions.conversion_record("registration", user_id=user.pk, at=clock.now)

    client.force_login(user)
    subscription = shop.subscribe(client, commerce.monthly)
    assert Conversion.objects.filter(kind="paid", subscription=subscription).count() == 1
    assert not conversions.conversion_record("paid", user_id=user.pk, at=clock.now, subscription_id=subscription.pk)
    assert Conversion.objects.filter(kind="paid").count() == 1
    with pytest.raises(ValueError):
        conversions.conversion_record("trial", user_id=user.pk, at=clock.now)


def test_the_day_is_the_conversions_moment_in_the_publications_time_zone(client, clock, articles):
    Publication.objects.filter(pk=current_publication().pk).update(time_zone="Asia/Tokyo")
    forget_site_settings()
    clock.set(dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC))  # December 1st, 01:00 in Tokyo
    sign_up(client, "tokyo@example.com")
    conversion = Conversion.objects.get()
    assert conversion.at == clock.now and conversion.day == dt.date(2026, 12, 1)


def test_reads_of_another_window_or_after_the_conversion_do_not_count(db, clock, articles):
    a, b, c, _ = articles
    user = User.objects.create_user("windows@example.com")
    key = f"u:{user.pk}"
    MeterRead.objects.create(
        reader_key=key, window_key="2026-10", article_id=a.pk, read_at=clock.now - dt.timedelta(days=20)
    )
    MeterRead.objects.create(
        reader_key=key, window_key="2026-11", article_id=b.pk, read_at=clock.now - dt.timedelta(hours=1)
    )
    MeterRead.objects.create(
        reader_key=key, window_key="2026-11", article_id=c.pk, read_at=clock.now + dt.timedelta(hours=1)
    )
    assert conversions.meter_touches([key], clock.now) == conversions.Touches(b.pk, b.pk)


def test_a_deleted_article_is_no_touch(db, clock, articles):
    a, b, _, _ = articles
    user = User.objects.create_user("deleted@example.com")
    for minutes, article in ((2, a), (1, b)):
        MeterRead.objects.create(
            reader_key=f"u:{user.pk}",
            window_key="2026-11",
            article_id=article.pk,
            read_at=clock.now - dt.timedelta(minutes=minutes),
        )
    first_id = a.pk
    a.delete()
    assert conversions.conversion_record("registration", user_id=user.pk, at=clock.now, reader_keys=[f"u:{user.pk}"])
    conversion = Conversion.objects.get()
    assert conversion.first_touch is None and conversion.last_touch == b  # A is gone; B is still the latest read
    assert first_id != b.pk


@pytest.mark.parametrize("store", ["memory", "redis"])
def test_stores_without_an_order_name_a_touch_only_when_one_article_was_read(client, clock, settings, articles, store):
    if store == "redis":
        require_service("Redis", "127.0.0.1", 6379)
        settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.MASTHEAD_METER_STORE = store
    settings.MASTHEAD_CACHE_PREFIX = f"masthead-test:{uuid.uuid4().hex}"  # a store of its own
    a, b, c, _ = articles
    read(client, clock, a)
    sign_up(client, "one@example.com")
    assert touches("registration") == (a.pk, a.pk)  # one article read: it is both

    client.cookies.clear()
    read(client, clock, a)
    read(client, clock, b)
    sign_up(client, "two@example.com")
    second = Conversion.objects.get(user__username="two@example.com")
    assert (second.first_touch, second.last_touch) == (None, None)  # two, in no known order

    client.cookies.clear()
    read(client, clock, b)
    read(client, clock, a)
    sign_up(client, "carried@example.com", next_url=c.get_absolute_url())
    carried = Conversion.objects.get(user__username="carried@example.com")
    assert (carried.first_touch, carried.last_touch) == (None, c)  # the carried article is the last touch still
    assert not MeterRead.objects.exists()  # nothing went to the database's meter


def test_a_failing_listener_never_fails_the_sign_up_or_the_payment(client, clock, commerce, monkeypatch, caplog):
    def broken(*args, **kwargs):
        Conversion.objects.create(kind="registration", at=clock.now, day=clock.now.date())  # rolled back
        raise RuntimeError("insights is broken")

    monkeypatch.setattr(conversions, "conversion_record", broken)
    with caplog.at_level(logging.ERROR):
        user = sign_up(client, "robust@example.com")
        client.force_login(user)
        subscription = shop.subscribe(client, commerce.monthly)
    assert subscription.status == "active" and subscription.payments.count() == 1
    assert "registration listener" in caplog.text and "milestone listener" in caplog.text
    assert not Conversion.objects.exists()


def test_a_stripe_trials_invoice_of_nothing_is_not_a_payment(client, clock, stripe_settings, stripe_checkout, articles):
    """Stripe bills a free trial with an invoice of 0 at its start: the trial is a conversion, that invoice is
    not; the first invoice that charges something is."""
    stripe_checkout.source_article = articles[2]
    stripe_checkout.save(update_fields=["source_article"])
    reference, now = str(stripe_checkout.reference), int(clock.now.timestamp())
    trial_end = now + 14 * 86400
    created = subscription_object(reference, "trialing", period_end=trial_end, trial_end=trial_end)
    assert post(client, event("evt_created", "customer.subscription.created", created, now)).status_code == 200
    assert post(client, invoice("evt_zero", "invoice.paid", "in_0", 0, now, trial_end)).status_code == 200
    subscription = Subscription.objects.get()
    assert subscription.payments.get().amount_minor == 0  # Stripe's invoice of 0 was recorded
    trial = Conversion.objects.get()
    assert (trial.kind, trial.subscription, trial.last_touch, trial.first_touch) == (
        "trial",
        subscription,
        articles[2],
        None,
    )

    paid_at = trial_end + 60
    assert (
        post(client, invoice("evt_paid", "invoice.paid", "in_1", 1200, paid_at, trial_end + 30 * 86400)).status_code
        == 200
    )
    paid = Conversion.objects.get(kind="paid")
    assert (paid.subscription, paid.last_touch, paid.at) == (
        subscription,
        articles[2],
        dt.datetime.fromtimestamp(paid_at, dt.UTC),
    )
    assert Conversion.objects.count() == 2
