"""Reader accounts: sign-up, and the throttles on what an anonymous client can make the site do."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from masthead.core import clock
from masthead.core.throttle import Throttle

from . import hooks
from .models import ReaderProfile

# Accounts created from one client address per hour (issue 10, finding 14: 32 went through from one).
SIGNUP_THROTTLE = Throttle("signup", limit=5, window_seconds=3600)
# Mails of one kind (password reset, "someone tried to sign up with your address", verification) to one
# address per hour, so a stranger cannot fill a reader's inbox through the site.
MAIL_THROTTLE = Throttle("account-mail", limit=3, window_seconds=3600)


def signup_allowed(*, client: str) -> bool:
    """Count a sign-up from ``client`` (an address); False once the hour's allowance is used."""
    return SIGNUP_THROTTLE.hit(client)


def mail_allowed(*, kind: str, address: str) -> bool:
    """Count a mail of ``kind`` to ``address``; False once the hour's allowance is used."""
    return MAIL_THROTTLE.hit(f"{kind}:{address.strip().lower()}")


@transaction.atomic
def reader_create(*, email: str, password: str):
    """A new reader account (the email is the login) with an empty profile."""
    user = get_user_model().objects.create_user(username=email, email=email, password=password)
    ReaderProfile.objects.create(user=user)
    return user


@dataclass(frozen=True, slots=True)
class SignUp:
    user: object  # the new account, or the one the address already had
    created: bool


def reader_sign_up(
    *, email: str, password: str, source_article_id: int | None = None, previous_reader_key: str = ""
) -> SignUp:
    """A new account for ``email``, or the account it already has (also when another sign-up with the
    same address wins a race). The caller answers both the same way, so no one learns which it was.

    A new account is told to the registration listeners (``hooks``), with the article the reader came from
    and the key their browser read under before, when the caller knows them.
    """
    users = get_user_model().objects
    existing = users.filter(username__iexact=email).first()
    if existing is None:
        try:
            user = reader_create(email=email, password=password)
        except IntegrityError:  # a simultaneous sign-up with this address created it first
            existing = users.filter(username__iexact=email).first()
            if existing is None:
                raise
        else:
            hooks.registered(hooks.Registration(user.pk, clock.now(), source_article_id, previous_reader_key))
            return SignUp(user, created=True)
    make_password(password)  # as much work as creating the account: the time taken tells nothing either
    return SignUp(existing, created=False)


def session_backend() -> str:
    """The configured backend that loads a signed-in user, for ``login()`` without ``authenticate()``
    (the password limiter's backend, first in the list, only guards passwords)."""
    for path in settings.AUTHENTICATION_BACKENDS:
        if hasattr(import_string(path), "get_user"):
            return path
    raise LookupError("no backend in AUTHENTICATION_BACKENDS loads users")


def reader_marketing_opt_out(*, user) -> bool:
    """Stop marketing email to ``user`` (a one-click unsubscribe); True when this call opted them out.

    Safe to repeat: a second click (or a mail client's retry) changes nothing and is still a success.
    """
    profile, _created = ReaderProfile.objects.get_or_create(user=user)
    return ReaderProfile.objects.filter(pk=profile.pk, marketing_opt_out=False).update(marketing_opt_out=True) == 1
