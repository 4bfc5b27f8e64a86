"""Insights fixtures: a publication in Tokyo, articles of every access level, readers of every kind,
and a small funnel worked out by hand for the dashboard's tests.

The clock stands at 2026-11-15 12:00 UTC (the publication's time zone is UTC), so the dashboard's
default range is 2026-10-17 to 2026-11-15. Rows on 2026-10-16 and 2026-11-16 are just outside it.

Per article in the default range (views leave crawlers out; walls = meter + registration + subscription):

    article            section    views  grants  walls  registrations  subscriptions  rate
    Budget talks stall Politics      26      10      9              2              3  33.33
    Election night     Politics      11       1      0              1              0  (none)
    Markets rally      Business       6       0      5              0              1  20.0
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from masthead.accounts.models import ReaderProfile
from masthead.core import clock as app_clock
from masthead.insights.models import Conversion, DecisionCount, Outcome
from masthead.publishing.models import Article, Section
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import Plan, Subscription

# 20:00 on 15 November in UTC is 05:00 on 16 November in Tokyo: the day counted is the publication's.
EVENING_UTC = dt.datetime(2026, 11, 15, 20, 0, tzinfo=dt.UTC)
TOKYO_DAY = dt.date(2026, 11, 16)


def paragraphs(tag: str) -> str:
    return "".join(f"<p>{tag} paragraph {i}.</p>" for i in range(1, 7))


@pytest.fixture
def tokyo(db, clock):
    publication = current_publication()
    publication.time_zone = "Asia/Tokyo"
    publication.save()
    clock.set(EVENING_UTC)
    return publication


@pytest.fixture
def flush_at_once(settings):
    """Decision counts written within each request (MASTHEAD_INSIGHTS_FLUSH_SECONDS=0)."""
    settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS = 0
    return settings


@pytest.fixture
def library(make_article, tokyo):
    """Five metered articles and one free, one registration-walled and one subscribers-only article."""
    publish_at = app_clock.now() - dt.timedelta(days=1)
    metered = [make_article(body_html=paragraphs(f"M{n}"), publish_at=publish_at) for n in range(5)]
    return {
        "metered": metered,
        "free": make_article(access="free", body_html=paragraphs("Free"), publish_at=publish_at),
        "registered": make_article(access="registered", body_html=paragraphs("Members"), publish_at=publish_at),
        "subscribers": make_article(access="subscribers", body_html=paragraphs("Paid"), publish_at=publish_at),
    }


@pytest.fixture
def registered_reader(db):
    user = User.objects.create_user("reader@example.com", "reader@example.com", "a sturdy passphrase 42")
    ReaderProfile.objects.create(user=user, email_verified_at=timezone.now())
    return user


@pytest.fixture
def subscriber(db):
    user = User.objects.create_user("subscriber@example.com", "subscriber@example.com", "a sturdy passphrase 42")
    now = app_clock.now()
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200)
    Subscription.objects.create(
        user=user,
        plan=plan,
        status="active",
        provider="local",
        ever_paid=True,
        current_period_end=now + dt.timedelta(days=20),
        created_at=now,
    )
    return user


def rows() -> set[tuple[dt.date, int, str, int, int]]:
    """Every DecisionCount row as (day, article id, outcome, position, count)."""
    return set(DecisionCount.objects.values_list("day", "article_id", "outcome", "position", "count"))


DAY = dt.date.fromisoformat


def decide(day: str, article: Article, outcome: Outcome, count: int, position: int = 0) -> DecisionCount:
    return DecisionCount.objects.create(day=DAY(day), article=article, outcome=outcome, position=position, count=count)


def convert(kind: str, day: str, last_touch: Article | None) -> Conversion:
    at = dt.datetime.combine(DAY(day), dt.time(9), tzinfo=dt.UTC)
    return Conversion.objects.create(kind=kind, at=at, day=DAY(day), last_touch=last_touch, first_touch=last_touch)


@dataclass
class Funnel:
    politics: Section
    business: Section
    budget: Article
    election: Article
    markets: Article


@pytest.fixture
def funnel(clock, section, make_article) -> Funnel:
    business = Section.objects.create(name="Business", slug="business", position=1)
    budget = make_article(headline="Budget talks stall")
    election = make_article(headline="Election night")
    markets = make_article(headline="Markets rally", section=business)

    decide("2026-11-14", budget, Outcome.METER_GRANT, 5, position=1)
    decide("2026-11-14", budget, Outcome.METER_GRANT, 3, position=2)
    decide("2026-11-14", budget, Outcome.METER_WALL, 4)
    decide("2026-11-14", budget, Outcome.REGISTRATION_WALL, 2)
    decide("2026-11-14", budget, Outcome.SUBSCRIBER, 6)
    decide("2026-11-14", budget, Outcome.CRAWLER, 7)
    decide("2026-11-14", budget, Outcome.REREAD, 1)
    decide("2026-11-15", budget, Outcome.METER_GRANT, 2, position=1)
    decide("2026-11-15", budget, Outcome.SUBSCRIPTION_WALL, 3)
    decide("2026-11-15", election, Outcome.FREE, 10)
    decide("2026-11-15", election, Outcome.METER_GRANT, 1, position=1)
    decide("2026-11-14", markets, Outcome.METER_WALL, 5)
    decide("2026-11-14", markets, Outcome.METER_UNAVAILABLE, 1)
    # Just outside the default range, on either side.
    decide("2026-10-16", budget, Outcome.METER_GRANT, 100, position=1)
    decide("2026-10-16", budget, Outcome.METER_WALL, 100)
    decide("2026-11-16", markets, Outcome.METER_WALL, 50)

    convert(Conversion.Kind.REGISTRATION, "2026-11-14", budget)
    convert(Conversion.Kind.REGISTRATION, "2026-11-15", budget)
    convert(Conversion.Kind.TRIAL, "2026-11-15", budget)
    convert(Conversion.Kind.PAID, "2026-11-15", budget)
    convert(Conversion.Kind.PAID, "2026-11-01", budget)
    convert(Conversion.Kind.PAID, "2026-11-14", markets)
    convert(Conversion.Kind.REGISTRATION, "2026-11-10", election)
    convert(Conversion.Kind.PAID, "2026-10-16", budget)  # before the range
    convert(Conversion.Kind.PAID, "2026-11-15", None)  # no wall seen: no article to credit
    return Funnel(section, business, budget, election, markets)


@pytest.fixture
def publisher(staff):
    from masthead.publishing.roles import PUBLISHERS

    return staff("publisher", PUBLISHERS)


@pytest.fixture
def editor(staff):
    from masthead.publishing.roles import EDITORS

    return staff("desk", EDITORS)
