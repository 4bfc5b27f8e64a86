from django.urls import path

from . import feeds, views

urlpatterns = [
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
    path("feeds/latest.rss", feeds.LatestArticlesFeed(), name="feed_rss"),
    path("feeds/latest.atom", feeds.LatestArticlesAtomFeed(), name="feed_atom"),
    path("feeds/<slug:section_slug>.rss", feeds.SectionFeed(), name="feed_section"),
]
