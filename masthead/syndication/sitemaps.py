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

MONTH_KEY = re.compile(r"^articles-(\d{4})-(\d{2})$")


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
        return _OneFile(self._items(), self.limit)


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.all()


def month_keys(now: dt.datetime) -> list[str]:
    """``articles-YYYY-MM`` for every month from the first visible story's to ``now``'s, newest first."""
    first = Article.objects.visible(now).order_by("publish_at").values_list("publish_at", flat=True).first()
    if first is None:
        return []
    first, now = first.astimezone(dt.UTC), now.astimezone(dt.UTC)
    keys, year, month = [], now.year, now.month
    while (year, month) >= (first.year, first.month):
        keys.append(f"articles-{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return keys


def month_sitemap(key: str) -> MonthOfArticlesSitemap | None:
    """The sitemap a key names, if it names a month."""
    match = MONTH_KEY.match(key)
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (1 <= month <= 12 and 1970 <= year <= 9998):
        return None
    return MonthOfArticlesSitemap(year, month)


def index_sitemaps() -> dict[str, object]:
    """What the index lists: the sections, then every month of articles, newest first."""
    return {
        "sections": SectionSitemap,
        **{key: month_sitemap(key) for key in month_keys(clock.now())},
    }


def sitemap_for(section: str) -> dict[str, object]:
    """The one sitemap a section name asks for (empty when it names none: Django answers 404)."""
    if section == "sections":
        return {"sections": SectionSitemap}
    sitemap = month_sitemap(section)
    return {section: sitemap} if sitemap else {}
