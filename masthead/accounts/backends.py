"""How the signed-in reader of each request is loaded."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from masthead.core.rows import fetch_by_pk


class AccountBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions, inactive users refused), whose per-request
    user load is one written-out query."""

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is simply no user
            return None
        user = fetch_by_pk(model, pk)
        return user if user is not None and self.user_can_authenticate(user) else None
