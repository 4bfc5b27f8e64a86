from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReaderProfile(models.Model):
    """What the site knows about a reader beyond their login."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_profile")
    complimentary_access = models.BooleanField(
        _("complimentary full access"),
        default=False,
        help_text=_("Granted by the newsroom (press, partners, staff families): reads everything, never metered."),
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    marketing_opt_out = models.BooleanField(
        _("no marketing emails"),
        default=False,
        help_text=_("The reader unsubscribed from offers by email (win-back). Receipts and notices still go out."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.user)
