"""Reads of published content. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from masthead.core import memo
from masthead.core.parse import positive_int

from .models import Article, ArticleAuthor, ArticleStatus, Author, Image, Publication, Section

PUBLICATION_CACHE_KEY = "publishing:publication:v1"
SECTIONS_CACHE_KEY = "publishing:sections:v1"
LARGEST_PAGE = 10_000  # deeper pages of a listing are the first page: no query walks past this


def current_publication() -> Publication:
    """The publication row (created with defaults on first use), kept in process memory for a few seconds."""
    return memo.remembered(
        PUBLICATION_CACHE_KEY, lambda: Publication.objects.order_by("pk").first() or Publication.objects.create()
    )


def navigation_sections() -> list[Section]:
    return memo.remembered(SECTIONS_CACHE_KEY, lambda: list(Section.objects.all()))


def forget_site_settings() -> None:
    """Drop this process's copy of the publication and sections after an edit (others follow within seconds)."""
    memo.forget(PUBLICATION_CACHE_KEY, SECTIONS_CACHE_KEY)


def _with_byline(queryset: QuerySet[Article]) -> QuerySet[Article]:
    return queryset.select_related("section", "lead_image").prefetch_related(
        Prefetch("articleauthor_set", queryset=ArticleAuthor.objects.select_related("author"), to_attr="byline")
    )


def published_articles() -> QuerySet[Article]:
    return _with_byline(Article.objects.visible())


def front_page() -> dict:
    """The lead story and the latest few stories of each section."""
    latest = list(published_articles()[:7])
    lead = latest[0] if latest else None
    shown = {article.pk for article in latest}
    by_section = []
    for section in navigation_sections():
        stories = [a for a in published_articles().filter(section=section)[:4] if a.pk not in shown][:3]
        if stories:
            by_section.append((section, stories))
    return {"lead": lead, "top_stories": latest[1:], "by_section": by_section}


def section_articles(section: Section) -> QuerySet[Article]:
    return published_articles().filter(section=section)


def author_articles(author: Author) -> QuerySet[Article]:
    return published_articles().filter(articleauthor__author=author)


@dataclass(frozen=True, slots=True)
class ArticleHead:
    """The few facts a request needs before it can use a cached page: which version, where, and whether visible."""

    pk: int
    version: int
    section_slug: str
    slug: str
    status: str
    publish_at: dt.datetime

    def is_visible(self, now: dt.datetime) -> bool:
        return self.status != ArticleStatus.DRAFT and self.publish_at <= now


HEAD_SECONDS = 5


def article_head(slug: str) -> ArticleHead | None:
    """The article's id, version, section and publication state: one small query, remembered a few seconds.

    An edit in this process is seen at once (the save forgets it); other workers see it within HEAD_SECONDS.
    """
    return memo.remembered(f"head:{slug}", lambda: _head(slug=slug), seconds=HEAD_SECONDS)


def article_head_by_pk(pk: int) -> ArticleHead | None:
    """The head of any article, whatever its state (for the newsroom's preview); never remembered."""
    return _head(pk=pk)


def _head(**lookup) -> ArticleHead | None:
    row = (
        Article.objects.filter(**lookup)
        .values_list("pk", "version", "section__slug", "slug", "status", "publish_at")
        .first()
    )
    return ArticleHead(*row) if row else None


def forget_article_head(slug: str) -> None:
    memo.forget(f"head:{slug}")


def article_by_pk(pk: int) -> Article | None:
    return _with_byline(Article.objects.all()).filter(pk=pk).first()


def visible_article(pk: int | None) -> Article | None:
    """The article with this id if readers may see it now, else None."""
    return Article.objects.visible().select_related("section").filter(pk=pk).first() if pk else None


def images_by_id(ids: Iterable[int]) -> dict[int, Image]:
    """The library's images with these ids, by id, in one query (none for no ids); a missing id is absent."""
    wanted = set(ids)
    return {image.pk: image for image in Image.objects.filter(pk__in=wanted)} if wanted else {}


def articles_showing(image: Image) -> QuerySet[Article]:
    """Every article whose page shows ``image``, as its lead image or in its body, whatever its state."""
    return Article.objects.filter(Q(lead_image=image) | Q(inline_images=image)).distinct()


def image_released(image: Image) -> bool:
    """Whether an article an editor has released (published, or scheduled to be) shows ``image``."""
    return articles_showing(image).exclude(status=ArticleStatus.DRAFT).exists()


def related_articles(article: Article, limit: int = 4) -> list[Article]:
    return list(published_articles().filter(section_id=article.section_id).exclude(pk=article.pk)[:limit])


@dataclass(frozen=True)
class ListPage:
    """One page of a listing, found without counting the whole archive."""

    items: list[Article]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.items)


def page_number(raw: str | None) -> int:
    """A page number from a query string; anything odd means the first page."""
    return positive_int(raw, maximum=LARGEST_PAGE) or 1


def list_page(queryset: QuerySet[Article], number: int, size: int) -> ListPage:
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    return ListPage(rows[:size], number, len(rows) > size)


def section_by_slug(slug: str) -> Section | None:
    return next((section for section in navigation_sections() if section.slug == slug), None)
