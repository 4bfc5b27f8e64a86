"""What the account page shows about a reader's subscription."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from masthead.core import clock
from masthead.payments.billing import charge_for_interval
from masthead.payments.interface import ProviderError
from masthead.payments.registry import get_provider
from masthead.publishing.selectors import visible_article

from .entitlements import entitlement
from .models import Checkout, Payment, Plan, Subscription
from .schedule import describe_plan, describe_subscription
from .selectors import (
    current_subscription,
    discount_to_come,
    grace_period,
    paid_intervals,
    subscription_discount,
    subscription_facts,
    tax_terms,
)
from .services import offer_terms
from .states import Status

STATUS_LABELS = {
    Status.TRIALING: gettext_noop("Free trial"),
    Status.ACTIVE: gettext_noop("Active"),
    Status.PAST_DUE: gettext_noop("Payment failed — please update your card"),
    Status.CANCELED: gettext_noop("Canceled — access continues until the end of the period"),
    Status.EXPIRED: gettext_noop("Expired"),
    Status.INCOMPLETE: gettext_noop("Waiting for payment"),
}


@dataclass(frozen=True)
class NextCharge:
    amount: int
    at: dt.datetime
    plus_tax: bool = False  # the publication's prices leave tax out, and tax is charged on top


def _next_charge(subscription: Subscription) -> NextCharge | None:
    if subscription.status not in (Status.TRIALING, Status.ACTIVE) or subscription.cancel_at_period_end:
        return None
    at = subscription.trial_end if subscription.status == Status.TRIALING else subscription.current_period_end
    if at is None:
        return None
    terms = offer_terms(subscription.offer) if subscription.offer else None
    amount = charge_for_interval(
        subscription.plan.amount_minor, terms, paid_intervals(subscription) + 1, subscription_discount(subscription)
    )
    tax = tax_terms()
    return NextCharge(amount, at, plus_tax=tax.collected and not tax.prices_include_tax)


def cancel_message(subscription: Subscription) -> str:
    """What the reader is told once their cancellation is done: what really happens next."""
    if subscription.status == Status.EXPIRED:
        return _(
            "Your subscription is canceled and your card will not be charged again. As the last payment did not "
            "go through, your full access ends now."
        )
    access = entitlement(subscription_facts(subscription), clock.now(), grace=grace_period())
    if access.full_access and access.until:
        return _("Your subscription is canceled. You keep full access until %(date)s.") % {
            "date": date_format(timezone.localtime(access.until), "DATE_FORMAT")
        }
    return _("Your subscription is canceled.")


def account_context(user, *, return_url: str) -> dict:
    subscription = current_subscription(user)
    if subscription is None:
        return {"subscription": None}
    access = entitlement(subscription_facts(subscription), clock.now(), grace=grace_period())
    portal_url = None
    if subscription.provider_customer_id:
        try:
            portal_url = get_provider(subscription.provider).portal_url(
                customer_id=subscription.provider_customer_id, return_url=return_url
            )
        except ProviderError:
            portal_url = None
    payments = list(subscription.payments.all()[:24])
    schedule = describe_subscription(subscription, now=clock.now())
    return {
        "subscription": subscription,
        "status_label": _(STATUS_LABELS[Status(subscription.status)]),
        "next_charge": _next_charge(subscription),
        # What the coming charges are, in words ("$3 a month for 2 months from December 15, then ...").
        "schedule": schedule,
        # The same words, labelled as the discount while one given to it is still to come.
        "discount_schedule": schedule if discount_to_come(subscription) else "",
        "access_until": access.until if access.full_access else None,
        "payments": payments,
        "payments_taxed": any(payment.tax_minor for payment in payments),  # net, tax and total columns
        "other_plans": list(Plan.objects.filter(active=True).exclude(pk=subscription.plan_id)),
        "portal_url": portal_url,
    }


@dataclass(frozen=True)
class Confirmation:
    """What the page after payment says: what was bought, its schedule, where the receipt went, the story."""

    checkout: Checkout
    subscription: Subscription | None  # None while the provider's confirmation has not arrived yet
    schedule: str  # "$3 a month for 3 months, then $12 a month from February 15, 2027"
    paid: Payment | None  # today's payment; None for a free trial
    email: str
    article: object | None  # the story that brought the reader, if readers may still see it

    @property
    def name(self) -> str:
        return self.checkout.offer.name if self.checkout.offer else self.checkout.plan.name


def checkout_confirmation(user, *, session_id: str, now: dt.datetime) -> Confirmation | None:
    """The reader's own checkout that the provider's session id names; None when they have no such checkout.

    Everything shown comes from our rows, never from the address: another reader's session id finds nothing.
    """
    session_id = session_id.strip()[:120]
    if not session_id or not session_id.isascii() or not session_id.isprintable() or not user.is_authenticated:
        return None
    checkout = Checkout.objects.select_related("plan", "offer").filter(user=user, session_id=session_id).first()
    if checkout is None:
        return None
    subscription = Subscription.objects.select_related("plan", "offer").filter(checkout=checkout).first()
    if subscription is None and checkout.state == Checkout.State.EXPIRED:
        return None  # never paid: nothing to confirm
    paid = None
    if subscription is not None:
        paid = subscription.payments.filter(outcome=Payment.Outcome.PAID, amount_minor__gt=0).order_by("at").first()
    started = subscription.created_at if subscription is not None else now
    article = visible_article(checkout.source_article_id)
    return Confirmation(
        checkout=checkout,
        subscription=subscription,
        schedule=describe_plan(checkout.plan, checkout.offer, now=started),
        paid=paid,
        email=user.email or user.get_username(),
        article=article,
    )
