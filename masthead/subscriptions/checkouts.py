"""What a payment must pass at the moment money moves, decided under locks.

The local provider takes the payment itself and runs ``payment_guard`` inside the payment's transaction
(registered at ``ready()``). What was checked when the checkout began is checked again there, because a
checkout page can be paid long after it opened, and twice in parallel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from masthead.payments.providers.local.provider import PayAttempt, PaymentRefused

from .models import Checkout
from .services import checkout_expired, offer_refusal, offer_terms, plan_terms

# The terms that decide what the reader is charged: a change to any of them after the checkout page was shown
# means the reader starts again and sees the new price.
PLAN_PRICE_TERMS = ("amount_minor", "currency", "interval")
OFFER_PRICE_TERMS = ("trial_days", "percent_off", "percent_off_intervals", "intro_amount_minor", "intro_intervals")


def _price(terms: Mapping[str, Any] | None, names: tuple[str, ...]) -> tuple:
    return tuple(str(terms.get(name)) for name in names) if terms is not None else ()


def price_refusal(checkout: Checkout, attempt: PayAttempt) -> str | None:
    """Why the checkout can no longer be paid as shown: its plan retired, or the plan's or offer's price edited."""
    if not checkout.plan.active:
        return _("This plan is no longer sold.")
    now_plan = dataclasses.asdict(plan_terms(checkout.plan))
    if _price(now_plan, PLAN_PRICE_TERMS) != _price(attempt.plan, PLAN_PRICE_TERMS):
        return _("The price of this plan has changed since you started. Please start again to see the new price.")
    now_offer = dataclasses.asdict(offer_terms(checkout.offer)) if checkout.offer else None
    if _price(now_offer, OFFER_PRICE_TERMS) != _price(attempt.offer, OFFER_PRICE_TERMS):
        return _("The terms of this offer have changed since you started. Please start again to see them.")
    return None


def payment_guard(attempt: PayAttempt) -> None:
    """Registered with the local provider: refuse a payment that must not go through (raises PaymentRefused)."""
    checkout = Checkout.objects.select_related("plan", "offer", "user").filter(reference=attempt.reference).first()
    if checkout is None:
        raise PaymentRefused(_("This checkout does not exist."))
    if checkout_expired(checkout, attempt.now):
        raise PaymentRefused(_("This checkout has expired. Please start again from the offers page."))
    if refusal := price_refusal(checkout, attempt):
        raise PaymentRefused(refusal)
    if checkout.offer is not None:
        code = checkout.offer.code  # the code was checked when the checkout began
        if refusal := offer_refusal(checkout.offer, plan=checkout.plan, user=checkout.user, code=code, now=attempt.now):
            raise PaymentRefused(refusal)
