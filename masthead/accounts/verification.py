"""Email verification links: signed, time-limited, no table needed."""

from __future__ import annotations

from django.conf import settings
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


def send_verification(user, *, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("accounts:verify_email", args=[verification_token(user)])
    send_mail(
        _("Confirm your email address"),
        _("Please confirm your email address by opening this link:\n\n%(link)s\n\nIt works for three days.")
        % {"link": link},
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


def verify(token: str):
    """The user whose email the token confirms (and marks verified), or None for a bad or old token."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        return None
    profile, _created = ReaderProfile.objects.get_or_create(user=user)
    if profile.email_verified_at is None:
        profile.email_verified_at = timezone.now()
        profile.save(update_fields=["email_verified_at"])
    return user
