"""The operator's Prometheus scrape, at the site's root (included from masthead/site/urls.py)."""

from django.urls import path

from . import metrics_views

urlpatterns = [
    path("metrics", metrics_views.metrics, name="metrics"),
]
