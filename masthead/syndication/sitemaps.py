"""Sitemaps: one file of articles per calendar month (UTC), and one of sections.

A month's file lists only that month's stories and the index only names the months, from the first
story's to the current one, so neither grows with the size of the archive: only the index gains a
line a month.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property

from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator

from masthead.core import clock
from masthead.publishing.models import Article, Section

MONTH_KEY = re.compile(r"articles-([0-9]{4})-([0-9]{2})")  # ASCII digits: one spelling per month


class _OneFile(Paginator):
    """A month is one file: the index names it without counting its stories."""

    @cached_property
    def num_pages(self) -> int:
        return 1


class MonthOfArticlesSitemap(Sitemap):
    changefreq = "daily"
    # The protocol's most URLs in one file; a month of news is far below it.
    limit = 50_000

    def __init__(self, year: int, month: int) -> None:
        self.start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
        self.end = (self.start + dt.timedelta(days=32)).replace(day=1)

    def _month(self):
        return Article.objects.visible().filter(publish_at__gte=self.start, publish_at__lt=self.end)

    def items(self):
        return self._month().select_related("section").only("slug", "section__slug", "updated_at")

    def lastmod(self, article: Article):
        return article.updated_at

    def get_latest_lastmod(self):
        # Only the index asks this, and a date for every month would read the whole archive: months are
        # listed undated there, while each month's own file dates every story in it.
        return None

    @property
    def paginator(self) -> Paginator:
        return _OneFile(self.items(), self.limit)  # no i18n: the items are the entries


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.all()


def month_key(moment: dt.datetime) -> str:
    """The sitemap name of the month ``moment`` falls in (UTC): ``articles-2026-11``."""
    utc = moment.astimezone(dt.UTC)
    return f"articles-{utc.year:04d}-{utc.month:02d}"


def _months(now: dt.datetime) -> list[MonthOfArticlesSitemap]:
    """A sitemap for every month from the first visible story's to ``now``'s, newest first."""
    first = Article.objects.visible(now).order_by("publish_at").values_list("publish_at", flat=True).first()
    if first is None:
        return []
    first, now = first.astimezone(dt.UTC), now.astimezone(dt.UTC)
    months, year, month = [], now.year, now.month
    while (year, month) >= (first.year, first.month):
        months.append(MonthOfArticlesSitemap(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def _month_named(name: str, now: dt.datetime) -> MonthOfArticlesSitemap | None:
    """The month a name asks for, from 1970 to ``now``'s (UTC): a later month can hold no visible story."""
    match = MONTH_KEY.fullmatch(name)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    current = now.astimezone(dt.UTC)
    if not (1 <= month <= 12 and (1970, 1) <= (year, month) <= (current.year, current.month)):
        return None
    return MonthOfArticlesSitemap(year, month)


def index_sitemaps() -> dict[str, Sitemap | type[Sitemap]]:
    """What the index lists: the sections, then every month of articles, newest first."""
    return {"sections": SectionSitemap, **{month_key(sitemap.start): sitemap for sitemap in _months(clock.now())}}


def sitemap_for(name: str) -> dict[str, Sitemap | type[Sitemap]]:
    """The one sitemap a name asks for (empty when it names none: Django answers 404)."""
    if name == "sections":
        return {"sections": SectionSitemap}
    sitemap = _month_named(name, clock.now())
    return {name: sitemap} if sitemap else {}
