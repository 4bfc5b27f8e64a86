"""How the signed-in reader of each request is loaded."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS

from masthead.core import memo

# A signed-in reader's row is read once every few seconds per worker, not on every request. An edit
# (a password change, a deactivation) is seen at once in the worker that saved it (accounts.signals
# forgets the row) and within this many seconds in every other worker.
USER_ROW_SECONDS = 5


def user_row_key(pk) -> tuple:
    return ("accounts:user-row", pk)


class AccountBackend(ModelBackend):
    """Django's ModelBackend (passwords, permissions, inactive users refused), whose per-request user load
    comes from the row kept a few seconds in the worker's memory.

    ``get_user`` is the documented backend method. What is kept is the row's values, never an instance:
    each request gets its own user, built with the documented ``Model.from_db``, so nothing one request
    caches on its user reaches another.
    """

    def get_user(self, user_id):
        model = get_user_model()
        try:
            pk = model._meta.pk.to_python(user_id)
        except ValidationError:  # a malformed id in a session is simply no user
            return None
        fields = tuple(field.attname for field in model._meta.concrete_fields)
        row = memo.remembered(
            user_row_key(pk),
            lambda: model._default_manager.filter(pk=pk).values_list(*fields).first(),
            seconds=USER_ROW_SECONDS,
        )
        if row is None:
            return None
        user = model.from_db(DEFAULT_DB_ALIAS, fields, row)
        return user if self.user_can_authenticate(user) else None
