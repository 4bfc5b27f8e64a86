from django.contrib.sessions.backends import db

from . import WrittenOutRead


class SessionStore(WrittenOutRead, db.SessionStore):
    """Django's database sessions."""
