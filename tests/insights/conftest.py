"""Insights fixtures: a publication in Tokyo, articles of every access level, and readers of every kind."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from masthead.accounts.models import ReaderProfile
from masthead.core import clock as app_clock
from masthead.insights.models import DecisionCount
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
