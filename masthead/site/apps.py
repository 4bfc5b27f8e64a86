from django.apps import AppConfig


class SiteConfig(AppConfig):
    """What readers see: pages composed from the layers below (views, page cache, middleware, templates)."""

    name = "masthead.site"
    label = "site"
    verbose_name = "Reader site"
