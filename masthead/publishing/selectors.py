"""Reads of published content. Nothing here writes."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet

from .models import Article, ArticleAuthor, Author, Publication, Section

PUBLICATION_CACHE_KEY = "publishing:publication:v1"
SECTIONS_CACHE_KEY = "publishing:sections:v1"
SETTINGS_TTL = 300


def current_publication() -> Publication:
    """The publication row (created with defaults on first use), cached across requests."""
    publication = cache.get(PUBLICATION_CACHE_KEY)
    if publication is None:
        publication = Publication.objects.order_by("pk").first() or Publication.objects.create()
        cache.set(PUBLICATION_CACHE_KEY, publication, SETTINGS_TTL)
    return publication


def navigation_sections() -> list[Section]:
    sections = cache.get(SECTIONS_CACHE_KEY)
    if sections is None:
        sections = list(Section.objects.all())
        cache.set(SECTIONS_CACHE_KEY, sections, SETTINGS_TTL)
    return sections


def forget_site_settings() -> None:
    """Drop the cached publication and sections after an edit."""
    cache.delete_many([PUBLICATION_CACHE_KEY, SECTIONS_CACHE_KEY])


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


def article_for_reader(*, section_slug: str, slug: str) -> Article | None:
    """The visible article with this slug (the section is checked by the caller for the canonical URL)."""
    return published_articles().filter(slug=slug).first()


def article_for_preview(pk: int) -> Article | None:
    return _with_byline(Article.objects.all()).filter(pk=pk).first()


def related_articles(article: Article, limit: int = 4) -> list[Article]:
    return list(published_articles().filter(section_id=article.section_id).exclude(pk=article.pk)[:limit])
