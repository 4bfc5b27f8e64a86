"""Who sees which tables of the dashboard: the audiences a signed-in user belongs to.

Publishers (``insights.view_business``) and superusers see every table; editors
(``insights.view_funnel``) see the article and section tables. Both are staff permissions, granted to
the role groups in ``publishing.roles``.
"""

from __future__ import annotations

from .selectors import EDITOR, PUBLISHER


def audiences(user) -> frozenset[str]:
    """The audiences of the tables ``user`` may see; empty for anyone who is not active staff with a permission."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return frozenset()
    if user.has_perm("insights.view_business"):  # true for every active superuser
        return frozenset({EDITOR, PUBLISHER})
    if user.has_perm("insights.view_funnel"):
        return frozenset({EDITOR})
    return frozenset()
