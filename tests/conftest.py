"""Shared fixtures: a controllable clock, a clean cache, and small content factories."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import socket

import pytest
from django.core.cache import caches

from masthead.core import clock as app_clock
from masthead.core import memo
from masthead.publishing.models import Article, ArticleAuthor, ArticleStatus, Author, Section
from masthead.publishing.services import article_save

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
    yield
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
