"""Reader accounts: sign-up and the sign-in rate limit."""

from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

from .models import ReaderProfile

SIGNIN_ATTEMPTS = 5
SIGNIN_WINDOW_SECONDS = 15 * 60


@transaction.atomic
def reader_create(*, email: str, password: str):
    """A new reader account (the email is the login) with an empty profile."""
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    ReaderProfile.objects.create(user=user)
    return user


def _attempts_key(ip: str, login: str) -> str:
    digest = hashlib.sha256(f"{ip}|{login.strip().lower()}".encode()).hexdigest()[:32]
    return f"accounts:signin-failures:{digest}"


def signin_blocked(*, ip: str, login: str) -> bool:
    return (cache.get(_attempts_key(ip, login)) or 0) >= SIGNIN_ATTEMPTS


def signin_failed(*, ip: str, login: str) -> None:
    key = _attempts_key(ip, login)
    if cache.add(key, 1, SIGNIN_WINDOW_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, SIGNIN_WINDOW_SECONDS)


def signin_succeeded(*, ip: str, login: str) -> None:
    cache.delete(_attempts_key(ip, login))
