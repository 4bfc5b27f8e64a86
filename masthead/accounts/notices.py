"""The mail an account's owner gets when someone tries to sign up with their address (issue 10, finding 17).

The sign-up page answers the same whether or not the address has an account; the owner learns of the
attempt here instead, with the ways back in.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _


def send_signup_notice(user, *, base_url: str, publication_name: str, next_url: str = "") -> None:
    """``next_url`` (a path on this site, checked by the caller) is where signing in from the mail leads."""
    base = base_url.rstrip("/")
    signin = base + reverse("accounts:signin")
    if next_url and next_url != "/":
        signin += "?" + urlencode({"next": next_url})
    send_mail(
        _("Someone tried to create an account with your address"),
        _(
            "Someone, perhaps you, tried to create an account on %(name)s with this email address. "
            "You already have one.\n\n"
            "To sign in: %(signin)s\n"
            "Forgot your password? Choose a new one: %(reset)s\n\n"
            "If it was not you, ignore this message: nothing has changed in your account."
        )
        % {
            "name": publication_name,
            "signin": signin,
            "reset": base + reverse("accounts:password_reset"),
        },
        settings.DEFAULT_FROM_EMAIL,
        [user.email or user.get_username()],
    )
