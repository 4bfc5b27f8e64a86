from django.contrib.sessions.backends import cached_db

from . import WrittenOutRead


class SessionStore(WrittenOutRead, cached_db.SessionStore):
    """Django's cached database sessions (a cache miss reads the row)."""
