"""What each payment event does to Masthead's subscriptions. Registered with payments.webhooks.

Handlers are upserts under row locks, and skip provider state older than what was already applied,
so duplicates, parallel deliveries and out-of-order events all end in the same place:
- a subscription event older than the one applied is ignored; one from the same second is ignored when it is
  at an earlier stage of the provider's lifecycle (PROVIDER_STAGE);
- a paid subscription never goes back to INCOMPLETE;
- a payment failure for an invoice older than the last paid one is ignored (no change, no email);
- a paid invoice we had as failed (the provider's retry succeeded) is recorded paid and counts as a payment.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from masthead.core import clock
from masthead.payments.interface import EventKind, PaymentEvent, ProviderStatus
from masthead.payments.registry import get_provider
from masthead.payments.webhooks import Ignored, NotReady, latest_event, register

from . import hooks
from .checkouts import lock_reader, subscription_started
from .lifecycle import apply_event, move_to
from .models import Checkout, Payment, Subscription
from .money import format_money
from .notifications import notify
from .services import card_notice_key, card_notice_send, checkout_redeemed
from .states import Event, Status, can, provider_may_move

# The provider's status (ProviderStatus, its vocabulary) → ours (Status). Some words are spelled alike
# and mean different things: the provider's CANCELED is over, so it is our EXPIRED, while our CANCELED
# (full access until the period ends, and it can be resumed) is the provider's ACTIVE or TRIALING set to
# cancel at the period's end. UNPAID (the provider gave up retrying) stays PAST_DUE: the grace period ends
# it. PAUSED, and any status this table does not know, leave ours as it is.
PROVIDER_STATUS: dict[str, Status] = {
    ProviderStatus.INCOMPLETE: Status.INCOMPLETE,
    ProviderStatus.TRIALING: Status.TRIALING,
    ProviderStatus.ACTIVE: Status.ACTIVE,
    ProviderStatus.PAST_DUE: Status.PAST_DUE,
    ProviderStatus.UNPAID: Status.PAST_DUE,
    ProviderStatus.CANCELED: Status.EXPIRED,
    ProviderStatus.INCOMPLETE_EXPIRED: Status.EXPIRED,
}


# The provider's lifecycle, stage by stage. Stripe stamps events to the second, and several from one second
# may arrive in any order: among those, the later stage is the newer state. Within a stage, a pending cancel
# (cancel_at_period_end) is later than none. A status missing here ranks first: it never wins a tie.
PROVIDER_STAGE: dict[str, int] = {
    ProviderStatus.INCOMPLETE: 1,
    ProviderStatus.TRIALING: 2,
    ProviderStatus.ACTIVE: 3,
    ProviderStatus.PAST_DUE: 4,
    ProviderStatus.UNPAID: 5,
    ProviderStatus.PAUSED: 5,
    ProviderStatus.CANCELED: 6,
    ProviderStatus.INCOMPLETE_EXPIRED: 6,
}


def provider_stage(status: ProviderStatus | str, *, cancel_at_period_end: bool) -> tuple[int, bool]:
    """Where ``status`` stands in the provider's lifecycle; compare two with ``<``."""
    return PROVIDER_STAGE.get(status, 0), cancel_at_period_end


def status_from_provider(status: ProviderStatus | str, *, cancel_at_period_end: bool) -> Status | None:
    """Our Status for the provider's ``status``, or None when ours should stay as it is.

    ``cancel_at_period_end`` turns the provider's running subscription (active or trialing) into our
    CANCELED: the provider keeps calling it active until the period ends, and only then says canceled.
    """
    ours = PROVIDER_STATUS.get(status)
    if ours in (Status.ACTIVE, Status.TRIALING) and cancel_at_period_end:
        return Status.CANCELED
    return ours


def _locked(event: PaymentEvent) -> Subscription | None:
    if not event.subscription_id:
        return None
    return Subscription.objects.select_for_update().filter(provider_subscription_id=event.subscription_id).first()


def _create_from_checkout(event: PaymentEvent) -> Subscription | None:
    """The subscription a confirmed checkout becomes (once, however many events say so)."""
    if not event.reference:
        return None
    reader = Checkout.objects.filter(reference=event.reference).values_list("user_id", flat=True).first()
    if reader is None:
        return None
    lock_reader(reader)  # the reader's checkouts become subscriptions one at a time (subscription_started)
    checkout = Checkout.objects.select_for_update().filter(reference=event.reference).first()
    existing = Subscription.objects.select_for_update().filter(checkout=checkout).first()
    if existing is not None:
        if event.subscription_id and not existing.provider_subscription_id:
            existing.provider_subscription_id = event.subscription_id
            existing.save(update_fields=["provider_subscription_id"])
        return existing
    try:
        with transaction.atomic():
            subscription = Subscription.objects.create(
                user=checkout.user,
                plan=checkout.plan,
                offer=checkout.offer,
                checkout=checkout,
                source_article_id=checkout.source_article_id,
                status=Status.INCOMPLETE,
                provider=checkout.provider,
                provider_customer_id=event.customer_id,
                provider_subscription_id=event.subscription_id or None,
                created_at=clock.now(),
            )
    except IntegrityError:  # a parallel delivery created it first
        return _locked(event)
    checkout.state = Checkout.State.COMPLETED
    checkout.save(update_fields=["state"])
    checkout_redeemed(checkout)
    _adopt_saved_card(subscription)
    if subscription_started(subscription):
        notify("welcome", subscription.pk)
    return subscription


def _subscription_for(event: PaymentEvent) -> Subscription:
    subscription = _locked(event) or _create_from_checkout(event)
    if subscription is None:
        raise NotReady(f"no subscription known for {event.subscription_id or event.reference or 'this event'} yet")
    return subscription


def _sync_period(subscription: Subscription, event: PaymentEvent) -> None:
    if event.customer_id and event.customer_id != subscription.provider_customer_id:
        subscription.provider_customer_id = event.customer_id
        _adopt_saved_card(subscription)
    if event.current_period_start:
        subscription.current_period_start = event.current_period_start
    if event.current_period_end:
        subscription.current_period_end = event.current_period_end
    if event.trial_end:
        subscription.trial_end = event.trial_end
    if event.cancel_at_period_end is not None:
        subscription.cancel_at_period_end = event.cancel_at_period_end


def _staleness(subscription: Subscription, event: PaymentEvent) -> str:
    """Why the event's subscription state is older than the state applied ("" when it is not)."""
    applied_at = subscription.provider_synced_at
    if applied_at is None:
        return ""
    if event.occurred_at < applied_at:
        return "older than the state already applied"
    pending_cancel = (
        subscription.cancel_at_period_end if event.cancel_at_period_end is None else event.cancel_at_period_end
    )
    if event.occurred_at == applied_at and provider_stage(
        event.status, cancel_at_period_end=pending_cancel
    ) < provider_stage(subscription.provider_status, cancel_at_period_end=subscription.cancel_at_period_end):
        return f"same second as the state applied ({subscription.provider_status}), at an earlier stage"
    return ""


def _applied(subscription: Subscription, event: PaymentEvent) -> None:
    """Remember the newest provider state applied, to order the events that come after it."""
    subscription.provider_synced_at = event.occurred_at
    subscription.provider_status = str(event.status)


def on_checkout_completed(event: PaymentEvent) -> str:
    subscription = _subscription_for(event)
    _sync_period(subscription, event)
    if (
        subscription.status == Status.INCOMPLETE
        and subscription.trial_end
        and event.status in {"", ProviderStatus.TRIALING}
    ):
        apply_event(subscription, Event.TRIAL_STARTED, note="checkout completed with a free trial")
        return "trial started"
    subscription.save()
    return "checkout recorded"


def on_subscription_changed(event: PaymentEvent) -> str:
    subscription = _subscription_for(event)
    if stale := _staleness(subscription, event):
        raise Ignored(stale)
    _sync_period(subscription, event)
    target = status_from_provider(event.status, cancel_at_period_end=subscription.cancel_at_period_end)
    if target is not None and not provider_may_move(target, ever_paid=subscription.ever_paid):
        raise Ignored(f"a paid subscription does not go back to {target}")  # and the handler's changes roll back
    _applied(subscription, event)
    if target is None:
        subscription.save()
        return f"provider status {event.status!r} kept as is"
    if target == Status.ACTIVE and subscription.status == Status.INCOMPLETE and not subscription.ever_paid:
        subscription.save()  # active only once its first invoice is paid
        return "waiting for the first payment"
    move_to(subscription, target, note=f"{event.provider_type} ({event.status})")
    return f"status {subscription.status}"


def on_subscription_deleted(event: PaymentEvent) -> str:
    subscription = _subscription_for(event)
    _sync_period(subscription, event)
    if subscription.provider_synced_at is None or event.occurred_at >= subscription.provider_synced_at:
        _applied(subscription, event)  # the end: every later stage ranks below it
    move_to(subscription, Status.EXPIRED, note=event.provider_type)
    if not subscription.expiry_notice_sent:
        subscription.expiry_notice_sent = True
        subscription.save(update_fields=["expiry_notice_sent"])
        notify("access_expired", subscription.pk)
    return "expired"


def _record_payment(subscription: Subscription, event: PaymentEvent, outcome: str) -> Payment | None:
    """The invoice's payment, created or changed by this event; None when the event changes nothing.

    An invoice is recorded once. A failed one can become paid (the provider's retry succeeded); a paid one
    stays paid.
    """
    if not event.invoice_id:
        return None
    payment, created = Payment.objects.select_for_update().get_or_create(
        provider_invoice_id=event.invoice_id,
        defaults={
            "subscription": subscription,
            "outcome": outcome,
            "amount_minor": event.amount_minor or 0,
            "currency": event.currency or subscription.plan.currency,
            "at": event.occurred_at,
            "period_end": event.current_period_end,
            "tax_minor": event.tax_minor or 0,
            "tax_label": event.tax_label[:60],
        },
    )
    if created:
        return payment
    if payment.outcome == Payment.Outcome.FAILED and outcome == Payment.Outcome.PAID:
        payment.outcome = outcome
        payment.at = event.occurred_at
        if event.amount_minor is not None:
            payment.amount_minor = event.amount_minor
        if event.tax_minor is not None:
            payment.tax_minor, payment.tax_label = event.tax_minor, event.tax_label[:60]
        payment.period_end = payment.period_end or event.current_period_end
        payment.save(update_fields=["outcome", "at", "amount_minor", "period_end", "tax_minor", "tax_label"])
        return payment
    return None


def _older_than_the_last_paid(subscription: Subscription, event: PaymentEvent) -> bool:
    """Whether the event's invoice bills a period that ended before the last paid invoice's period."""
    if event.current_period_end is None:
        return False
    last_paid = subscription.payments.filter(outcome=Payment.Outcome.PAID).aggregate(end=Max("period_end"))["end"]
    return last_paid is not None and event.current_period_end < last_paid


def _first_paid(subscription: Subscription, payment: Payment) -> bool:
    """Whether ``payment`` is the subscription's first paid invoice for more than nothing (a free trial's
    invoice of 0, which Stripe sends at the trial's start, is not one)."""
    if not payment.amount_minor:
        return False
    earlier = subscription.payments.filter(outcome=Payment.Outcome.PAID, amount_minor__gt=0).exclude(pk=payment.pk)
    return not earlier.exists()


def on_invoice_paid(event: PaymentEvent) -> str:
    subscription = _subscription_for(event)
    payment = _record_payment(subscription, event, Payment.Outcome.PAID)
    if payment is None and event.invoice_id:
        raise Ignored("invoice already recorded as paid")
    if not event.amount_minor and subscription.status == Status.TRIALING:
        # The invoice of nothing Stripe pays as a free trial starts: kept for the record, but no payment.
        # The trial stays a trial until its first real charge, and the reader has not paid.
        return "a trial's invoice of nothing recorded; still trialing"
    subscription.ever_paid = True
    if event.current_period_end and (
        subscription.current_period_end is None or event.current_period_end > subscription.current_period_end
    ):
        subscription.current_period_start = event.current_period_start or subscription.current_period_start
        subscription.current_period_end = event.current_period_end
    subscription.dunning_started_at, subscription.dunning_step = None, 0  # a payment ends the dunning
    if can(subscription.status, Event.PAYMENT_SUCCEEDED):
        apply_event(subscription, Event.PAYMENT_SUCCEEDED, note=f"invoice {event.invoice_id} paid")
    else:
        subscription.save()
    if payment is not None and _first_paid(subscription, payment):
        hooks.reached(
            hooks.SubscriptionMilestone(
                hooks.Milestone.FIRST_PAYMENT,
                subscription.pk,
                subscription.user_id,
                payment.at,
                subscription.source_article_id,
            )
        )
    if payment is not None and payment.amount_minor:
        notify(
            "receipt",
            subscription.pk,
            amount_label=format_money(payment.amount_minor, payment.currency),
            payment_id=payment.pk,
        )
    return f"paid; status {subscription.status}"


def on_invoice_payment_failed(event: PaymentEvent) -> str:
    subscription = _subscription_for(event)
    if _older_than_the_last_paid(subscription, event):
        raise Ignored("a failure for an invoice older than the last one paid")
    payment = _record_payment(subscription, event, Payment.Outcome.FAILED)
    if payment is None and event.invoice_id:
        raise Ignored("this invoice is already recorded as failed, or as paid")
    if can(subscription.status, Event.PAYMENT_FAILED):
        apply_event(subscription, Event.PAYMENT_FAILED, note=f"invoice {event.invoice_id} failed")
    if subscription.status != Status.PAST_DUE:
        notify("payment_failed", subscription.pk)
        return f"payment failed; status {subscription.status}"
    if subscription.dunning_started_at is not None:
        # Already in its grace period: the tick's dunning steps tell the reader, on their days.
        return "payment failed again; dunning continues"
    # Day 0 of the grace period: its first step (this email) is recorded with the failure that started it.
    subscription.dunning_started_at, subscription.dunning_step = event.occurred_at, 1
    subscription.save(update_fields=["dunning_started_at", "dunning_step"])
    notify("payment_failed", subscription.pk)
    return "payment failed; status past_due; dunning started"


def _card_key(event: PaymentEvent) -> str:
    return card_notice_key(event.card_fingerprint, event.card_last4, event.card_exp_month, event.card_exp_year)


def _save_card(subscription: Subscription, event: PaymentEvent) -> bool:
    """Keep the card the event names on the subscription, unless a newer word about its card came first."""
    if subscription.card_saved_at is not None and subscription.card_saved_at > event.occurred_at:
        return False
    subscription.card_last4, subscription.card_fingerprint = event.card_last4, event.card_fingerprint
    subscription.card_exp_month, subscription.card_exp_year = event.card_exp_month, event.card_exp_year
    subscription.card_saved_at = event.occurred_at
    subscription.save(
        update_fields=["card_last4", "card_fingerprint", "card_exp_month", "card_exp_year", "card_saved_at"]
    )
    return True


def _adopt_saved_card(subscription: Subscription) -> None:
    """The card saved for the customer before the subscription was known here (a hosted Checkout saves it first)."""
    if subscription.card_saved_at is not None or not get_provider(subscription.provider).hosted_checkout:
        return
    saved = latest_event(
        provider=subscription.provider, kind=EventKind.CARD_SAVED, customer_id=subscription.provider_customer_id
    )
    if saved is not None:
        _save_card(subscription, saved)


def on_card_saved(event: PaymentEvent) -> str:
    """A card was saved for the customer (Checkout, the Billing Portal), or its network renewed it: keep its
    expiry on the customer's running subscriptions. One not known yet takes it when it is (``_sync_period``)."""
    if not event.customer_id:
        raise Ignored("the event names no customer")
    running = Subscription.objects.select_for_update().filter(
        provider=event.provider,
        provider_customer_id=event.customer_id,
        status__in=[Status.ACTIVE, Status.TRIALING, Status.PAST_DUE, Status.CANCELED],
    )
    saved = sum(_save_card(subscription, event) for subscription in running)
    if not saved:
        raise Ignored("no running subscription of this customer yet, or a newer card is known")
    return f"kept the card on {saved} subscription(s)"


def on_card_expiring(event: PaymentEvent) -> str:
    """The card paying for a running subscription expires at the end of next month: tell its reader, once."""
    running = Subscription.objects.select_for_update().filter(
        provider=event.provider,
        status__in=[Status.ACTIVE, Status.TRIALING],
        cancel_at_period_end=False,
    )
    if event.subscription_id:
        running = running.filter(provider_subscription_id=event.subscription_id)
    elif event.customer_id:
        running = running.filter(provider_customer_id=event.customer_id)
    else:
        raise Ignored("the event names no customer or subscription")
    key, told = _card_key(event), 0
    for subscription in running:
        told += card_notice_send(
            subscription, key=key, last4=event.card_last4, month=event.card_exp_month, year=event.card_exp_year
        )
    if not told:
        raise Ignored("no running subscription to tell, or its reader was already told about this card")
    return f"told {told} reader(s) their card expires next month"


HANDLERS = {
    EventKind.CHECKOUT_COMPLETED: on_checkout_completed,
    EventKind.SUBSCRIPTION_CREATED: on_subscription_changed,
    EventKind.SUBSCRIPTION_UPDATED: on_subscription_changed,
    EventKind.SUBSCRIPTION_DELETED: on_subscription_deleted,
    EventKind.INVOICE_PAID: on_invoice_paid,
    EventKind.INVOICE_PAYMENT_FAILED: on_invoice_payment_failed,
    EventKind.CARD_EXPIRING: on_card_expiring,
    EventKind.CARD_SAVED: on_card_saved,
}


def register_handlers() -> None:
    for kind, handler in HANDLERS.items():
        register(kind, handler)
