"""Forget what process memory keeps of content once it changes. Cache invalidation only: no business work.

Connected in ``PublishingConfig.ready()``. Other workers' copies expire on their own within seconds
(``selectors.HEAD_SECONDS``, ``memo.default_seconds()``); these make an edit show at once in the
worker that made it.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

from .models import Article, Image, Publication, Section
from .selectors import articles_showing, forget_article_head, forget_site_settings


def _site_settings_changed(sender, **kwargs) -> None:
    forget_site_settings()


def _article_about_to_change(sender, instance: Article, **kwargs) -> None:
    # Heads are remembered by slug: when the slug changes, the old one's head must go too.
    if instance.pk is not None:
        stored = Article.objects.filter(pk=instance.pk).values_list("slug", flat=True).first()
        if stored and stored != instance.slug:
            forget_article_head(stored)


def _article_changed(sender, instance: Article, **kwargs) -> None:
    forget_article_head(instance.slug)


def _image_changed(sender, instance: Image, created: bool = False, **kwargs) -> None:
    # An article's head holds its version, which services.image_save has moved on; a new image is in no article.
    # On delete this runs before the lead images are cleared and the inline references removed.
    if not created:
        for slug in articles_showing(instance).values_list("slug", flat=True):
            forget_article_head(slug)


def connect() -> None:
    for model in (Publication, Section):
        post_save.connect(_site_settings_changed, sender=model, dispatch_uid=f"publishing-saved-{model.__name__}")
        post_delete.connect(_site_settings_changed, sender=model, dispatch_uid=f"publishing-gone-{model.__name__}")
    pre_save.connect(_article_about_to_change, sender=Article, dispatch_uid="publishing-article-saving")
    post_save.connect(_article_changed, sender=Article, dispatch_uid="publishing-article-saved")
    post_delete.connect(_article_changed, sender=Article, dispatch_uid="publishing-article-gone")
    post_save.connect(_image_changed, sender=Image, dispatch_uid="publishing-image-saved")
    pre_delete.connect(_image_changed, sender=Image, dispatch_uid="publishing-image-going")
