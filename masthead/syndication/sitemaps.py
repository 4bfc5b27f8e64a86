from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.db.models import Max

from masthead.publishing.models import Article, Section


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 2000

    def get_latest_lastmod(self):
        # Django's default would call lastmod() on every article in the archive.
        return Article.objects.visible().aggregate(latest=Max("updated_at"))["latest"]

    def items(self):
        return (
            Article.objects.visible()
            .select_related("section")
            .only("slug", "section__slug", "updated_at")
            .order_by("-publish_at", "-id")
        )

    def lastmod(self, article: Article):
        return article.updated_at


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.all()


SITEMAPS = {"articles": ArticleSitemap, "sections": SectionSitemap}
