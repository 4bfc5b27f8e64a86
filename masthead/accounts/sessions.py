"""The session engine without Redis: Django's database sessions, whose row is read with one raw query.

``SESSION_ENGINE`` names this module when there is no Redis (with Redis it is Django's own
``cached_db``, which reads the row only on a cache miss). Storage, expiry, ``clearsessions`` and the
async methods are Django's own.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions. ``load()``, the documented method a session engine implements, reads
    a live session's data with one raw query instead of compiling a queryset on every signed-in
    request; a session it does not find is left to Django's own ``load()``, which forgets the key."""

    def load(self):
        model = self.model
        connection = connections[router.db_for_read(model)]
        meta = model._meta
        expires = meta.get_field("expire_date")
        with connection.cursor() as cursor:
            cursor.execute(
                # Names come from model metadata; values are parameters.
                f"SELECT {meta.get_field('session_data').column} FROM {meta.db_table} "  # noqa: S608
                f"WHERE {meta.pk.column} = %s AND {expires.column} > %s",
                [self.session_key, expires.get_db_prep_value(timezone.now(), connection)],
            )
            row = cursor.fetchone()
        return self.decode(row[0]) if row else super().load()
