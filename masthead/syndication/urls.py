from django.urls import path
from django.views.decorators.cache import cache_page

from . import feeds, views

# Sitemaps are kept a while in the shared cache: crawlers ask for them far more often than they change.
SITEMAP_SECONDS = 600

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", cache_page(SITEMAP_SECONDS)(views.sitemap_index), name="sitemap"),
    path("sitemap-<section>.xml", cache_page(SITEMAP_SECONDS)(views.sitemap_section), name="sitemap_section"),
    path("feeds/latest.rss", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/latest.atom", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feeds/<slug:section_slug>.rss", feeds.SectionFeed(), name="feed_section"),
]
