"""How the signed-in reader of each request is loaded."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError


class AccountBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions, inactive users refused), whose per-request user load
    is one raw query.

    ``get_user`` is the documented backend method. ``Model.objects.raw`` skips compiling a queryset,
    which costs more than the primary-key lookup itself, and still builds the user as the ORM does.
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is simply no user
            return None
        table, column = model._meta.db_table, model._meta.pk.column
        # Names come from model metadata; the id is a parameter.
        found = list(model._default_manager.raw(f"SELECT * FROM {table} WHERE {column} = %s", [pk]))  # noqa: S608
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None
