"""Services that change the newsroom's content. The admin, the demo loader and tests save through these.

``Model.save()`` only stores a row: what is derived from it (an article's blocks, its version, its status)
is derived here, so every caller gets the same. A bulk write (``QuerySet.update``, ``bulk_create``) skips
this on purpose and must set what it needs itself (``article_blocks`` gives the blocks). Memory that
remembers content (article heads, site settings) is forgotten by the signal handlers in ``signals.py``.
"""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F

from masthead.core import clock

from .body import inline_image_ids, split_blocks
from .models import Article, ArticleStatus, Image
from .roles import can_change_image, can_publish
from .selectors import articles_showing

# Properties an Article caches from its blocks.
_DERIVED_FROM_BLOCKS = ("content_blocks", "paywall_break_index")


def _existing_images(ids: Collection[int]) -> set[int]:
    return set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True))


def article_blocks(body_html: str) -> list[dict]:
    """The stored form of a body: its sanitised top-level blocks, in order.

    A ``<figure data-image="ID">`` of an existing image becomes a reference to it (``body.image_block``);
    one query finds which of the named images exist, and the figures of the others are dropped.
    """
    return split_blocks(body_html, _existing_images)


def article_save(*, article: Article, by: AbstractBaseUser | None = None) -> Article:
    """Store ``article`` with its blocks derived from its body, its version moved on and its status set.

    The version keys the article's cached page shells, so every save makes readers get the new text. A
    released article is scheduled or published by its publish time. The images its body embeds are
    recorded in ``inline_images``, so that ``image_save`` finds it. ``by`` is the staff member saving: a
    new article records them as its creator, and someone who may not publish can only save a draft.
    """
    if by is not None:
        if article.pk is None:
            article.created_by = by
        if not can_publish(by):
            article.status = ArticleStatus.DRAFT
    if article.status != ArticleStatus.DRAFT:
        article.status = ArticleStatus.SCHEDULED if article.publish_at > clock.now() else ArticleStatus.PUBLISHED
    with transaction.atomic():
        article.blocks = article_blocks(article.body_html)
        for derived in _DERIVED_FROM_BLOCKS:
            article.__dict__.pop(derived, None)  # a cached_property is forgotten by removing its value
        article.version = (article.version or 0) + 1
        article.save()
        article.inline_images.set(inline_image_ids(article.blocks))
    return article


def _move_versions_of_articles_showing(image: Image) -> int:
    # Their cached page shells are keyed by version: the next request builds them with the image as it is now.
    return Article.objects.filter(pk__in=articles_showing(image).values("pk")).update(version=F("version") + 1)


def image_save(*, image: Image, by: AbstractBaseUser | None = None) -> Image:
    """Store ``image``; every article that shows it (lead or inline) moves to a new version.

    Articles keep a reference to the image, not its markup, so its new alt text, caption or credit
    reaches them all. ``by`` is the staff member saving: someone who may not publish cannot change
    an image a released article shows (``roles.can_change_image``), and gets PermissionDenied.
    """
    if by is not None and not can_change_image(by, image):
        raise PermissionDenied("Only an editor may change an image that a released article shows.")
    with transaction.atomic():
        if image.pk is not None:
            _move_versions_of_articles_showing(image)
        image.save()
    return image


def image_delete(*, image: Image) -> None:
    """Delete ``image``: the articles that showed it move to a new version and are shown without it.

    An article's lead image is cleared and its inline references are no longer recorded; a reference left
    in its blocks renders as nothing.
    """
    with transaction.atomic():
        _move_versions_of_articles_showing(image)
        image.delete()
