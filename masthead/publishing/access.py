"""Access levels an article can have; shared by publishing and the paywall."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccessLevel(models.TextChoices):
    FREE = "free", _("Free for everyone")
    METERED = "metered", _("Metered (counts against free articles)")
    REGISTERED = "registered", _("Registered readers")
    SUBSCRIBERS = "subscribers", _("Subscribers only")
