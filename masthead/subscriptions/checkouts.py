"""What a payment must pass at the moment money moves, decided under locks.

The local provider takes the payment itself and runs ``payment_guard`` inside the payment's transaction
(registered at ``ready()``). What was checked when the checkout began is checked again there, because a
checkout page can be paid long after it opened, and twice in parallel.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping
from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from masthead.core import clock
from masthead.payments.interface import ProviderError
from masthead.payments.providers.local.provider import PayAttempt, PaymentRefused
from masthead.payments.registry import get_provider

from . import offers as offer_rules
from .lifecycle import note_change
from .models import Checkout, OfferKind, Subscription, TrialCard
from .services import REFUSAL_MESSAGES, checkout_expired, offer_refusal, offer_reserve, offer_terms, plan_terms
from .states import Status

logger = logging.getLogger(__name__)

# The terms that decide what the reader is charged: a change to any of them after the checkout page was shown
# means the reader starts again and sees the new price.
PLAN_PRICE_TERMS = ("amount_minor", "currency", "interval")
TRIAL_CARD_USED = gettext_noop("This card has already been used for a free trial. You can subscribe without the trial.")
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


def trial_card_claim(*, provider: str, fingerprint: str, checkout: Checkout | None, now: dt.datetime) -> bool:
    """Record that this card starts a free trial; False when it already started one (one trial per card).

    The unique constraint decides between parallel claims; inside the payment's transaction, a refusal later
    on rolls the claim back. A provider that reports no fingerprint gives nothing to hold against the reader.
    """
    if not fingerprint:
        return True
    try:
        with transaction.atomic():
            TrialCard.objects.create(
                provider=provider,
                fingerprint=fingerprint,
                user_id=checkout.user_id if checkout else None,
                checkout=checkout,
                created_at=now,
            )
    except IntegrityError:
        return False
    return True


def lock_reader(user_id: int) -> None:
    """Hold the reader's row until the transaction ends: their payments are decided one at a time.

    PostgreSQL takes the row lock (FOR UPDATE); SQLite ignores it, and needs none, because its IMMEDIATE
    transactions already run one at a time.
    """
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk", flat=True))


def reader_is_subscribed(
    user_id: int, *, other_than: Checkout | None = None, other_subscription: Subscription | None = None
) -> bool:
    """A subscription that is not over, or another paid checkout whose subscription is not recorded yet."""
    subscriptions = Subscription.objects.filter(user_id=user_id).exclude(status__in=[Status.EXPIRED, Status.INCOMPLETE])
    if other_subscription is not None:
        subscriptions = subscriptions.exclude(pk=other_subscription.pk)
    if subscriptions.exists():
        return True
    paid = Checkout.objects.filter(user_id=user_id, state=Checkout.State.COMPLETED)
    if other_than is not None:
        paid = paid.exclude(pk=other_than.pk)
    return paid.filter(Q(subscription__isnull=True) | Q(subscription__status=Status.INCOMPLETE)).exists()


def payment_guard(attempt: PayAttempt) -> None:
    """Registered with the local provider: refuse a payment that must not go through (raises PaymentRefused).

    Runs inside the payment's transaction. The reader's row is locked first, so two checkouts of one reader
    paid at once are decided one after the other, and the second sees the first marked completed.
    """
    found = Checkout.objects.filter(reference=attempt.reference).values_list("user_id", flat=True).first()
    if found is None:
        raise PaymentRefused(_("This checkout does not exist."))
    lock_reader(found)
    checkout = Checkout.objects.select_related("plan", "offer", "user").get(reference=attempt.reference)
    if checkout.state == Checkout.State.COMPLETED:
        raise PaymentRefused(_("This checkout has already been paid."))
    if checkout.state == Checkout.State.EXPIRED or checkout_expired(checkout, attempt.now):
        raise PaymentRefused(_("This checkout has expired. Please start again from the offers page."))
    if refusal := price_refusal(checkout, attempt):
        raise PaymentRefused(refusal)
    if reader_is_subscribed(checkout.user_id, other_than=checkout):
        raise PaymentRefused(_("You already have a subscription. Change your plan from your account page."))
    if checkout.offer is not None:
        code = checkout.offer.code  # the code was checked when the checkout began
        if refusal := offer_refusal(checkout.offer, plan=checkout.plan, user=checkout.user, code=code, now=attempt.now):
            raise PaymentRefused(refusal)
        if (attempt.offer or {}).get("trial_days") and not trial_card_claim(
            provider="local", fingerprint=attempt.card_fingerprint, checkout=checkout, now=attempt.now
        ):
            raise PaymentRefused(_(TRIAL_CARD_USED))
        # Reserved last, after every other check: a refusal after it would roll it back all the same.
        if not checkout.redemption_reserved and not offer_reserve(offer_id=checkout.offer_id):
            raise PaymentRefused(_(REFUSAL_MESSAGES[offer_rules.Refusal.CAP_REACHED]))
        checkout.redemption_reserved = True
    # Marked paid inside the payment's transaction, under the reader's lock: from the commit on, another
    # checkout of this reader is refused even before the provider's events have recorded the subscription.
    checkout.state = Checkout.State.COMPLETED
    checkout.save(update_fields=["state", "redemption_reserved"])


# -- a hosted checkout (Stripe), checked once it has become a subscription ---------------------------------
def subscription_started(subscription: Subscription) -> bool:
    """A checkout has just become ``subscription`` (inside the provider event's transaction, the reader locked).

    Returns whether to welcome the reader. The local provider's guard checked everything before the money
    moved. A hosted checkout (Stripe) could not be checked then, so it is checked now:
    - a reader who already had a subscription has paid for a second one: it is flagged for staff
      (``attention``) and, once this commits, canceled at the provider and its payment refunded;
    - a free trial is checked, once this commits, against the fingerprint of the card paying for it.
    """
    if not get_provider(subscription.provider).hosted_checkout:
        return True
    if reader_is_subscribed(subscription.user_id, other_than=subscription.checkout, other_subscription=subscription):
        # On the instance too: the handler saves it again after this.
        subscription.attention = "Duplicate: the reader already had a subscription when this checkout was paid."
        subscription.save(update_fields=["attention"])
        note_change(
            subscription,
            "duplicate",
            note="a second subscription of a subscribed reader: canceled and refunded at the provider",
        )
        transaction.on_commit(partial(_end_duplicate, subscription.pk))
        return False
    if subscription.offer is not None and subscription.offer.kind == OfferKind.FREE_TRIAL:
        transaction.on_commit(partial(_check_trial_card, subscription.pk))
    return True


def _flag(subscription_id: int, note: str) -> None:
    """Add ``note`` to what staff see on the subscription."""
    current = Subscription.objects.filter(pk=subscription_id).values_list("attention", flat=True).first() or ""
    text = f"{current} {note}".strip()
    Subscription.objects.filter(pk=subscription_id).update(attention=text[-300:])


def _end_duplicate(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return
    if not subscription.provider_subscription_id:
        _flag(subscription_id, "The provider named no subscription: cancel and refund it by hand.")
        return
    try:
        get_provider(subscription.provider).refund_and_cancel(subscription_id=subscription.provider_subscription_id)
    except ProviderError as error:
        logger.error("duplicate subscription %s could not be ended: %s", subscription_id, error)
        _flag(subscription_id, f"The provider could not end it ({error}): cancel and refund it by hand.")
    else:
        _flag(subscription_id, "Canceled and refunded at the provider.")


def _check_trial_card(subscription_id: int) -> None:
    subscription = Subscription.objects.select_related("checkout").filter(pk=subscription_id).first()
    if subscription is None or not subscription.provider_subscription_id:
        return
    provider = get_provider(subscription.provider)
    try:
        fingerprint = provider.card_fingerprint(subscription_id=subscription.provider_subscription_id)
    except ProviderError as error:
        logger.warning("the card of trial %s could not be read: %s", subscription_id, error)
        _flag(subscription_id, "The card's fingerprint could not be read: one trial per card was not checked.")
        return
    with transaction.atomic():
        if trial_card_claim(
            provider=subscription.provider, fingerprint=fingerprint, checkout=subscription.checkout, now=clock.now()
        ):
            return
    _flag(subscription_id, "A second free trial on a card that already had one.")
    try:
        provider.cancel_now(subscription_id=subscription.provider_subscription_id)
    except ProviderError as error:
        _flag(subscription_id, f"The provider could not end it ({error}): cancel it by hand.")
    else:
        _flag(subscription_id, "Canceled at the provider before any charge.")
