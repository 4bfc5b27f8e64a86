"""Plans, offers, checkouts, subscriptions and their history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from masthead.payments.interface import Interval

from .money import format_money
from .states import Status

# The payment contract's Interval is the one vocabulary; the model only adds the labels staff see.
INTERVAL_LABELS = {Interval.MONTH: _("Monthly"), Interval.YEAR: _("Yearly")}
INTERVAL_CHOICES = [(interval.value, INTERVAL_LABELS[interval]) for interval in Interval]


class Plan(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(unique=True)
    amount_minor = models.PositiveIntegerField(_("price (minor units)"), help_text=_("In cents: 1200 is $12.00."))
    currency = models.CharField(max_length=3, default="usd")
    interval = models.CharField(max_length=8, choices=INTERVAL_CHOICES, default=Interval.MONTH.value)
    benefits = models.TextField(blank=True, help_text=_("One benefit per line, shown to readers."))
    active = models.BooleanField(default=True, help_text=_("Retired plans keep their subscribers but are not sold."))
    position = models.PositiveSmallIntegerField(default=0)
    provider_plan_id = models.CharField(
        max_length=120, blank=True, help_text=_("The payment provider's price/plan id.")
    )

    class Meta:
        ordering = ["position", "amount_minor"]

    def __str__(self) -> str:
        return f"{self.name} ({self.price_label})"

    @property
    def price_label(self) -> str:
        return format_money(self.amount_minor, self.currency)

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]

    def clean(self) -> None:
        self.currency = self.currency.lower()
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValidationError({"currency": _("Use a three-letter ISO 4217 code, e.g. usd.")})


class OfferKind(models.TextChoices):
    INTRO_PRICE = "intro_price", _("Introductory price for the first intervals")
    PERCENT_OFF = "percent_off", _("Percentage off")
    FREE_TRIAL = "free_trial", _("Free trial")


class Eligibility(models.TextChoices):
    NEW = "new", _("New subscribers only")
    NEW_OR_LAPSED = "new_or_lapsed", _("New and lapsed subscribers")
    LAPSED = "lapsed", _("Lapsed subscribers only (win-back)")


class OfferPurpose(models.TextChoices):
    SALE = "sale", _("Sold on the paywall and the offers page")
    RETENTION = "retention", _("Offered to a subscriber about to cancel")


class Offer(models.Model):
    name = models.CharField(max_length=120, help_text=_("What readers see, e.g. “Try 3 months for $9”."))
    slug = models.SlugField(unique=True)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="offers")
    kind = models.CharField(max_length=16, choices=OfferKind.choices)
    intro_amount_minor = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Introductory price of each interval, in minor units.")
    )
    intro_intervals = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(36)])
    percent_off = models.PositiveSmallIntegerField(default=0, validators=[MinValueValidator(0), MaxValueValidator(100)])
    percent_off_intervals = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many intervals the discount lasts; 0 means for as long as the subscription runs.")
    )
    trial_days = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(365)])
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(
        help_text=_("After this moment the offer cannot be redeemed, even from an old link.")
    )
    eligibility = models.CharField(max_length=16, choices=Eligibility.choices, default=Eligibility.NEW)
    code = models.CharField(max_length=40, blank=True, help_text=_("Leave empty to show the offer to everyone."))
    redemption_cap = models.PositiveIntegerField(null=True, blank=True)
    redemptions = models.PositiveIntegerField(default=0, editable=False)
    provider_coupon_id = models.CharField(max_length=120, blank=True)
    active = models.BooleanField(default=True)
    purpose = models.CharField(
        max_length=12,
        choices=OfferPurpose.choices,
        default=OfferPurpose.SALE,
        help_text=_(
            "A retention offer is never sold: it is shown, at most one at a time, to a paying subscriber of its "
            "plan who is about to cancel, as a percentage off their next intervals."
        ),
    )

    class Meta:
        ordering = ["ends_at"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("An offer must end after it starts.")
        if self.kind == OfferKind.INTRO_PRICE and (self.intro_amount_minor is None or self.intro_intervals < 1):
            errors["intro_amount_minor"] = _("An introductory price needs a price and a number of intervals.")
        if self.kind == OfferKind.PERCENT_OFF and not 0 < self.percent_off <= 100:
            errors["percent_off"] = _("A percentage-off offer needs a percentage between 1 and 100.")
        if self.kind == OfferKind.FREE_TRIAL and self.trial_days < 1:
            errors["trial_days"] = _("A free trial needs a number of days.")
        if self.purpose == OfferPurpose.RETENTION:
            if self.kind != OfferKind.PERCENT_OFF:
                errors["kind"] = _("A retention offer is a percentage off.")
            elif self.percent_off_intervals < 1:
                errors["percent_off_intervals"] = _("A retention offer lasts a number of intervals (at least one).")
            if self.code:
                errors["code"] = _("A retention offer has no code: it is shown only to subscribers about to cancel.")
        if errors:
            raise ValidationError(errors)


class Checkout(models.Model):
    """A reader on the way to paying; becomes a Subscription when the provider confirms it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        EXPIRED = "expired", _("Expired unpaid")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkouts")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT)
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.PROTECT)
    provider = models.CharField(max_length=20)
    session_id = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(
        null=True, blank=True, help_text=_("After this moment the checkout cannot be paid; the reader starts again.")
    )
    redemption_reserved = models.BooleanField(
        default=False, help_text=_("Holds one of the offer's redemptions (counted in the offer's redemptions).")
    )
    source_article = models.ForeignKey(
        "publishing.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The article the reader was reading when they chose to subscribe."),
    )

    def __str__(self) -> str:
        return f"checkout {self.reference}"


class TrialCard(models.Model):
    """A card that has started a free trial, by the provider's fingerprint of it: one free trial per card."""

    provider = models.CharField(max_length=20)
    fingerprint = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    checkout = models.ForeignKey(Checkout, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "fingerprint"], name="one_trial_per_card")]

    def __str__(self) -> str:
        return f"{self.provider} card {self.fingerprint[:8]}…"


class Subscription(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions")
    checkout = models.OneToOneField(Checkout, null=True, blank=True, on_delete=models.SET_NULL)
    source_article = models.ForeignKey(
        "publishing.Article",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The article that brought the reader to subscribe (copied from the checkout)."),
    )
    status = models.CharField(max_length=12, choices=[(s.value, s.value.replace("_", " ")) for s in Status])
    provider = models.CharField(max_length=20)
    provider_customer_id = models.CharField(max_length=120, blank=True)
    provider_subscription_id = models.CharField(max_length=120, unique=True, null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    current_period_start = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    ever_paid = models.BooleanField(default=False)
    provider_synced_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Time of the newest provider event applied; older ones are ignored.")
    )
    provider_status = models.CharField(
        max_length=24,
        blank=True,
        help_text=_(
            "The provider's status in the newest event applied; an event from the same second at an earlier "
            "stage of the provider's lifecycle is ignored."
        ),
    )
    trial_reminder_sent = models.BooleanField(default=False)
    expiry_notice_sent = models.BooleanField(default=False)
    # Dunning: a failed renewal starts it; each step (its email, and the local provider's retry) is recorded
    # here in the transaction that takes it, so a tick run twice takes no step twice. A payment clears both.
    dunning_started_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the failed renewal that started the grace period happened.")
    )
    dunning_step = models.PositiveSmallIntegerField(
        default=0, help_text=_("How many of the grace period's reminders (day 0, 3, 6) have gone out.")
    )
    # The card paying for it, when the provider's events name it (Stripe's saved PaymentMethod; the local
    # provider keeps its own): the tick says "your card expires next month" from these.
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    card_fingerprint = models.CharField(max_length=64, blank=True)
    card_saved_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the provider said this card was saved (an older word is ignored).")
    )
    card_expiry_notice_for = models.CharField(
        max_length=80,
        blank=True,
        help_text=_("The card whose “expires next month” email went out (sent once per card)."),
    )
    winback_handled = models.BooleanField(
        default=False,
        help_text=_("The win-back email for this lapse was sent, or passed over (the reader came back or opted out)."),
    )
    attention = models.CharField(
        max_length=300, blank=True, help_text=_("Why staff should look at this subscription (e.g. a duplicate).")
    )
    # A discount given to the running subscription (a retention offer): percent off the plan's price for
    # discount_intervals paid intervals from the discount_first_interval-th on (as payments.interface.Discount).
    discount_percent_off = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    discount_first_interval = models.PositiveIntegerField(default=0)
    discount_intervals = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.plan.name} ({self.status})"


class CancelReason(models.TextChoices):
    TOO_EXPENSIVE = "too_expensive", _("It costs too much")
    NOT_ENOUGH_TIME = "not_enough_time", _("I don't have time to read it")
    CONTENT = "content", _("The journalism isn't what I want")
    ELSEWHERE = "elsewhere", _("I get my news elsewhere")
    TECHNICAL = "technical", _("Something on the site or app doesn't work for me")
    TEMPORARY = "temporary", _("I only needed it for a while")
    OTHER = "other", _("Something else")


class CancellationFeedback(models.Model):
    """What a reader said on the way to canceling, and the retention offer they were shown (for insights)."""

    class Outcome(models.TextChoices):
        CANCELED = "canceled", _("Canceled")
        KEPT = "kept", _("Took the offer and stayed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="cancellation_feedback")
    reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    text = models.TextField(blank=True, max_length=2000)
    offered = models.ForeignKey(
        Offer,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The retention offer shown."),
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "cancellation feedback"

    def __str__(self) -> str:
        return f"{self.subscription_id}: {self.reason or '—'} ({self.outcome})"

    @property
    def offer_accepted(self) -> bool:
        return self.outcome == self.Outcome.KEPT


class SubscriptionChange(models.Model):
    """The history of a subscription: every state change and why."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    event = models.CharField(max_length=40)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.event}: {self.from_status or '—'} → {self.to_status}"


class Payment(models.Model):
    class Outcome(models.TextChoices):
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="payments")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    at = models.DateTimeField()
    provider_invoice_id = models.CharField(max_length=120, unique=True)
    period_end = models.DateTimeField(
        null=True, blank=True, help_text=_("The end of the period the invoice bills; orders late events.")
    )
    tax_minor = models.PositiveIntegerField(default=0, help_text=_("The part of the amount that is tax."))
    tax_label = models.CharField(
        max_length=60, blank=True, help_text=_("The tax's name and rate, as receipts print it.")
    )

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.amount_label} {self.outcome}"

    @property
    def amount_label(self) -> str:
        return format_money(self.amount_minor, self.currency)

    @property
    def net_label(self) -> str:
        """The amount before tax."""
        return format_money(max(self.amount_minor - self.tax_minor, 0), self.currency)

    @property
    def tax_amount_label(self) -> str:
        return format_money(self.tax_minor, self.currency)
