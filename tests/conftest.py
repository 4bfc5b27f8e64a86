"""Shared fixtures: a controllable clock, a clean cache, small content factories, staff and Stripe set-ups."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import socket

import pytest
from django.contrib.auth.models import User
from django.core.cache import caches

from masthead.core import clock as app_clock
from masthead.core import memo
from masthead.insights import recording
from masthead.publishing.models import Article, ArticleAuthor, ArticleStatus, Author, Section
from masthead.publishing.services import article_save
from masthead.subscriptions.models import Checkout, Plan
from tests.admin_forms import staff_user
from tests.payments.stripe_signing import SECRET

IN_CI = os.environ.get("CI") == "true"


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip outside CI when a service is missing; in CI a missing service is a failure."""
    if service_reachable(host, port):
        return
    message = f"{name} is not reachable at {host}:{port}"
    if IN_CI:
        pytest.fail(message + " (CI must provide it)")
    pytest.skip(message + "; CI runs this test")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        app_clock.set_now(start)

    def set(self, moment: dt.datetime) -> None:
        self.now = moment
        app_clock.set_now(moment)

    def advance(self, **delta) -> dt.datetime:
        self.set(self.now + dt.timedelta(**delta))
        return self.now


@pytest.fixture
def clock():
    frozen = Clock(dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC))
    yield frozen
    app_clock.set_now(None)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # The hashed-manifest storage needs collectstatic; tests read the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    caches["default"].clear()
    memo.forget_everything()
    # Decision counts: no flushing thread in tests (it would write beside pytest-django's transactions);
    # a test writes them with settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS = 0 or recording.flush().
    recording.recorder.background = False
    recording.recorder.discard()
    yield
    recording.recorder.discard()
    caches["default"].clear()
    memo.forget_everything()
    app_clock.set_now(None)


_counter = itertools.count(1)


@pytest.fixture
def section(db):
    return Section.objects.create(name="Politics", slug="politics")


@pytest.fixture
def make_article(db, section):
    def make(**fields) -> Article:
        n = next(_counter)
        authors = fields.pop("authors", None)
        values = {
            "headline": f"Headline number {n}",
            "slug": f"story-{n}",
            "section": section,
            "status": ArticleStatus.PUBLISHED,
            "publish_at": app_clock.now() - dt.timedelta(hours=1),
            "body_html": "".join(f"<p>Paragraph {i} of story {n}.</p>" for i in range(1, 7)),
        }
        values.update(fields)
        article = article_save(article=Article(**values))
        for position, author in enumerate(authors or []):
            ArticleAuthor.objects.create(article=article, author=author, position=position)
        return article

    return make


@pytest.fixture
def author(db):
    return Author.objects.create(name="Hana Mori", slug="hana-mori")


@pytest.fixture
def staff(db):
    """Makes staff users: ``staff("desk", EDITORS)`` is a staff user in the editors' group."""
    return staff_user


@pytest.fixture
def stripe_settings(settings):
    """The site configured for Stripe, with the webhook secret the tests sign with (``stripe_signing.SECRET``)."""
    settings.MASTHEAD_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = "sk_test_masthead"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    return settings


@pytest.fixture
def stripe_checkout(db, clock):
    """A Stripe checkout of the monthly plan (12.00), started now by paying@example.com."""
    user = User.objects.create_user("paying@example.com", email="paying@example.com")
    plan = Plan.objects.create(name="Monthly", slug="monthly", amount_minor=1200, provider_plan_id="plan_monthly")
    return Checkout.objects.create(user=user, plan=plan, provider="stripe", created_at=clock.now)
