"""Emails to readers about their subscription, sent by Django's tasks framework after the change commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import translation

EMAILS = (
    "welcome",
    "receipt",
    "trial_ending",
    "payment_failed",
    "payment_reminder",
    "card_expiring",
    "access_expired",
)


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
    from .selectors import grace_period, subscription_facts

    subscription = Subscription.objects.select_related("user", "plan").filter(pk=subscription_id).first()
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
        }
        subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"emails/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [subscription.user.email])


def notify(
    kind: str,
    subscription_id: int,
    *,
    amount_label: str = "",
    payment_id: int = 0,
    card_last4: str = "",
    card_expiry: str = "",
) -> None:
    """Queue an email once the current transaction commits (never for a change that rolled back)."""
    if kind not in EMAILS:
        raise ValueError(f"unknown email {kind!r}")
    transaction.on_commit(
        lambda: send_subscription_email.enqueue(
            kind=kind,
            subscription_id=subscription_id,
            amount_label=amount_label,
            payment_id=payment_id,
            card_last4=card_last4,
            card_expiry=card_expiry,
        )
    )
