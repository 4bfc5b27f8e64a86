"""Reads: what is on sale, and what a reader has."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import pgettext

from masthead.core import clock
from masthead.payments.billing import Discount
from masthead.payments.registry import collects_tax
from masthead.publishing.selectors import current_publication

from .entitlements import Entitlement, SubscriptionFacts, best_entitlement
from .models import Eligibility, Offer, OfferPurpose, Payment, Plan, Subscription
from .states import Status


@dataclass(frozen=True, slots=True)
class TaxTerms:
    """What readers are told about tax: prices include it, or it is added at checkout (when it is charged)."""

    prices_include_tax: bool  # the publication's word (Publication.prices_include_tax)
    collected: bool  # the payment provider charges tax (Stripe Tax on, or the local provider's rate)


def tax_terms() -> TaxTerms:
    return TaxTerms(current_publication().prices_include_tax, collects_tax())


def grace_period() -> dt.timedelta:
    return dt.timedelta(days=settings.MASTHEAD_GRACE_DAYS)


def live_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(active=True)


def live_offers(now: dt.datetime | None = None) -> QuerySet[Offer]:
    """Offers on sale now: active, started, not ended, on a live plan, with redemptions left; never a retention
    offer (those are shown only on the way to canceling: ``services.retention_offer_for``)."""
    moment = now or clock.now()
    capped_out = Q(redemption_cap__isnull=False) & Q(redemptions__gte=F("redemption_cap"))
    return (
        Offer.objects.filter(
            active=True, starts_at__lte=moment, ends_at__gt=moment, plan__active=True, purpose=OfferPurpose.SALE
        )
        .exclude(capped_out)
        .select_related("plan")
    )


def live_public_offers(now: dt.datetime | None = None) -> QuerySet[Offer]:
    """Live offers anyone can see: those without a code, except win-back offers (only lapsed readers may take
    them; their email links to them)."""
    return live_offers(now).filter(code="").exclude(eligibility=Eligibility.LAPSED)


# A win-back email does not offer what ends before the reader has had a day to take it.
WINBACK_OFFER_NOTICE = dt.timedelta(days=1)


def winback_candidates(now: dt.datetime) -> list[Offer]:
    """Live offers open to lapsed readers, for the win-back email: win-back offers first, soonest ending first."""
    offers = live_offers(now).filter(
        eligibility__in=[Eligibility.LAPSED, Eligibility.NEW_OR_LAPSED], ends_at__gte=now + WINBACK_OFFER_NOTICE
    )
    return sorted(offers, key=lambda offer: (offer.eligibility != Eligibility.LAPSED, offer.ends_at, offer.pk))


def carried_choice(
    plan_id: int, offer_id: int | None, code: str, now: dt.datetime | None = None
) -> tuple[Plan, Offer | None] | None:
    """The live plan, and the offer on sale for it, that a choice carried through the account step names.

    None when either is gone or was never on show to this reader: a retention offer, an ended or capped
    one, or one that needs a code the choice does not carry. So an offer's name is only ever echoed back
    to a reader who could have seen it on /subscribe.
    """
    plan = live_plans().filter(pk=plan_id).first()
    if plan is None or offer_id is None:
        return (plan, None) if plan else None
    offer = live_offers(now).filter(pk=offer_id, plan=plan).first()
    if offer is None or (offer.code and code.strip().lower() != offer.code.lower()):
        return None
    return plan, offer


def offer_deadline(offer: Offer, this_year: int) -> str:
    """ "April 30th" in the active language and time zone; with the year when it is not ``this_year``."""
    ends = timezone.localtime(offer.ends_at)
    if ends.year == this_year:
        fmt = pgettext("date format of an offer's deadline", "F jS")
    else:
        fmt = pgettext("date format of an offer's deadline in another year", "F jS, Y")
    return dateformat.format(ends, fmt)


def offers_on_show(now: dt.datetime | None = None, *, code: str = "", chosen: str = "") -> list[Offer]:
    """The live public offers, and those unlocked by ``code``, each with ``deadline_label`` ("April 30th").

    ``chosen`` is an offer's slug from a link (a win-back email's): that live offer comes first, marked
    ``chosen``, when it is public or ``code`` unlocks it, or it is a win-back offer without a code.
    """
    moment = now or clock.now()
    this_year = timezone.localtime(moment).year
    offers = list(live_public_offers(moment))
    if code.strip():
        offers = list(live_offers(moment).filter(code__iexact=code.strip())) + offers
    if chosen:
        match = next((offer for offer in offers if offer.slug == chosen), None)
        if match is None:
            match = live_offers(moment).filter(slug=chosen, code="", eligibility=Eligibility.LAPSED).first()
        if match is not None:
            match.chosen = True
            offers = [match] + [offer for offer in offers if offer.pk != match.pk]
    for offer in offers:
        offer.deadline_label = offer_deadline(offer, this_year)
    return offers


def subscription_facts(subscription: Subscription) -> SubscriptionFacts:
    return SubscriptionFacts(
        status=Status(subscription.status),
        current_period_end=subscription.current_period_end,
        trial_end=subscription.trial_end,
        ever_paid=subscription.ever_paid,
    )


def reader_entitlement(user, now: dt.datetime | None = None) -> Entitlement:
    """The reader's best entitlement across their subscriptions (one query)."""
    subscriptions = (
        Subscription.objects.filter(user_id=user.pk)
        .exclude(status=Status.INCOMPLETE)
        .only("status", "current_period_end", "trial_end", "ever_paid")
    )
    return best_entitlement([subscription_facts(s) for s in subscriptions], now or clock.now(), grace=grace_period())


def current_subscription(user) -> Subscription | None:
    """The subscription the account page shows: the newest one that is not over, else the newest."""
    subscriptions = Subscription.objects.filter(user_id=user.pk).select_related("plan", "offer")
    live = subscriptions.exclude(status__in=[Status.EXPIRED, Status.INCOMPLETE]).first()
    return live or subscriptions.exclude(status=Status.INCOMPLETE).first()


@dataclass(frozen=True)
class ReaderHistoryFacts:
    has_current_subscription: bool
    ever_subscribed: bool


def reader_history(user) -> ReaderHistoryFacts:
    statuses = set(
        Subscription.objects.filter(user_id=user.pk).exclude(status=Status.INCOMPLETE).values_list("status", flat=True)
    )
    return ReaderHistoryFacts(
        has_current_subscription=bool(statuses - {Status.EXPIRED}), ever_subscribed=bool(statuses)
    )


def subscription_discount(subscription: Subscription) -> Discount | None:
    """The discount given to the running subscription (a retention offer taken), or None."""
    if not subscription.discount_percent_off or not subscription.discount_intervals:
        return None
    return Discount(
        subscription.discount_percent_off, subscription.discount_first_interval, subscription.discount_intervals
    )


def paid_intervals(subscription: Subscription) -> int:
    """How many intervals the subscription has paid for (the renewals count from here)."""
    return subscription.payments.filter(outcome=Payment.Outcome.PAID).count()


def discount_to_come(subscription: Subscription) -> bool:
    """Whether a discount given to the subscription still lowers one of its coming charges."""
    discount = subscription_discount(subscription)
    return discount is not None and discount.first_interval + discount.intervals - 1 > paid_intervals(subscription)
