"""An offline payment provider for the demo and the tests: a checkout page on the site itself.

The card number chooses the outcome: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined,
4000 0000 0000 0341 succeeds now and fails at renewal. Its events go through the same handling path
as a real provider's webhooks.

Tax: it charges the one rate MASTHEAD_LOCAL_TAX_RATE names, if any (``billing.apply_tax``), on every charge:
split out of the price when the publication's prices include tax, added to it otherwise, as the checkout
recorded. Its invoices carry the total and the tax, as a Stripe invoice does.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from masthead.core import clock
from masthead.core.parse import ascii_digits
from masthead.payments import webhooks
from masthead.payments.billing import TaxedAmount, TaxRate, apply_tax, charge_for_interval, next_period_end, plan_change
from masthead.payments.interface import (
    SESSION_ID_PLACEHOLDER,
    CheckoutRequest,
    CheckoutStart,
    Discount,
    DiscountTerms,
    EventKind,
    InvalidPayload,
    OfferTerms,
    PaymentDeclined,
    PaymentEvent,
    PlanTerms,
    ProviderError,
    ProviderStatus,
)
from masthead.payments.models import LocalCheckout, LocalSubscription

DECLINED = "4000000000000002"
FAILS_AT_RENEWAL = "4000000000000341"


class CardOutcome(StrEnum):
    PAID = "paid"
    DECLINED = "declined"
    INVALID = "invalid"
    BAD_EXPIRY = "bad_expiry"  # the expiry is not a month and year, or is in the past


def luhn_valid(number: str) -> bool:
    digits = [int(c) for c in number]
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def normalise_card(number: str) -> str:
    """The card's digits without the spaces and dashes readers type; "" when anything else is in it.

    ASCII digits only (``core.parse``): ``²`` passes ``str.isdigit()`` and fails ``int()``, and ``４`` is
    no digit a card network knows. A letter is not dropped silently: the number is not valid.
    """
    digits = number.replace(" ", "").replace("-", "")
    return digits if ascii_digits(digits) else ""


def card_fingerprint(number: str) -> str:
    """The same value for the same card however it is written, as Stripe's card fingerprint is; not reversible."""
    return salted_hmac("masthead.local-card-fingerprint", normalise_card(number), algorithm="sha256").hexdigest()[:32]


def card_outcome(number: str) -> CardOutcome:
    digits = normalise_card(number)
    if len(digits) < 12 or len(digits) > 19 or not luhn_valid(digits):
        return CardOutcome.INVALID
    return CardOutcome.DECLINED if digits == DECLINED else CardOutcome.PAID


def parse_expiry(text: str, now: dt.datetime) -> tuple[int, int] | None:
    """(month, year) from "MM/YY" or "MM/YYYY" as readers type it; None when it is no month, or has passed."""
    month_text, slash, year_text = text.replace(" ", "").partition("/")
    if not slash or len(month_text) not in (1, 2) or len(year_text) not in (2, 4):
        return None
    if not ascii_digits(month_text) or not ascii_digits(year_text):
        return None
    month, year = int(month_text), int(year_text)
    year = 2000 + year if len(year_text) == 2 else year
    if not 1 <= month <= 12 or (year, month) < (now.year, now.month) or year > now.year + 30:
        return None
    return month, year


def months_until(month: int, year: int, now: dt.datetime) -> int:
    """How many calendar months from ``now``'s month to (month, year): 1 is next month."""
    return (year * 12 + month) - (now.year * 12 + now.month)


@dataclass(frozen=True)
class PayResult:
    outcome: CardOutcome
    success_url: str = ""


@dataclass(frozen=True)
class DueNow:
    """What the checkout page shows of today's charge and its tax."""

    charge: TaxedAmount
    tax_label: str  # "VAT 20%"; "" without a rate
    prices_include_tax: bool  # as the checkout recorded the publication's word
    tax_collected: bool  # the local provider charges a rate


def tax_rate() -> TaxRate | None:
    """The rate the local provider charges (settings.MASTHEAD_LOCAL_TAX_RATE), or None."""
    return settings.MASTHEAD_LOCAL_TAX_RATE


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{uuid.uuid4().hex[:16]}"


@dataclass(frozen=True)
class PayAttempt:
    """A reader paying a local checkout, as its guards see it: inside the payment's transaction, under its lock."""

    reference: str
    plan: Mapping[str, Any]  # the plan's terms (PlanTerms as a dict) the checkout page showed
    offer: Mapping[str, Any] | None  # the offer's terms (OfferTerms as a dict), or None
    now: dt.datetime
    card_fingerprint: str = ""  # the card's fingerprint (card_fingerprint), as a real provider reports it


class _RetryDeclined(Exception):
    """Rolls back a card update whose retry of the open invoice failed."""


class PaymentRefused(ProviderError):
    """A checkout guard refused the payment before any money moved; the message is for the reader."""


CheckoutGuard = Callable[[PayAttempt], None]
_GUARDS: list[CheckoutGuard] = []


def register_checkout_guard(guard: CheckoutGuard) -> None:
    """Run ``guard`` inside every payment's transaction; it raises PaymentRefused to stop it (and roll back)."""
    if guard not in _GUARDS:
        _GUARDS.append(guard)


def local_session_id(reference: str) -> str:
    return f"cs_local_{reference}"


class LocalProvider:
    name = "local"
    hosted_checkout = False  # the payment passes through pay(), where the checkout guards run

    # -- the PaymentProvider protocol ---------------------------------------------------------
    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        LocalCheckout.objects.update_or_create(
            reference=request.reference,
            defaults={
                "email": request.email,
                "customer_id": request.customer_id,
                "plan": dataclasses.asdict(request.plan),
                "offer": dataclasses.asdict(request.offer) if request.offer else None,
                "success_url": request.success_url,
                "cancel_url": request.cancel_url,
                "expires_at": request.expires_at,
                "tax_inclusive": request.prices_include_tax,
            },
        )
        url = reverse("subscriptions:local_checkout", args=[request.reference])
        return CheckoutStart(redirect_url=url, session_id=local_session_id(request.reference))

    def portal_url(self, *, customer_id: str, return_url: str) -> str | None:
        return None  # the account page itself offers cancel, resume and change of plan

    def card_update_url(self, *, subscription_id: str, customer_id: str, return_url: str) -> str:
        if not LocalSubscription.objects.filter(subscription_id=subscription_id).exists():
            raise ProviderError(f"No local subscription {subscription_id}.")
        return reverse("subscriptions:local_card", args=[subscription_id])

    def cancel_at_period_end(self, *, subscription_id: str) -> None:
        self._update(subscription_id, cancel_at_period_end=True)

    def cancel_now(self, *, subscription_id: str) -> None:
        local = LocalSubscription.objects.filter(subscription_id=subscription_id).first()
        if local is None:
            raise ProviderError(f"No local subscription {subscription_id}.")
        if local.status != ProviderStatus.CANCELED:
            local.status = ProviderStatus.CANCELED
            local.save(update_fields=["status"])
            self._emit(EventKind.SUBSCRIPTION_DELETED, local, clock.now())

    def refund_and_cancel(self, *, subscription_id: str) -> None:
        self.cancel_now(subscription_id=subscription_id)  # no real money moved, so nothing to send back

    def card_fingerprint(self, *, subscription_id: str) -> str:
        local = LocalSubscription.objects.filter(subscription_id=subscription_id).first()
        return local.card_fingerprint if local else ""

    def resume(self, *, subscription_id: str) -> None:
        self._update(subscription_id, cancel_at_period_end=False)

    def apply_discount(self, *, subscription_id: str, discount: DiscountTerms) -> None:
        """Take ``discount`` off the next ``discount.intervals`` renewals (``billing.charge_for_interval``)."""
        with transaction.atomic():
            local = LocalSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()
            if local is None:
                raise ProviderError(f"No local subscription {subscription_id}.")
            if local.status != ProviderStatus.ACTIVE:
                raise ProviderError(f"A {local.status} subscription cannot take a discount.")
            applied = Discount(discount.percent_off, local.intervals_billed + 1, discount.intervals)
            local.discount = dataclasses.asdict(applied)
            local.save(update_fields=["discount"])

    def change_plan(self, *, subscription_id: str, plan: PlanTerms) -> None:
        """Prorate by ``billing.plan_change``: credit the unused part of the period, charge the rest now."""
        now = clock.now()
        with transaction.atomic():
            local = LocalSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()
            if local is None:
                raise ProviderError(f"No local subscription {subscription_id}.")
            if local.status not in (ProviderStatus.ACTIVE, ProviderStatus.TRIALING):
                raise ProviderError(f"A {local.status} subscription cannot change plan.")
            trialing = local.status == ProviderStatus.TRIALING
            change = plan_change(
                paid_minor=0 if trialing else self._period_value(local),
                period_start=local.period_start,
                period_end=local.period_end,
                now=now,
                new_price_minor=plan.amount_minor,
                new_interval=plan.interval,
            )
            if change.charge_minor and local.fails_at_renewal:
                raise PaymentDeclined(_("Your card was declined. Nothing was changed."))
            local.plan = dataclasses.asdict(plan)
            local.offer = None  # an offer belongs to its plan: it ends with it (a trial included)
            local.discount = None  # and so does a discount (Stripe's change removes the coupon too)
            local.trial_end = None
            local.status = ProviderStatus.ACTIVE
            local.period_start, local.period_end = change.period_start, change.period_end
            local.period_value_minor = change.period_value_minor
            local.intervals_billed = 1
            local.save()
            self._emit(EventKind.SUBSCRIPTION_UPDATED, local, now)
            self._emit_invoice(EventKind.INVOICE_PAID, local, now, change.charge_minor)

    def _period_value(self, local: LocalSubscription) -> int:
        """What was paid for the current period."""
        if local.period_value_minor is not None:
            return local.period_value_minor
        if local.intervals_billed == 0:
            return 0
        return self._interval_charge(local.plan, local.offer, local.intervals_billed, local.discount)

    def parse_webhook(self, *, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        raise InvalidPayload("the local provider delivers its events directly, not by webhook")

    # -- the local checkout and billing ---------------------------------------------------------
    def checkout(self, reference: str) -> LocalCheckout | None:
        return LocalCheckout.objects.filter(reference=reference, completed=False).first()

    @staticmethod
    def expired(checkout: LocalCheckout, now: dt.datetime | None = None) -> bool:
        return checkout.expires_at is not None and (now or clock.now()) >= checkout.expires_at

    def amount_due_now(self, checkout: LocalCheckout) -> int:
        """What paying the checkout charges today, tax included."""
        return self.due_now(checkout).charge.total_minor

    def due_now(self, checkout: LocalCheckout) -> DueNow:
        """Today's charge for the checkout, split into its price before tax, the tax and the total."""
        offer = checkout.offer or {}
        price = 0 if offer.get("trial_days") else self._interval_charge(checkout.plan, offer, 1)
        rate = tax_rate()
        return DueNow(
            charge=apply_tax(price, rate, inclusive=checkout.tax_inclusive),
            tax_label=rate.label if rate else "",
            prices_include_tax=checkout.tax_inclusive,
            tax_collected=rate is not None,
        )

    @staticmethod
    def _interval_charge(plan: dict, offer: dict | None, interval_number: int, discount: dict | None = None) -> int:
        terms = OfferTerms(**offer) if offer else None
        return charge_for_interval(
            plan["amount_minor"], terms, interval_number, Discount(**discount) if discount else None
        )

    def pay(self, reference: str, card_number: str, expiry: str = "") -> PayResult:
        """Take the reader's card for a checkout; on success the subscription starts.

        The checkout's row is locked, then its expiry and every registered guard are checked inside the same
        transaction as the payment: a guard that refuses (PaymentRefused) rolls back whatever it reserved.
        """
        outcome = card_outcome(card_number)
        if outcome != CardOutcome.PAID:
            return PayResult(outcome)
        now = clock.now()
        card_expiry = parse_expiry(expiry, now) if expiry.strip() else None
        if expiry.strip() and card_expiry is None:
            return PayResult(CardOutcome.BAD_EXPIRY)
        with transaction.atomic():
            checkout = LocalCheckout.objects.select_for_update().filter(reference=reference, completed=False).first()
            if checkout is None:
                raise ProviderError("This checkout has already been completed or does not exist.")
            if self.expired(checkout, now):
                raise PaymentRefused(_("This checkout has expired. Please start again from the offers page."))
            attempt = PayAttempt(
                reference=reference,
                plan=checkout.plan,
                offer=checkout.offer,
                now=now,
                card_fingerprint=card_fingerprint(card_number),
            )
            for guard in _GUARDS:
                guard(attempt)
            offer = checkout.offer or {}
            trial_days = offer.get("trial_days", 0)
            trial_end = now + dt.timedelta(days=trial_days) if trial_days else None
            period_end = trial_end or next_period_end(now, checkout.plan["interval"])
            local = LocalSubscription.objects.create(
                subscription_id=_new_id("sub"),
                customer_id=checkout.customer_id or _new_id("cus"),
                reference=reference,
                plan=checkout.plan,
                offer=checkout.offer,
                card_last4=normalise_card(card_number)[-4:],
                card_fingerprint=attempt.card_fingerprint,
                fails_at_renewal=normalise_card(card_number) == FAILS_AT_RENEWAL,
                card_exp_month=card_expiry[0] if card_expiry else None,
                card_exp_year=card_expiry[1] if card_expiry else None,
                status=ProviderStatus.TRIALING if trial_end else ProviderStatus.ACTIVE,
                trial_end=trial_end,
                period_start=now,
                period_end=period_end,
                intervals_billed=0 if trial_end else 1,
                period_value_minor=0 if trial_end else self._interval_charge(checkout.plan, checkout.offer, 1),
                tax_inclusive=checkout.tax_inclusive,
            )
            checkout.completed = True
            checkout.save(update_fields=["completed"])
            # In the same transaction: a payment whose events were not handled is not taken either.
            self._emit(EventKind.CHECKOUT_COMPLETED, local, now, reference=reference)
            self._emit(EventKind.SUBSCRIPTION_CREATED, local, now)
            if not trial_end:
                charge = self._interval_charge(local.plan, local.offer, 1)
                self._emit_invoice(EventKind.INVOICE_PAID, local, now, charge)
        # Like Stripe, the page after payment learns the checkout's session id from its address.
        return PayResult(
            CardOutcome.PAID, checkout.success_url.replace(SESSION_ID_PLACEHOLDER, local_session_id(reference))
        )

    def renew_due(self, now: dt.datetime) -> int:
        """Bill every subscription whose period has ended (cron); returns how many were handled.

        Ticks may overlap (a slow one and the next). Each renewal is claimed under its row lock and checked
        again once held, so it is billed once: PostgreSQL skips a row another tick holds (SKIP LOCKED) and
        the other tick moves on; SQLite runs IMMEDIATE transactions one at a time, so the second finds the
        period already moved on. The renewal and its event are one transaction.
        """
        handled = 0
        for pk in self._due(now).values_list("pk", flat=True):
            with transaction.atomic():
                local = self._due(now).select_for_update(skip_locked=True).filter(pk=pk).first()
                if local is None:
                    continue  # another tick holds it, or has billed it since the list was read
                handled += 1
                self._renew(local, now)
        return handled

    @staticmethod
    def _due(now: dt.datetime):
        return LocalSubscription.objects.filter(period_end__lte=now).exclude(
            status__in=[ProviderStatus.CANCELED, ProviderStatus.PAST_DUE]
        )

    def _renew(self, local: LocalSubscription, now: dt.datetime) -> None:
        if local.cancel_at_period_end:
            local.status = ProviderStatus.CANCELED
            local.save(update_fields=["status"])
            self._emit(EventKind.SUBSCRIPTION_DELETED, local, now)
            return
        charge = self._interval_charge(local.plan, local.offer, local.intervals_billed + 1, local.discount)
        if local.fails_at_renewal:
            local.status = ProviderStatus.PAST_DUE
            local.open_invoice_id = _new_id("in")
            local.save(update_fields=["status", "open_invoice_id"])
            self._emit_invoice(EventKind.INVOICE_PAYMENT_FAILED, local, now, charge, invoice_id=local.open_invoice_id)
            return
        self._renewal_paid(local, now, charge)

    def _renewal_paid(self, local: LocalSubscription, now: dt.datetime, charge: int) -> None:
        invoice_id, local.open_invoice_id = local.open_invoice_id, ""
        local.period_start = local.period_end
        local.period_end = next_period_end(local.period_start, local.plan["interval"])
        local.intervals_billed += 1
        local.period_value_minor = charge
        local.status = ProviderStatus.ACTIVE
        local.save()
        self._emit_invoice(EventKind.INVOICE_PAID, local, now, charge, invoice_id=invoice_id or None)

    def lock(self, *, subscription_id: str) -> None:
        """Lock the local subscription's row for the caller's transaction.

        This provider locks its row, then (handling the change's event) the subscription's row on our side: a
        caller that is to lock both, and change this one (a retry), takes this lock first, in the same order.
        """
        LocalSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()

    def retry_payment(self, *, subscription_id: str, now: dt.datetime) -> bool:
        """Charge a past due subscription's open invoice again with its card; returns whether it was paid.

        The caller holds the transaction: the retry and the handling of its event commit with it, or not at all.
        A retry that fails again changes nothing here (its event is the same invoice failing, already recorded).
        """
        local = LocalSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()
        if local is None or local.status != ProviderStatus.PAST_DUE:
            return False
        charge = self._interval_charge(local.plan, local.offer, local.intervals_billed + 1, local.discount)
        if local.fails_at_renewal:
            if not local.open_invoice_id:  # a row from before open invoices were kept
                local.open_invoice_id = _new_id("in")
                local.save(update_fields=["open_invoice_id"])
            self._emit_invoice(EventKind.INVOICE_PAYMENT_FAILED, local, now, charge, invoice_id=local.open_invoice_id)
            return False
        self._renewal_paid(local, now, charge)
        return True

    def update_card(self, *, subscription_id: str, card_number: str, expiry: str) -> CardOutcome:
        """Replace the subscription's card; a past due subscription's open invoice is retried with it at once.

        Nothing changes unless the new card is valid and not declined.
        """
        outcome = card_outcome(card_number)
        if outcome != CardOutcome.PAID:
            return outcome
        now = clock.now()
        card_expiry = parse_expiry(expiry, now)
        if card_expiry is None:
            return CardOutcome.BAD_EXPIRY
        try:
            with transaction.atomic():
                local = LocalSubscription.objects.select_for_update().filter(subscription_id=subscription_id).first()
                if local is None or local.status == ProviderStatus.CANCELED:
                    raise ProviderError(f"No running local subscription {subscription_id}.")
                digits = normalise_card(card_number)
                local.card_last4, local.card_fingerprint = digits[-4:], card_fingerprint(card_number)
                local.fails_at_renewal = digits == FAILS_AT_RENEWAL
                local.card_exp_month, local.card_exp_year = card_expiry
                local.save()
                if local.status == ProviderStatus.PAST_DUE and not self.retry_payment(
                    subscription_id=subscription_id, now=now
                ):
                    raise _RetryDeclined  # the new card did not pay the open invoice: keep the old one
        except _RetryDeclined:
            return CardOutcome.DECLINED
        return CardOutcome.PAID

    def cards_expiring(self, now: dt.datetime) -> int:
        """Say, once per card, that the card of a running subscription expires at the end of next month (cron).

        Each card's event has one id (subscription, card, expiry), so the webhook path's unique event row makes a
        second tick's event a duplicate: acknowledged, not handled again.
        """
        told = 0
        running = LocalSubscription.objects.filter(
            status__in=[ProviderStatus.ACTIVE, ProviderStatus.TRIALING, ProviderStatus.PAST_DUE],
            cancel_at_period_end=False,
            card_exp_month__isnull=False,
            card_exp_year__isnull=False,
        )
        for local in running:
            if months_until(local.card_exp_month, local.card_exp_year, now) != 1:
                continue
            card = f"{local.card_fingerprint[:12] or local.card_last4}_{local.card_exp_year}{local.card_exp_month:02}"
            event = dataclasses.replace(
                self._event(EventKind.CARD_EXPIRING, local, now),
                event_id=f"evt_local_card_expiring_{local.subscription_id}_{card}",
                card_last4=local.card_last4,
                card_exp_month=local.card_exp_month,
                card_exp_year=local.card_exp_year,
                card_fingerprint=local.card_fingerprint,
            )
            if webhooks.process(event) is not None:
                told += 1
        return told

    # -- events -----------------------------------------------------------------------------
    @transaction.atomic  # the change and the handling of its event commit together
    def _update(self, subscription_id: str, **changes) -> None:
        local = LocalSubscription.objects.filter(subscription_id=subscription_id).first()
        if local is None:
            raise ProviderError(f"No local subscription {subscription_id}.")
        for name, value in changes.items():
            setattr(local, name, value)
        local.save()
        self._emit(EventKind.SUBSCRIPTION_UPDATED, local, clock.now())

    def _event(self, kind: EventKind, local: LocalSubscription, now: dt.datetime, **extra) -> PaymentEvent:
        return PaymentEvent(
            provider=self.name,
            event_id=_new_id("evt"),
            kind=kind,
            provider_type=kind.value,
            occurred_at=now,
            reference=extra.pop("reference", local.reference),
            customer_id=local.customer_id,
            subscription_id=local.subscription_id,
            status=local.status,
            current_period_start=local.period_start,
            current_period_end=local.period_end,
            trial_end=local.trial_end,
            cancel_at_period_end=local.cancel_at_period_end,
            plan_id=local.plan.get("slug", ""),
            **extra,
        )

    def _emit(self, kind: EventKind, local: LocalSubscription, now: dt.datetime, **extra) -> None:
        webhooks.process(self._event(kind, local, now, **extra))

    def _emit_invoice(
        self, kind: EventKind, local: LocalSubscription, now: dt.datetime, amount: int, *, invoice_id: str | None = None
    ) -> None:
        """An invoice for a charge of ``amount`` at the plan's prices: taxed as the subscription is."""
        rate = tax_rate()
        taxed = apply_tax(amount, rate, inclusive=local.tax_inclusive)
        webhooks.process(
            self._event(
                kind,
                local,
                now,
                invoice_id=invoice_id or _new_id("in"),
                amount_minor=taxed.total_minor,
                currency=local.plan["currency"],
                tax_minor=taxed.tax_minor,
                tax_label=rate.label if rate and taxed.tax_minor else "",
            )
        )
