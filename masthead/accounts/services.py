"""Reader accounts: sign-up."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.module_loading import import_string

from .models import ReaderProfile


@transaction.atomic
def reader_create(*, email: str, password: str):
    """A new reader account (the email is the login) with an empty profile."""
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    ReaderProfile.objects.create(user=user)
    return user


def session_backend() -> str:
    """The configured backend that loads a signed-in user, for ``login()`` without ``authenticate()``
    (the password limiter's backend, first in the list, only guards passwords)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(import_string(path), "get_user"):
            return path
    raise LookupError("no backend in AUTHENTICATION_BACKENDS loads users")
