"""RSS and Atom feeds. They carry the headline and dek only, never the body."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed

from masthead.publishing.models import Article, Section
from masthead.publishing.selectors import current_publication, published_articles

FEED_SIZE = 30


class LatestArticlesFeed(Feed):
    def title(self) -> str:
        return current_publication().name

    def link(self) -> str:
        return "/"

    def description(self) -> str:
        return current_publication().tagline

    def items(self):
        return published_articles()[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.headline

    def item_description(self, item: Article) -> str:
        return item.dek

    def item_pubdate(self, item: Article):
        return item.publish_at

    def item_updateddate(self, item: Article):
        return item.updated_at

    def item_author_name(self, item: Article) -> str:
        return ", ".join(entry.author.name for entry in item.byline)

    def item_categories(self, item: Article) -> list[str]:
        return [item.section.name]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class SectionFeed(LatestArticlesFeed):
    def get_object(self, request, section_slug: str) -> Section:
        return get_object_or_404(Section, slug=section_slug)

    def title(self, obj: Section) -> str:
        return f"{current_publication().name} — {obj.name}"

    def link(self, obj: Section) -> str:
        return obj.get_absolute_url()

    def description(self, obj: Section) -> str:
        return obj.description or current_publication().tagline

    def items(self, obj: Section):
        return published_articles().filter(section=obj)[:FEED_SIZE]
