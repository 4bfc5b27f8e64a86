from __future__ import annotations

from django.contrib.sitemaps import Sitemap

from masthead.publishing.models import Article, Section


class ArticleSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

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
