"""Cache invalidation only: an edited or deleted account is read afresh on its next request."""

from __future__ import annotations

from masthead.core import memo

from .backends import user_row_key


def forget_user_row(sender, instance, **kwargs) -> None:
    memo.forget(user_row_key(instance.pk))
