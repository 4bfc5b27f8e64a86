"""Email verification links: signed, time-limited, no table needed."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ReaderProfile

SALT = "masthead.accounts.verify-email"
MAX_AGE = 3 * 24 * 3600


def verification_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT)


def verification_link(user, *, base_url: str, next_url: str = "") -> str:
    """The link to confirm ``user``'s address, on the site's public address ``base_url``."""
    link = base_url.rstrip("/") + reverse("accounts:verify_email", args=[verification_token(user)])
    return f"{link}?{urlencode({'next': next_url})}" if next_url and next_url != "/" else link


def send_verification(user, *, base_url: str, next_url: str = "") -> None:
    send_mail(
        _("Confirm your email address"),
        _("Please confirm your email address by opening this link:\n\n%(link)s\n\nIt works for three days.")
        % {"link": verification_link(user, base_url=base_url, next_url=next_url)},
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@dataclass(frozen=True, slots=True)
class Verified:
    user: object
    first_time: bool  # this link confirmed the address; False: it was already confirmed


def verify(token: str) -> Verified | None:
    """Mark the address the token names as confirmed; None for a bad or old token."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), email=data.get("email"), is_active=True).first()
    if user is None:
        return None
    ReaderProfile.objects.get_or_create(user=user)
    # One conditional update: of two simultaneous openings of the link, one confirms the address.
    confirmed = ReaderProfile.objects.filter(user=user, email_verified_at__isnull=True).update(
        email_verified_at=timezone.now()
    )
    return Verified(user, first_time=bool(confirmed))
