"""Session engines: Django's database and cached-database sessions, read with one written-out query.

``SESSION_ENGINE`` names ``masthead.accounts.sessions.db`` (the embedded default) or
``masthead.accounts.sessions.cached_db`` (with Redis). Storage, expiry and ``clearsessions`` are
Django's own; only the read of a session row on each signed-in request is ours.
"""

from __future__ import annotations

from django.utils import timezone

from masthead.core.rows import database_datetime, fetch_one


class WrittenOutRead:
    """Load the session row without compiling a query on every request."""

    def _get_session_from_db(self):
        model = self.model
        session = fetch_one(
            model,
            "session_key = %s AND expire_date > %s",
            [self.session_key, database_datetime(model, timezone.now())],
        )
        if session is None:
            self._session_key = None
        return session
