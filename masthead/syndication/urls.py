from django.contrib.sitemaps import views as sitemap_views
from django.urls import path
from django.views.decorators.cache import cache_page

from . import feeds, views
from .sitemaps import SITEMAPS

# Sitemaps list the whole archive: served from the shared cache, so their cost does not follow its size.
SITEMAP_SECONDS = 600

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cache_page(SITEMAP_SECONDS)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(SITEMAP_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("feeds/latest.rss", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/latest.atom", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feeds/<slug:section_slug>.rss", feeds.SectionFeed(), name="feed_section"),
]
