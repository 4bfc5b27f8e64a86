"""Changes to subscriptions that readers and the clock ask for."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from masthead.accounts.selectors import marketing_allowed
from masthead.core import clock
from masthead.payments.interface import (
    CheckoutRequest,
    CheckoutStart,
    DiscountTerms,
    Interval,
    OfferTerms,
    PlanTerms,
    ProviderError,
)
from masthead.payments.registry import get_provider, provider_name
from masthead.publishing.selectors import current_publication

from . import offers as offer_rules
from .entitlements import DUNNING_DAYS, EXPIRY_EVENTS, dunning_steps_due, expiry_event
from .lifecycle import apply_event, note_change
from .models import (
    CancellationFeedback,
    CancelReason,
    Checkout,
    Eligibility,
    Offer,
    OfferKind,
    OfferPurpose,
    Plan,
    Subscription,
)
from .notifications import notify, notify_marketing
from .selectors import (
    discount_to_come,
    grace_period,
    paid_intervals,
    reader_history,
    subscription_facts,
    winback_candidates,
)
from .states import Event, Status, can

logger = logging.getLogger(__name__)
TRIAL_REMINDER = dt.timedelta(days=3)
# A checkout can be paid for an hour (at its old price, with its old offer); one carrying an offer closes when the
# offer ends, if that is sooner, and one that would close within MINIMUM_CHECKOUT_TIME is not started (Stripe
# takes an expiry between 30 minutes and 24 hours ahead).
CHECKOUT_LIFETIME = dt.timedelta(hours=1)
MINIMUM_CHECKOUT_TIME = dt.timedelta(minutes=31)
EXPIRY_MARGIN = dt.timedelta(hours=1)
# The win-back email goes out the publication's ``winback_days`` after access ends; a tick that missed a few
# days still sends it, but a lapse older than this window is left alone (say, when an offer first appears).
WINBACK_WINDOW = dt.timedelta(days=7)


class CheckoutRefused(Exception):
    """The reader cannot start this checkout; the message says why, for the reader."""


REFUSAL_MESSAGES = {
    offer_rules.Refusal.NOT_STARTED: gettext_noop("This offer has not started yet."),
    offer_rules.Refusal.ENDED: gettext_noop("This offer has ended."),
    offer_rules.Refusal.INACTIVE: gettext_noop("This offer is no longer available."),
    offer_rules.Refusal.WRONG_PLAN: gettext_noop("This offer is for another plan."),
    offer_rules.Refusal.WRONG_CODE: gettext_noop("That offer code is not valid."),
    offer_rules.Refusal.CAP_REACHED: gettext_noop("This offer has been fully redeemed."),
    offer_rules.Refusal.NOT_ELIGIBLE: gettext_noop("This offer is for new subscribers."),
    offer_rules.Refusal.RETURNING_ONLY: gettext_noop("This offer is for returning subscribers."),
}


def plan_terms(plan: Plan) -> PlanTerms:
    return PlanTerms(
        plan.slug, plan.name, plan.amount_minor, plan.currency, Interval(plan.interval), plan.provider_plan_id
    )


def offer_terms(offer: Offer) -> OfferTerms:
    return OfferTerms(
        code=offer.slug,
        trial_days=offer.trial_days if offer.kind == OfferKind.FREE_TRIAL else 0,
        percent_off=offer.percent_off if offer.kind == OfferKind.PERCENT_OFF else 0,
        percent_off_intervals=offer.percent_off_intervals if offer.kind == OfferKind.PERCENT_OFF else 0,
        intro_amount_minor=offer.intro_amount_minor if offer.kind == OfferKind.INTRO_PRICE else None,
        intro_intervals=offer.intro_intervals if offer.kind == OfferKind.INTRO_PRICE else 0,
        provider_coupon_id=offer.provider_coupon_id,
    )


def offer_rules_of(offer: Offer) -> offer_rules.OfferRules:
    """The offer's row as the pure offer rules read it (sale and retention rules alike)."""
    return offer_rules.OfferRules(
        plan_id=offer.plan_id,
        starts_at=offer.starts_at,
        ends_at=offer.ends_at,
        active=offer.active,
        code=offer.code,
        redemption_cap=offer.redemption_cap,
        redemptions=offer.redemptions,
        lapsed_allowed=offer.eligibility == Eligibility.NEW_OR_LAPSED,
        lapsed_only=offer.eligibility == Eligibility.LAPSED,
    )


def offer_refusal(offer: Offer, *, plan: Plan, user, code: str, now: dt.datetime) -> str | None:
    if offer.purpose != OfferPurpose.SALE:
        return _(REFUSAL_MESSAGES[offer_rules.Refusal.INACTIVE])  # a retention offer is never sold
    history = reader_history(user)
    reason = offer_rules.refusal(
        offer_rules_of(offer),
        plan_id=plan.pk,
        code=code,
        reader=offer_rules.ReaderHistory(history.has_current_subscription, history.ever_subscribed),
        now=now,
    )
    return _(REFUSAL_MESSAGES[reason]) if reason else None


def checkout_begin(
    *,
    user,
    plan: Plan,
    offer: Offer | None,
    code: str = "",
    success_url: str,
    cancel_url: str,
    source_article_id: int | None = None,
    summary: str = "",
) -> CheckoutStart:
    """Start paying for ``plan`` (with ``offer``); raises CheckoutRefused with a reader-facing reason.

    ``source_article_id`` is the article the reader came from (checked by the caller to exist): the
    conversion's source, copied to the subscription when it starts. ``summary`` is the price schedule in
    words, shown on a hosted checkout page.
    """
    now = clock.now()
    if not plan.active:
        raise CheckoutRefused(_("This plan is no longer sold."))
    if reader_history(user).has_current_subscription:
        raise CheckoutRefused(_("You already have a subscription. Change your plan from your account page."))
    if offer is not None:
        refusal = offer_refusal(offer, plan=plan, user=user, code=code, now=now)
        if refusal:
            raise CheckoutRefused(refusal)
    expires_at = checkout_expires_at(now=now, offer=offer)
    if expires_at < now + MINIMUM_CHECKOUT_TIME:
        raise CheckoutRefused(_("This offer ends in a few minutes: too soon to complete a payment."))
    # Built first, for the reference the provider is given, and saved only once the provider has answered:
    # a provider that cannot be reached leaves no row behind, and no transaction (on SQLite, the write
    # lock) is held open across the network call.
    checkout = Checkout(
        user=user,
        plan=plan,
        offer=offer,
        provider=provider_name(),
        created_at=now,
        expires_at=expires_at,
        source_article_id=source_article_id,
    )
    previous = Subscription.objects.filter(user=user).exclude(provider_customer_id="").first()
    request = CheckoutRequest(
        reference=str(checkout.reference),
        email=user.email or user.get_username(),
        customer_id=previous.provider_customer_id if previous and previous.provider == checkout.provider else "",
        plan=plan_terms(plan),
        offer=offer_terms(offer) if offer else None,
        success_url=success_url,
        cancel_url=cancel_url,
        expires_at=expires_at,
        prices_include_tax=current_publication().prices_include_tax,
        summary=summary,
    )
    try:
        provider = get_provider()
        if offer is not None and provider.hosted_checkout:
            _reserve_for_hosted_checkout(checkout)
        start = provider.start_checkout(request)
    except ProviderError as error:
        logger.error("checkout could not start: %s", error)
        if checkout.redemption_reserved:
            _unreserve_unstarted(checkout)
        raise CheckoutRefused(_("Payments are unavailable right now. Please try again in a few minutes.")) from error
    checkout.session_id = start.session_id
    checkout.save()
    return start


def _reserve_for_hosted_checkout(checkout: Checkout) -> None:
    """Take the offer's redemption before the reader is sent to pay on the provider's page.

    The reservation and its checkout row commit together, before the provider is asked; a checkout that is
    never paid gives the redemption back when it expires (``checkouts_expire``), even if this process dies.
    """
    with transaction.atomic():
        if not offer_reserve(offer_id=checkout.offer_id):
            raise CheckoutRefused(_(REFUSAL_MESSAGES[offer_rules.Refusal.CAP_REACHED]))
        checkout.redemption_reserved = True
        checkout.save()


def _unreserve_unstarted(checkout: Checkout) -> None:
    with transaction.atomic():
        if Checkout.objects.filter(pk=checkout.pk, redemption_reserved=True).delete()[0]:
            offer_release(offer_id=checkout.offer_id)


def offer_reserve(*, offer_id: int) -> bool:
    """Take one of the offer's redemptions in one conditional UPDATE; False when none is left.

    The database decides: of any number of parallel callers, at most ``redemption_cap`` succeed (PostgreSQL
    re-checks the condition on the row a concurrent UPDATE has just changed; SQLite runs them one at a time).
    """
    room = Q(redemption_cap__isnull=True) | Q(redemptions__lt=F("redemption_cap"))
    return Offer.objects.filter(room, pk=offer_id).update(redemptions=F("redemptions") + 1) == 1


def offer_release(*, offer_id: int) -> None:
    """Give back one reserved redemption."""
    Offer.objects.filter(pk=offer_id, redemptions__gt=0).update(redemptions=F("redemptions") - 1)


def checkout_redeemed(checkout: Checkout) -> None:
    """A checkout became a subscription: its offer's redemption counts (already, when it was reserved)."""
    if checkout.offer_id and not checkout.redemption_reserved:
        # Paid without a reservation (a checkout from before reservations, or confirmed after it expired):
        # the money was taken, so the redemption counts even past the cap.
        _offer_count(checkout.offer_id)


def _offer_count(offer_id: int) -> None:
    """Count one redemption of the offer even past its cap: the provider already gave it."""
    Offer.objects.filter(pk=offer_id).update(redemptions=F("redemptions") + 1)


def checkouts_expire(now: dt.datetime) -> int:
    """Close checkouts left unpaid past their expiry, giving back their reserved redemptions. Safe to repeat.

    A provider's word that a checkout was paid can arrive a little after its page closed, so a checkout is
    closed EXPIRY_MARGIN after its expiry; one confirmed later still becomes a subscription (and counts).
    """
    cutoff = now - EXPIRY_MARGIN
    due = Checkout.objects.filter(state=Checkout.State.OPEN).filter(
        Q(expires_at__lte=cutoff) | Q(expires_at__isnull=True, created_at__lte=cutoff - CHECKOUT_LIFETIME)
    )
    closed = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            checkout = Checkout.objects.select_for_update().filter(pk=pk, state=Checkout.State.OPEN).first()
            if checkout is None:
                continue  # paid or closed since the list was read
            if checkout.redemption_reserved and checkout.offer_id:
                offer_release(offer_id=checkout.offer_id)
            checkout.state, checkout.redemption_reserved = Checkout.State.EXPIRED, False
            checkout.save(update_fields=["state", "redemption_reserved"])
            closed += 1
    return closed


def checkout_expires_at(*, now: dt.datetime, offer: Offer | None) -> dt.datetime:
    expires_at = now + CHECKOUT_LIFETIME
    return min(expires_at, offer.ends_at) if offer is not None else expires_at


def checkout_expired(checkout: Checkout, now: dt.datetime) -> bool:
    expires_at = checkout.expires_at or checkout.created_at + CHECKOUT_LIFETIME  # rows from before expiry existed
    return now >= expires_at


def _owned(user, subscription_id: int) -> Subscription:
    return Subscription.objects.select_for_update().get(pk=subscription_id, user=user)


@transaction.atomic
def subscription_cancel(*, user, subscription_id: int) -> Subscription:
    """Cancel at the end of a paid (or trial) period, which the reader keeps; or now, when it is past due.

    A past due subscription's period was never paid, so there is nothing to keep: the provider is told to end
    it now, before anything changes here (else it keeps retrying the card, and a retry that succeeds brings
    the subscription back). A provider that cannot be reached leaves everything as it was.
    """
    subscription = _owned(user, subscription_id)
    if subscription.status == Status.PAST_DUE:
        # The reader asked for it: no "your access has expired" email when the provider confirms.
        subscription.expiry_notice_sent = True
        subscription.save(update_fields=["expiry_notice_sent"])
        # Said first in the history: the provider's event may end the subscription (as it ends any) before the
        # cancel below is recorded, and insights tells a reader's cancel from a failed payment by this.
        note_change(subscription, "cancel_requested", note="the reader canceled while past due")
        if subscription.provider_subscription_id:
            get_provider(subscription.provider).cancel_now(subscription_id=subscription.provider_subscription_id)
            subscription.refresh_from_db()
        if can(subscription.status, Event.CANCEL):  # not yet expired by the provider's event
            apply_event(subscription, Event.CANCEL, note="canceled by the reader while past due; ended at the provider")
        return subscription
    get_provider(subscription.provider).cancel_at_period_end(subscription_id=subscription.provider_subscription_id)
    subscription.refresh_from_db()
    subscription.cancel_at_period_end = True
    if can(subscription.status, Event.CANCEL):
        apply_event(subscription, Event.CANCEL, note="canceled by the reader")
    else:
        subscription.save()
    return subscription


@transaction.atomic
def subscription_resume(*, user, subscription_id: int) -> Subscription:
    subscription = _owned(user, subscription_id)
    if subscription.status != Status.CANCELED:
        return subscription
    get_provider(subscription.provider).resume(subscription_id=subscription.provider_subscription_id)
    subscription.refresh_from_db()
    subscription.cancel_at_period_end = False
    trial_running = subscription.trial_end and subscription.trial_end > clock.now() and not subscription.ever_paid
    event = Event.RESUME_TRIAL if trial_running else Event.RESUME
    if can(subscription.status, event):
        apply_event(subscription, event, note="resumed by the reader")
    else:
        subscription.save()
    return subscription


class ChangeRefused(Exception):
    """The reader cannot make this change now; the message says why, for the reader."""


@transaction.atomic
def subscription_change_plan(*, user, subscription_id: int, plan: Plan) -> Subscription:
    """Move a running subscription to ``plan`` now; the provider prorates and charges the change at once.

    An offer belongs to its plan (an introductory price, a percentage off, a free trial): it ends here, so
    renewals charge the new plan's price. The provider credits the unused part of the current period and
    charges the rest now, on a new period (``payments.billing.plan_change``); its events bring the new period
    and the payment here. A declined card (PaymentDeclined) changes nothing.
    """
    subscription = _owned(user, subscription_id)
    if not plan.active or plan.pk == subscription.plan_id:
        return subscription
    if subscription.status not in (Status.ACTIVE, Status.TRIALING) or not subscription.provider_subscription_id:
        raise ChangeRefused(_("Please update your card before changing plan."))
    old_plan, old_offer = subscription.plan, subscription.offer
    get_provider(subscription.provider).change_plan(
        subscription_id=subscription.provider_subscription_id, plan=plan_terms(plan)
    )
    subscription.refresh_from_db()
    subscription.plan, subscription.offer = plan, None
    if subscription.trial_end and subscription.trial_end > clock.now():
        subscription.trial_end = clock.now()  # a trial is an offer too: it ended with the change
    # A retention discount ends with its plan too (the providers drop it: local and Stripe alike).
    subscription.discount_percent_off = subscription.discount_first_interval = subscription.discount_intervals = 0
    subscription.save(
        update_fields=[
            "plan",
            "offer",
            "trial_end",
            "discount_percent_off",
            "discount_first_interval",
            "discount_intervals",
            "updated_at",
        ]
    )
    ended = f"; the offer {old_offer.name!r} ended" if old_offer else ""
    note_change(subscription, "plan_changed", note=f"plan {old_plan.slug} → {plan.slug}{ended}")
    return subscription


# -- canceling, with a reason and perhaps a retention offer -------------------------------------------------


class RetentionRefused(Exception):
    """The retention offer cannot be taken (any more); the message says so, for the reader."""


def _subscriber_state(subscription: Subscription) -> offer_rules.SubscriberState:
    running = discount_to_come(subscription)
    last = (
        CancellationFeedback.objects.filter(
            subscription__user_id=subscription.user_id, outcome=CancellationFeedback.Outcome.KEPT
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    return offer_rules.SubscriberState(
        plan_id=subscription.plan_id,
        paid_and_running=subscription.status == Status.ACTIVE
        and subscription.ever_paid
        and not subscription.cancel_at_period_end,
        discount_running=running,
        last_retention_at=last,
    )


def retention_offer_for(subscription: Subscription, now: dt.datetime | None = None) -> Offer | None:
    """The one retention offer shown to this subscription's reader on the way to canceling, or None."""
    moment = now or clock.now()
    candidates = Offer.objects.filter(
        purpose=OfferPurpose.RETENTION,
        kind=OfferKind.PERCENT_OFF,
        active=True,
        plan_id=subscription.plan_id,
        starts_at__lte=moment,
        ends_at__gt=moment,
    ).order_by("ends_at", "pk")
    if not candidates.exists():
        return None
    state = _subscriber_state(subscription)
    return next(
        (
            offer
            for offer in candidates
            if offer_rules.retention_refusal(offer_rules_of(offer), subscriber=state, now=moment) is None
        ),
        None,
    )


def _feedback(subscription: Subscription, *, reason: str, text: str, offered: Offer | None, outcome: str) -> None:
    CancellationFeedback.objects.create(
        subscription=subscription,
        reason=CancelReason(reason) if reason else "",
        text=text.strip()[:2000],
        offered=offered,
        outcome=outcome,
        at=clock.now(),
    )


@transaction.atomic
def subscription_cancel_with_reason(*, user, subscription_id: int, reason: str = "", text: str = "") -> Subscription:
    """The second step of canceling: store why (and the retention offer shown), then cancel as
    ``subscription_cancel`` does. A subscription that is not running any more is left as it is."""
    subscription = _owned(user, subscription_id)
    if subscription.status not in (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE):
        return subscription
    offered = retention_offer_for(subscription)
    canceled = subscription_cancel(user=user, subscription_id=subscription_id)
    _feedback(canceled, reason=reason, text=text, offered=offered, outcome=CancellationFeedback.Outcome.CANCELED)
    return canceled


@transaction.atomic
def subscription_keep_with_offer(
    *, user, subscription_id: int, offer_id: int, reason: str = "", text: str = ""
) -> Subscription:
    """The reader takes the retention offer instead of canceling: the provider takes the discount off the next
    charges, and the subscription runs on. Raises RetentionRefused when that offer is not (any more) theirs to
    take, and ProviderError when the provider fails; either way nothing changes here.

    The provider is asked first, holding only this reader's subscription row, and the redemption is taken
    after: the offer's row, which every taker updates, is not held locked over a provider's round trip. Had
    the cap been reached meanwhile, the discount the provider set counts all the same (as a checkout paid past
    the cap does): our rows must say what the reader is charged. A provider error may hide a discount that was
    set (a lost reply); the offer is then shown again, and taking it again is safe, as ``apply_discount`` sets
    the same discount only once."""
    subscription = _owned(user, subscription_id)
    offer = retention_offer_for(subscription)
    if offer is None or offer.pk != offer_id:
        raise RetentionRefused(_("That offer is not available. Your subscription was not changed."))
    months = offer.percent_off_intervals * (12 if subscription.plan.interval == Interval.YEAR else 1)
    get_provider(subscription.provider).apply_discount(
        subscription_id=subscription.provider_subscription_id,
        discount=DiscountTerms(offer.percent_off, offer.percent_off_intervals, months, offer.provider_coupon_id),
    )
    if not offer_reserve(offer_id=offer.pk):
        _offer_count(offer.pk)  # taken by others meanwhile: this one was set all the same
    subscription.discount_percent_off = offer.percent_off
    subscription.discount_first_interval = paid_intervals(subscription) + 1
    subscription.discount_intervals = offer.percent_off_intervals
    subscription.save(update_fields=["discount_percent_off", "discount_first_interval", "discount_intervals"])
    _feedback(subscription, reason=reason, text=text, offered=offer, outcome=CancellationFeedback.Outcome.KEPT)
    note_change(subscription, "retention_offer_taken", note=f"took {offer.name!r} instead of canceling")
    return subscription


def subscriptions_tick(now: dt.datetime | None = None) -> dict[str, int]:
    """Time-based work for cron: renewals and retries of the local provider, trial reminders, dunning, card expiry
    notices, expiries, win-back emails. Safe to repeat, and to run in parallel: each step is recorded with the
    work it does."""
    now = now or clock.now()
    counts = {
        "renewed": 0,
        "reminded": 0,
        "expired": 0,
        "checkouts_closed": 0,
        "dunning": 0,
        "cards_expiring": 0,
        "winback": 0,
    }
    local = provider_name() == "local" or _has_local()
    counts["renewed"] = get_provider("local").renew_due(now) if local else 0
    counts["cards_expiring"] = get_provider("local").cards_expiring(now) if local else 0
    counts["cards_expiring"] += cards_expiring(now)
    for subscription in Subscription.objects.filter(
        status__in=[Status.TRIALING, Status.CANCELED],
        trial_reminder_sent=False,
        ever_paid=False,
        trial_end__gt=now,
        trial_end__lte=now + TRIAL_REMINDER,
    ):
        subscription.trial_reminder_sent = True
        subscription.save(update_fields=["trial_reminder_sent"])
        if subscription.status == Status.TRIALING:
            notify("trial_ending", subscription.pk)
            counts["reminded"] += 1
    counts["expired"] = _expire_due(now)
    counts["dunning"] = dunning_due(now)
    counts["checkouts_closed"] = checkouts_expire(now)
    counts["winback"] = winback_send_due(now)
    return counts


def dunning_due(now: dt.datetime) -> int:
    """Take the dunning steps that have come (days 3 and 6 of the grace period); returns how many were taken.

    A step is: the local provider retries the card (the failure itself was day 0), and, unless the retry paid,
    the reader is reminded that access ends on a date, with a link to update the card. The step is counted on
    the subscription in the transaction that takes it, under the row's lock, and checked again once the lock
    is held: a tick run twice, or two at once, takes it once. A tick that missed a day takes only the latest
    step (one retry, one email). A payment ends the dunning (``handlers.on_invoice_paid``).
    """
    taken = 0
    grace = grace_period()
    candidates = Subscription.objects.filter(
        status=Status.PAST_DUE, dunning_started_at__isnull=False, dunning_step__lt=len(DUNNING_DAYS)
    )
    for pk, provider, provider_subscription_id in candidates.values_list("pk", "provider", "provider_subscription_id"):
        with transaction.atomic():
            if provider == "local" and provider_subscription_id:
                # The local provider's own paths (a new card, a renewal) lock its row and then, handling their
                # events, ours: the same order here, else a tick and a card update at once deadlock.
                get_provider("local").lock(subscription_id=provider_subscription_id)
            locked = Subscription.objects.select_for_update().filter(pk=pk, status=Status.PAST_DUE).first()
            if locked is None or locked.dunning_started_at is None:
                continue  # paid, canceled or expired since the list was read
            due = dunning_steps_due(locked.dunning_started_at, now)
            if locked.dunning_step >= due or expiry_event(subscription_facts(locked), now, grace=grace):
                continue  # taken already (by this tick's twin), or the grace period is over: access ends instead
            locked.dunning_step = due
            locked.save(update_fields=["dunning_step"])
            taken += 1
            if locked.provider == "local" and locked.provider_subscription_id:
                # The retry's events are handled in this transaction; one that pays ends the dunning.
                get_provider("local").retry_payment(subscription_id=locked.provider_subscription_id, now=now)
                locked.refresh_from_db()
                if locked.status != Status.PAST_DUE:
                    continue
            notify("payment_reminder", locked.pk)
    return taken


# -- "your card expires next month", once per card ---------------------------------------------------------
def card_notice_key(fingerprint: str, last4: str, month: int | None, year: int | None) -> str:
    """One card at one expiry: a renewed card (same number, new expiry) is another card to warn about. The
    provider's event and our own rows name a card alike, so that its reader is told once, whichever comes first."""
    card = fingerprint or last4 or "card"
    return f"{card[:40]}:{year or 0}-{month or 0:02}"


def card_notice_send(subscription: Subscription, *, key: str, last4: str, month: int | None, year: int | None) -> bool:
    """Tell the reader of ``subscription`` (locked by the caller) that the card ``key`` expires next month, unless
    they were told about that card already; returns whether they were told now."""
    if subscription.card_expiry_notice_for == key:
        return False
    subscription.card_expiry_notice_for = key
    subscription.save(update_fields=["card_expiry_notice_for"])
    expiry = f"{month:02}/{year}" if month and year else ""
    notify("card_expiring", subscription.pk, card_last4=last4, card_expiry=expiry)
    return True


def cards_expiring(now: dt.datetime) -> int:
    """Tell, once per card, the readers whose saved card (as the provider's events named it: Stripe's
    PaymentMethods, of which Stripe says nothing when they near their expiry) expires at the end of next month."""
    year, month = divmod(now.year * 12 + now.month, 12)  # next month: now's month (1-12) is the 0-11 after it
    month += 1
    due = Subscription.objects.filter(
        status__in=[Status.ACTIVE, Status.TRIALING],
        cancel_at_period_end=False,
        card_exp_month=month,
        card_exp_year=year,
    )
    told = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().filter(pk=pk, card_exp_month=month, card_exp_year=year)
            subscription = locked.first()
            if subscription is None:
                continue
            key = card_notice_key(subscription.card_fingerprint, subscription.card_last4, month, year)
            told += card_notice_send(subscription, key=key, last4=subscription.card_last4, month=month, year=year)
    return told


# The statuses whose card can be updated: a subscription that will still be charged.
LIVE_STATUSES = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE, Status.CANCELED)


def subscription_card_update_url(*, user, subscription_id: int, return_url: str) -> str:
    """Where the reader replaces the card of their subscription: the provider's page, opened now.

    Raises Subscription.DoesNotExist for a subscription that is not the reader's (or has no provider side yet),
    and ProviderError when the provider cannot open its page.
    """
    subscription = Subscription.objects.get(
        pk=subscription_id, user=user, provider_subscription_id__isnull=False, status__in=LIVE_STATUSES
    )
    return get_provider(subscription.provider).card_update_url(
        subscription_id=subscription.provider_subscription_id,
        customer_id=subscription.provider_customer_id,
        return_url=return_url,
    )


def _has_local() -> bool:
    return Subscription.objects.filter(provider="local").exists()


def _expire_due(now: dt.datetime) -> int:
    expired = 0
    grace = grace_period()
    candidates = Subscription.objects.filter(status__in=list(EXPIRY_EVENTS))
    for subscription in candidates:
        with transaction.atomic():
            locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
            event = expiry_event(subscription_facts(locked), now, grace=grace)
            if event is None:
                continue
            apply_event(locked, event, note="ended by the clock")
            if not locked.expiry_notice_sent:
                locked.expiry_notice_sent = True
                locked.save(update_fields=["expiry_notice_sent"])
                notify("access_expired", locked.pk)
            expired += 1
    return expired


def winback_send_due(now: dt.datetime) -> int:
    """Send the win-back email to readers whose access ended the publication's ``winback_days`` ago.

    One email per lapse: the lapse's subscription row is marked handled in the same transaction that queues
    the email (sent when it commits), by one conditional UPDATE, so of two ticks running at once one sends.
    A reader with two lapses due at once gets one email. A reader who has opted out of marketing, or who
    has come back, is passed over for good; one with no offer open to them yet is tried again on later ticks
    within WINBACK_WINDOW. Nothing is sent without MASTHEAD_SITE_URL, the address of the unsubscribe link.
    """
    days = current_publication().winback_days
    if not days or not settings.MASTHEAD_SITE_URL:
        return 0
    due_before = now - dt.timedelta(days=days)
    unhandled = Subscription.objects.filter(status=Status.EXPIRED, winback_handled=False).annotate(
        ended_at=Max("history__at", filter=Q(history__to_status=Status.EXPIRED))
    )
    # Lapses past the window are passed over for good, so each tick looks at recent lapses only.
    stale = unhandled.filter(Q(ended_at__lte=due_before - WINBACK_WINDOW) | Q(ended_at__isnull=True))
    Subscription.objects.filter(pk__in=list(stale.values_list("pk", flat=True))).update(winback_handled=True)
    due = unhandled.filter(
        Q(ever_paid=True) | Q(trial_end__isnull=False),  # had access: not a checkout that failed
        ended_at__lte=due_before,
        ended_at__gt=due_before - WINBACK_WINDOW,
    )
    lapses: dict[int, list[int]] = {}
    for pk, user_id in due.order_by("pk").values_list("pk", "user_id"):
        lapses.setdefault(user_id, []).append(pk)
    offers = winback_candidates(now) if lapses else []
    sent = 0
    for user_id, pks in lapses.items():
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            continue  # deleted since, with its subscriptions
        with transaction.atomic():
            offer = None
            if marketing_allowed(user) and not reader_history(user).has_current_subscription:
                offer = winback_offer(user, now, candidates=offers)
                if offer is None:
                    continue  # nothing to offer yet; left for a later tick
            # The newest lapse's row decides which run sends; the others are handled with it.
            if not Subscription.objects.filter(pk=pks[-1], winback_handled=False).update(winback_handled=True):
                continue
            Subscription.objects.filter(pk__in=pks[:-1]).update(winback_handled=True)
            if offer is not None:
                notify_marketing("winback", user_id=user_id, offer_id=offer.pk)
                sent += 1
    return sent


def winback_offer(user, now: dt.datetime, *, candidates: list[Offer] | None = None) -> Offer | None:
    """The offer a lapsed ``user`` may redeem now (a win-back offer first), or None."""
    for offer in winback_candidates(now) if candidates is None else candidates:
        if offer_refusal(offer, plan=offer.plan, user=user, code=offer.code, now=now) is None:
            return offer
    return None
