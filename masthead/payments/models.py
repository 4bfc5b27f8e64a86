"""Provider events as received, and the local (offline) provider's own records."""

from __future__ import annotations

from django.db import models


class WebhookEvent(models.Model):
    """Every provider event, stored once by its id, with what handling it did."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", "Received"
        PROCESSED = "processed", "Processed"
        IGNORED = "ignored", "Ignored"
        WAITING = "waiting", "Waiting for an earlier event"
        FAILED = "failed", "Failed"

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=120)
    event_type = models.CharField(max_length=80)
    kind = models.CharField(max_length=40)
    subscription_id = models.CharField(max_length=120, blank=True, db_index=True)
    occurred_at = models.DateTimeField()
    received_at = models.DateTimeField()
    payload = models.JSONField(default=dict)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RECEIVED)
    detail = models.CharField(max_length=500, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="unique_provider_event")]
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"


class LocalCheckout(models.Model):
    """A checkout started with the local provider: what the reader is about to pay for."""

    reference = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    customer_id = models.CharField(max_length=64, blank=True)
    plan = models.JSONField()
    offer = models.JSONField(null=True, blank=True)
    success_url = models.CharField(max_length=500)
    cancel_url = models.CharField(max_length=500)
    completed = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    tax_inclusive = models.BooleanField(default=False)  # the plan's price includes the tax (else it is added)

    def __str__(self) -> str:
        return f"local checkout {self.reference}"


class LocalSubscription(models.Model):
    """The local provider's side of a subscription: the card and the billing schedule."""

    subscription_id = models.CharField(max_length=64, unique=True)
    customer_id = models.CharField(max_length=64)
    reference = models.CharField(max_length=64)
    plan = models.JSONField()
    offer = models.JSONField(null=True, blank=True)
    card_last4 = models.CharField(max_length=4)
    card_fingerprint = models.CharField(max_length=64, blank=True)  # as Stripe's payment methods carry one
    fails_at_renewal = models.BooleanField(default=False)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)  # the card's expiry, as Stripe's cards
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The renewal invoice left unpaid (past due): a retry charges this same invoice, as Stripe's retries do.
    open_invoice_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=20)
    trial_end = models.DateTimeField(null=True, blank=True)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    intervals_billed = models.PositiveIntegerField(default=0)
    # What was paid for the current period (None on rows from before it was kept: derived from the offer).
    period_value_minor = models.PositiveIntegerField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # A discount on some next renewals (payments.interface.Discount as a dict), or None.
    discount = models.JSONField(null=True, blank=True)
    tax_inclusive = models.BooleanField(default=False)  # as its checkout's: fixed for the subscription's life

    def __str__(self) -> str:
        return self.subscription_id
