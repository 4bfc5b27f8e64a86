"""What insights keeps: decision counts per day, conversions and their sources, and leak-monitor runs.

No row names a reader or holds an address. Decisions are counts per (day, article, outcome, meter
position); unique readers are counted in Redis (HyperLogLog) or, on the database, from the keys the
meter already holds.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class Outcome(models.TextChoices):
    """What a counted page read came to, in the publisher's words."""

    FREE = "free", _("Free read")
    METER_GRANT = "meter_grant", _("Meter grant")
    REREAD = "reread", _("Re-read")
    METER_WALL = "meter_wall", _("Wall shown (meter spent)")
    REGISTRATION_WALL = "registration_wall", _("Registration wall")
    SUBSCRIPTION_WALL = "subscription_wall", _("Subscription wall")
    SUBSCRIBER = "subscriber", _("Subscriber read")
    CRAWLER = "crawler", _("Verified crawler")
    METER_UNAVAILABLE = "meter_unavailable", _("Meter unavailable")


class DecisionCount(models.Model):
    """How many times, on one day in the publication's time zone, one article's reads came to one outcome."""

    day = models.DateField()
    article = models.ForeignKey("publishing.Article", on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    # For meter grants, the reader's position on the meter: 1 for the first free article, and so on.
    position = models.PositiveSmallIntegerField(default=0)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "article", "outcome", "position"], name="unique_decision_count")
        ]
        # Covers the dashboard's sums (by day and outcome, by article): read from the index alone.
        indexes = [models.Index(fields=["day", "outcome", "article", "count"], name="decision_day_outcome_sums")]

    def __str__(self) -> str:
        return f"{self.day} {self.article_id} {self.outcome} {self.position}: {self.count}"


class Conversion(models.Model):
    """One registration, trial start or first payment, with the articles it is attributed to."""

    class Kind(models.TextChoices):
        REGISTRATION = "registration", _("Registration")
        TRIAL = "trial", _("Trial started")
        PAID = "paid", _("Paid subscription")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    at = models.DateTimeField()
    day = models.DateField()  # ``at`` in the publication's time zone
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    subscription = models.ForeignKey(
        "subscriptions.Subscription", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Last touch: the article whose wall the reader saw last before converting; first touch: their first
    # metered article this window.
    last_touch = models.ForeignKey(
        "publishing.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_touch = models.ForeignKey(
        "publishing.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["day", "kind"], name="conversion_day_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "subscription"],
                condition=models.Q(subscription__isnull=False),
                name="one_conversion_per_subscription_and_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "user"],
                condition=models.Q(kind="registration"),
                name="one_registration_per_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d}"


class AuditRun(models.Model):
    """One run of the leak monitor (``paywall_audit``) against the site's public address; kept 90 days."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    base_url = models.CharField(_("site audited"), max_length=300)
    articles = models.PositiveIntegerField(_("articles audited"), default=0)
    roads_checked = models.PositiveIntegerField(_("roads checked"), default=0)
    leaks_found = models.PositiveIntegerField(_("leaks found"), default=0)
    # Article pages that did not show their article: on those the audit proved nothing.
    pages_not_shown = models.PositiveIntegerField(_("pages that did not show their article"), default=0)
    # The audit could not run (site unreachable, nothing to audit).
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        get_latest_by = "started_at"
        verbose_name = _("leak monitor run")
        verbose_name_plural = _("leak monitor runs")

    def __str__(self) -> str:
        # In the time zone of the request (the publication's in the admin), as the admin shows its fields.
        return ngettext("%(when)s: %(count)d leak", "%(when)s: %(count)d leaks", self.leaks_found) % {
            "when": f"{timezone.localtime(self.started_at):%Y-%m-%d %H:%M}",
            "count": self.leaks_found,
        }


class AuditRoadResult(models.Model):
    """What one road of one run found."""

    run = models.ForeignKey(AuditRun, on_delete=models.CASCADE, related_name="roads")
    road = models.CharField(_("road"), max_length=300)
    responses = models.PositiveIntegerField(_("responses checked"), default=0)
    leaks = models.PositiveIntegerField(_("leaks"), default=0)
    detail = models.TextField(_("detail"), blank=True)  # the leak lines, or why the road proved nothing

    class Meta:
        verbose_name = _("road result")
        verbose_name_plural = _("road results")

    def __str__(self) -> str:
        return f"{self.road}: {self.leaks}"


class Dashboard(models.Model):
    """No table: the two permissions that open the insights dashboard, granted to roles in ``publishing.roles``.

    ``view_funnel`` shows the article and section tables (editors); ``view_business`` shows every table
    (publishers). Superusers hold both.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_funnel", "Can see the insights dashboard's article and section tables"),
            ("view_business", "Can see every table of the insights dashboard"),
        ]

    def __str__(self) -> str:
        return "insights dashboard"
