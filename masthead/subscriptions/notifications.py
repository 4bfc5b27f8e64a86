"""Emails to readers about their subscription, sent by Django's tasks framework after the change commits.

Two kinds, kept apart. Transactional email (``EMAILS``: receipts, failed payments, expiries) goes to every
reader with an address and carries no unsubscribe. Marketing email (``MARKETING_EMAILS``: the win-back offer)
goes only to readers who have not opted out, only with a one-click unsubscribe (RFC 8058 headers and a link
in the text), and so only when the site has a public address (MASTHEAD_SITE_URL) to build that link on.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

EMAILS = (
    "welcome",
    "receipt",
    "trial_ending",
    "payment_failed",
    "payment_reminder",
    "card_expiring",
    "access_expired",
)
MARKETING_EMAILS = ("winback",)

logger = logging.getLogger(__name__)


@task
def send_subscription_email(
    *,
    kind: str,
    subscription_id: int,
    amount_label: str = "",
    payment_id: int = 0,
    card_last4: str = "",
    card_expiry: str = "",
) -> None:
    from masthead.core import clock
    from masthead.publishing.selectors import current_publication

    from .entitlements import entitlement
    from .models import Payment, Subscription
    from .schedule import describe_subscription
    from .selectors import grace_period, subscription_facts

    subscription = Subscription.objects.select_related("user", "plan", "offer").filter(pk=subscription_id).first()
    if subscription is None or not subscription.user.email:
        return
    publication = current_publication()
    with translation.override(publication.language):
        context = {
            "subscription": subscription,
            "publication": publication,
            "amount": amount_label,
            # The payment a receipt is for (its tax lines); None for other emails.
            "payment": Payment.objects.filter(pk=payment_id, subscription=subscription).first() if payment_id else None,
            "site_url": settings.MASTHEAD_SITE_URL,
            "access_until": entitlement(subscription_facts(subscription), clock.now(), grace=grace_period()).until,
            "card_last4": card_last4,
            "card_expiry": card_expiry,
            # What the subscription charges from here on, in the one schedule writer's words ("" for none).
            "schedule": describe_subscription(subscription, now=clock.now()),
        }
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscription.user.email])


def notify(kind: str, subscription_id: int, **details: str | int) -> None:
    """Queue an email once the current transaction commits (never for a change that rolled back).

    ``details`` are ``send_subscription_email``'s own keywords (amount_label, payment_id, card_last4, ...).
    """
    if kind not in EMAILS:
        raise ValueError(f"unknown email {kind!r}")
    transaction.on_commit(
        lambda: send_subscription_email.enqueue(kind=kind, subscription_id=subscription_id, **details)
    )


def offer_link(offer) -> str:
    """The subscribe page with ``offer`` chosen (and its code, if it needs one), on the public address."""
    query = {"offer": offer.slug, **({"code": offer.code} if offer.code else {})}
    base = settings.MASTHEAD_SITE_URL.rstrip("/") + reverse("subscriptions:offers")
    return f"{base}?{urlencode(query)}#offer-{offer.slug}"


@task
def send_marketing_email(*, kind: str, user_id: int, offer_id: int) -> None:
    """A marketing email about ``offer``; nothing when the reader has opted out since it was queued."""
    from django.contrib.auth import get_user_model

    from masthead.accounts.marketing import unsubscribe_headers, unsubscribe_url
    from masthead.accounts.selectors import marketing_allowed
    from masthead.core import clock
    from masthead.publishing.selectors import current_publication

    from .models import Offer
    from .schedule import describe_plan
    from .selectors import offer_deadline

    user = get_user_model().objects.filter(pk=user_id).first()
    offer = Offer.objects.select_related("plan").filter(pk=offer_id).first()
    if user is None or offer is None or not marketing_allowed(user):
        return
    unsubscribe = unsubscribe_url(user)
    if not unsubscribe:
        logger.warning("marketing email %s not sent: MASTHEAD_SITE_URL is not set, so it has no unsubscribe", kind)
        return
    publication = current_publication()
    now = clock.now()
    with translation.override(publication.language), timezone.override(publication.time_zone):
        context = {
            "publication": publication,
            "offer": offer,
            "schedule": describe_plan(offer.plan, offer, now=now),
            "deadline": offer_deadline(offer, timezone.localtime(now).year),
            "offer_url": offer_link(offer),
            "unsubscribe_url": unsubscribe,
            "site_url": settings.MASTHEAD_SITE_URL,
        }
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}.txt", context)
    EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], headers=unsubscribe_headers(unsubscribe)
    ).send()


def notify_marketing(kind: str, *, user_id: int, offer_id: int) -> None:
    """Queue a marketing email once the current transaction commits."""
    if kind not in MARKETING_EMAILS:
        raise ValueError(f"unknown marketing email {kind!r}")
    transaction.on_commit(lambda: send_marketing_email.enqueue(kind=kind, user_id=user_id, offer_id=offer_id))
