"""Services that change the newsroom's content. The admin, the demo loader and tests save through these.

``Model.save()`` only stores a row: what is derived from it (an article's blocks, its version, its status)
is derived here, so every caller gets the same. A bulk write (``QuerySet.update``, ``bulk_create``) skips
this on purpose and must set what it needs itself (``article_blocks`` gives the blocks). Memory that
remembers content (article heads, site settings) is forgotten by the signal handlers in ``signals.py``.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from masthead.core import clock

from .body import split_blocks
from .images import inline_image_html
from .models import Article, ArticleStatus
from .roles import can_publish

# Properties an Article caches from its blocks.
_DERIVED_FROM_BLOCKS = ("content_blocks", "paywall_break_index")


def article_blocks(body_html: str) -> list[dict]:
    """The stored form of a body: its sanitised top-level blocks, in order."""
    return split_blocks(body_html, inline_image_html)


def article_save(*, article: Article, by: AbstractBaseUser | None = None) -> Article:
    """Store ``article`` with its blocks derived from its body, its version moved on and its status set.

    The version keys the article's cached page shells, so every save makes readers get the new text. A
    released article is scheduled or published by its publish time. ``by`` is the staff member saving: a
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
    return article
