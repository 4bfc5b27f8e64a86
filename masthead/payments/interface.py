"""The contract between Masthead and a payment provider: plain data in, plain data out.

Nothing outside ``payments/providers/<name>/`` knows how a provider talks; everything else sees
these dataclasses and the PaymentProvider protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Interval(StrEnum):
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class PlanTerms:
    slug: str
    name: str
    amount_minor: int  # price per interval in the currency's minor unit (cents)
    currency: str  # ISO 4217, lower case ("usd")
    interval: Interval
    provider_plan_id: str = ""  # the provider's id for this plan/price, when it has one


@dataclass(frozen=True, slots=True)
class OfferTerms:
    code: str  # our offer's slug; the provider's coupon or promotion code id goes in provider_coupon_id
    trial_days: int = 0
    percent_off: int = 0
    percent_off_intervals: int = 0  # 0: the discount lasts as long as the subscription
    intro_amount_minor: int | None = None  # the price of each of the first intro_intervals intervals
    intro_intervals: int = 0
    provider_coupon_id: str = ""


# A success_url may carry this; the provider puts the checkout's session id in its place (Stripe's own
# placeholder, which the local provider fills the same way), so the page after payment knows which checkout.
SESSION_ID_PLACEHOLDER = "{CHECKOUT_SESSION_ID}"


@dataclass(frozen=True, slots=True)
class Discount:
    """A percentage off the plan's price for some paid intervals of a running subscription (a retention offer).

    Intervals are counted as the renewals count them, from 1: the first paid interval is 1.
    """

    percent_off: int
    first_interval: int  # the first paid interval it takes off
    intervals: int  # how many paid intervals, from first_interval on

    def covers(self, interval_number: int) -> bool:
        return self.first_interval <= interval_number < self.first_interval + self.intervals


@dataclass(frozen=True, slots=True)
class DiscountTerms:
    """A discount to apply to a running subscription from its next charge on."""

    percent_off: int  # 1..100
    intervals: int  # the number of next paid intervals it takes off
    months: int  # the same span in months (what Stripe's repeating coupons count)
    provider_coupon_id: str = ""  # the publisher's coupon at the provider, when they made one


@dataclass(frozen=True, slots=True)
class CheckoutRequest:
    reference: str  # our subscription's id; comes back on the provider's events
    email: str
    customer_id: str  # the provider's customer id when the reader already has one, else ""
    plan: PlanTerms
    offer: OfferTerms | None
    success_url: str
    cancel_url: str
    expires_at: dt.datetime | None = None  # the checkout must not outlive the offer it carries
    prices_include_tax: bool = False  # the publication's prices include tax (split out), else tax is added
    summary: str = ""  # the price schedule in words, for a hosted checkout page to show beside its button


@dataclass(frozen=True, slots=True)
class CheckoutStart:
    redirect_url: str  # where the reader goes to pay
    session_id: str


class ProviderStatus(StrEnum):
    """A subscription's status in the payment provider's vocabulary, as it arrives on ``PaymentEvent.status``.

    These are the provider's words (Stripe's, which the local provider imitates), not ours: Masthead's own
    lifecycle is ``subscriptions.states.Status``, and the same word can mean different things on either side.
    The provider's ``canceled`` means the subscription has ended; ours means it will end at the end of the
    period, still read in full until then. ``subscriptions.handlers.status_from_provider`` translates.
    A provider may send a status missing here; it arrives as the plain string.
    """

    INCOMPLETE = "incomplete"  # the first payment has not succeeded yet
    INCOMPLETE_EXPIRED = "incomplete_expired"  # the first payment never succeeded; over
    TRIALING = "trialing"
    ACTIVE = "active"  # paid up; may carry cancel_at_period_end
    PAST_DUE = "past_due"  # a renewal failed; the provider is retrying
    UNPAID = "unpaid"  # the retries are exhausted, the invoice left open
    CANCELED = "canceled"  # ended: no further invoices
    PAUSED = "paused"  # a trial ended without a payment method; not billing


class EventKind(StrEnum):
    CHECKOUT_COMPLETED = "checkout.completed"
    SUBSCRIPTION_CREATED = "subscription.created"
    SUBSCRIPTION_UPDATED = "subscription.updated"
    SUBSCRIPTION_DELETED = "subscription.deleted"
    INVOICE_PAID = "invoice.paid"
    INVOICE_PAYMENT_FAILED = "invoice.payment_failed"
    CARD_EXPIRING = "card.expiring"  # the customer's card expires at the end of next month
    CARD_SAVED = "card.saved"  # a card was saved for the customer, or its network renewed it (a new expiry)
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class PaymentEvent:
    """A provider's event, translated into Masthead's terms."""

    provider: str
    event_id: str
    kind: EventKind
    provider_type: str  # the provider's own name for the event, e.g. "invoice.paid"
    occurred_at: dt.datetime
    reference: str = ""  # our subscription id, when the event carries it
    customer_id: str = ""
    subscription_id: str = ""
    status: ProviderStatus | str = ""  # the provider's subscription status ("" when the event carries none)
    current_period_start: dt.datetime | None = None
    current_period_end: dt.datetime | None = None
    trial_end: dt.datetime | None = None
    cancel_at_period_end: bool | None = None
    plan_id: str = ""
    invoice_id: str = ""
    amount_minor: int | None = None  # an invoice's total: what was paid, or was due, tax included
    currency: str = ""
    tax_minor: int | None = None  # the part of amount_minor that is tax (None: the event does not say)
    tax_label: str = ""  # the tax's name and rate as receipts print it ("VAT 20%"), when the provider names one
    # The card an event is about (CARD_EXPIRING, CARD_SAVED): enough to name it to the reader, and to tell one
    # card from another.
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None
    card_fingerprint: str = ""
    raw: Mapping = field(default_factory=dict)


class InvalidSignature(Exception):
    """The webhook's signature is missing or wrong: reject it, change nothing."""


class InvalidPayload(Exception):
    """The webhook's body is not an event we can read."""


class ProviderError(Exception):
    """The provider refused or failed a request; the message is safe to show to staff."""


class PaymentDeclined(ProviderError):
    """The provider could not take a payment (the card was declined); nothing changed. The message is for the reader."""


class PaymentProvider(Protocol):
    name: str
    # True when the reader pays on the provider's own page (Stripe Checkout), where Masthead cannot check
    # anything at the moment money moves: an offer's redemption is then reserved when the checkout starts.
    # False when the payment passes through Masthead (the local provider runs its checkout guards then).
    hosted_checkout: bool

    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        """Begin a subscription checkout; the reader is sent to ``redirect_url``."""
        ...

    def portal_url(self, *, customer_id: str, return_url: str) -> str | None:
        """A self-service page for cards and invoices, or None when the provider has none."""
        ...

    def card_update_url(self, *, subscription_id: str, customer_id: str, return_url: str) -> str:
        """Where the reader replaces the card paying for the subscription (raises ProviderError when unavailable).

        Opened when the reader asks for it, never stored: a provider's page may be valid for minutes only.
        """
        ...

    def cancel_at_period_end(self, *, subscription_id: str) -> None: ...

    def cancel_now(self, *, subscription_id: str) -> None:
        """End the subscription at once: no further charge, and no retry of an unpaid invoice."""
        ...

    def refund_and_cancel(self, *, subscription_id: str) -> None:
        """End the subscription at once and refund what its latest invoice was paid (a duplicate bought by mistake)."""
        ...

    def card_fingerprint(self, *, subscription_id: str) -> str:
        """The provider's fingerprint of the card paying for the subscription ("" when it names none)."""
        ...

    def resume(self, *, subscription_id: str) -> None: ...

    def change_plan(self, *, subscription_id: str, plan: PlanTerms) -> None:
        """Move a running subscription to ``plan`` now: its offer ends, and the change is prorated and charged now
        (``payments.billing.plan_change``). Raises PaymentDeclined, changing nothing, when the charge fails."""
        ...

    def apply_discount(self, *, subscription_id: str, discount: DiscountTerms) -> None:
        """Take ``discount`` off the subscription's next charges; raises ProviderError, changing nothing, on failure."""
        ...

    def parse_webhook(self, *, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify and translate one webhook delivery; raises InvalidSignature or InvalidPayload."""
        ...
