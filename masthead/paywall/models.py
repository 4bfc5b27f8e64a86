"""The publisher's meter rules and the database meter store's rows."""

from __future__ import annotations

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .types import Window


class MeterSettings(models.Model):
    """The publisher's paywall rules; one row, edited in the admin."""

    anonymous_limit = models.PositiveSmallIntegerField(
        _("free articles for anonymous readers"), default=3, validators=[MaxValueValidator(1000)]
    )
    registered_limit = models.PositiveSmallIntegerField(
        _("free articles for registered readers"), default=10, validators=[MaxValueValidator(1000)]
    )
    window = models.CharField(
        max_length=20,
        choices=[
            (Window.CALENDAR_MONTH.value, _("Calendar month (publication's time zone)")),
            (Window.ROLLING_30_DAYS.value, _("Rolling 30 days")),
        ],
        default=Window.CALENDAR_MONTH.value,
    )
    teaser_blocks = models.PositiveSmallIntegerField(
        _("teaser length in blocks"),
        default=2,
        validators=[MaxValueValidator(50)],
        help_text=escape(_('Used when an article has no paywall marker (<hr class="paywall">) in its body.')),
    )

    class Meta:
        verbose_name = _("meter rules")
        verbose_name_plural = _("meter rules")

    def __str__(self) -> str:
        return str(_("Meter rules"))

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        from .settings import forget_meter_rules

        forget_meter_rules()


class MeterWindow(models.Model):
    """One reader's window; its row is locked while a read is counted, so counting is atomic."""

    reader_key = models.CharField(max_length=64)
    window_key = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["reader_key", "window_key"], name="unique_meter_window")]

    def __str__(self) -> str:
        return f"{self.reader_key} {self.window_key}"


class MeterRead(models.Model):
    """A metered article counted for a reader in a window."""

    reader_key = models.CharField(max_length=64)
    window_key = models.CharField(max_length=16)
    article_id = models.BigIntegerField()
    read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reader_key", "window_key", "article_id"], name="unique_meter_read")
        ]
        indexes = [models.Index(fields=["reader_key", "window_key", "read_at"])]

    def __str__(self) -> str:
        return f"{self.reader_key} read {self.article_id}"
