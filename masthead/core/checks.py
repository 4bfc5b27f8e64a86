"""Django system checks for Masthead's settings: a set-up that would hurt readers or money is refused.

Each function checks one concern and only reads settings, so the checks live here, in the lowest
layer. settings.py has already refused values that cannot be right anywhere (an unknown provider or
meter store, a number that is not one); these are the ones that are fine for the demo but wrong in
production, or incomplete. Errors stop ``manage.py check``, ``migrate``, ``collectstatic`` and
``runserver``; those registered with ``deploy=True`` run under ``manage.py check --deploy``.

    masthead.E001  the stripe provider without STRIPE_API_KEY
    masthead.E002  the stripe provider without STRIPE_WEBHOOK_SECRET
    masthead.E003  the local provider (free payments) with DEBUG off, unless MASTHEAD_ALLOW_LOCAL_PAYMENTS
    masthead.E004  (deploy) an email sender on a domain no mail reaches, with DEBUG off
    masthead.E005  (deploy) no MASTHEAD_SITE_URL with DEBUG off
    masthead.E006  (deploy) a MASTHEAD_SITE_URL that is not an http(s) address
    masthead.E007  the stripe provider with MASTHEAD_LOCAL_TAX_RATE (the local provider's rate: never charged)
    masthead.W001  a STRIPE_API_KEY that is not a secret key (sk_… or rk_…)
    masthead.W002  a STRIPE_WEBHOOK_SECRET that is not a signing secret (whsec_…)
    masthead.W003  (deploy) a MASTHEAD_SITE_URL whose host ALLOWED_HOSTS refuses
    masthead.W004  (deploy) the memory meter store with DEBUG off
    masthead.W005  the local provider with MASTHEAD_STRIPE_TAX on (no Stripe Tax is computed)
    masthead.W006  (subscriptions/checks.py) a grace period that ends before the last dunning reminder
    masthead.E040, E041, W040, W041  (insights/checks.py) who may read the operator metrics, and how they count
    masthead.W020  (deploy) MASTHEAD_INSIGHTS_FLUSH_SECONDS=0 with DEBUG off (a write in every article request)
"""

from __future__ import annotations

from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host

TAG = "masthead"
# Top-level domains reserved by RFC 2606 and RFC 6761: no mail is ever delivered from or to them.
RESERVED_DOMAINS = ("invalid", "test", "example", "localhost")


def stripe_key_errors() -> list[checks.Error]:
    """What the stripe provider lacks; payments.registry refuses to build it on the same grounds."""
    errors = []
    if not settings.STRIPE_API_KEY:
        errors.append(
            checks.Error(
                "The stripe provider needs STRIPE_API_KEY, which is not set.",
                hint="Set STRIPE_API_KEY to the secret key (sk_live_…) from the Stripe dashboard, Developers → "
                "API keys. Without it every checkout fails.",
                id="masthead.E001",
            )
        )
    if not settings.STRIPE_WEBHOOK_SECRET:
        errors.append(
            checks.Error(
                "The stripe provider needs STRIPE_WEBHOOK_SECRET, which is not set.",
                hint="Set STRIPE_WEBHOOK_SECRET to the signing secret (whsec_…) of the webhook endpoint "
                "/payments/webhooks/stripe/. Without it no payment reaches a subscription.",
                id="masthead.E002",
            )
        )
    return errors


@checks.register(TAG)
def check_stripe_keys(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The stripe provider needs its API key and its webhook signing secret, in development too."""
    if settings.MASTHEAD_PAYMENT_PROVIDER != "stripe":
        return []
    messages: list[checks.CheckMessage] = list(stripe_key_errors())
    key, secret = settings.STRIPE_API_KEY, settings.STRIPE_WEBHOOK_SECRET
    if key and not key.startswith(("sk_", "rk_")):
        messages.append(
            checks.Warning(
                f"STRIPE_API_KEY starts with {key[:3]!r}; a secret key starts with 'sk_' (or 'rk_', restricted).",
                hint="A publishable key (pk_…) cannot start a checkout: copy the secret key instead.",
                id="masthead.W001",
            )
        )
    if secret and not secret.startswith("whsec_"):
        messages.append(
            checks.Warning(
                "STRIPE_WEBHOOK_SECRET does not start with 'whsec_'.",
                hint="Copy the endpoint's signing secret from the Stripe dashboard, Developers → Webhooks; "
                "with another value every webhook is refused as unsigned.",
                id="masthead.W002",
            )
        )
    return messages


@checks.register(TAG)
def check_local_payments(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The local provider takes any valid card number for free: production must choose it on purpose."""
    if settings.MASTHEAD_PAYMENT_PROVIDER != "local" or settings.DEBUG or settings.MASTHEAD_ALLOW_LOCAL_PAYMENTS:
        return []
    return [
        checks.Error(
            "DEBUG is off and the payment provider is local: its checkout page prints test cards and "
            "gives a real subscription for any valid card number, without taking money.",
            hint="Set MASTHEAD_PAYMENT_PROVIDER=stripe with STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET, or, "
            "for a demo or test site, set MASTHEAD_ALLOW_LOCAL_PAYMENTS=1 to accept free subscriptions.",
            id="masthead.E003",
        )
    ]


@checks.register(TAG, deploy=True)
def check_sender(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Emails (verification, password reset, receipts) need a sender on a domain that exists."""
    if settings.DEBUG:
        return []
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2].rstrip(".").lower()
    if "@" in address and domain and domain.rsplit(".", 1)[-1] not in RESERVED_DOMAINS:
        return []
    return [
        checks.Error(
            f"The email sender {settings.DEFAULT_FROM_EMAIL!r} is not on a domain mail can come from.",
            hint="Set MASTHEAD_FROM_EMAIL to an address of your own domain, e.g. newsroom@news.example.com "
            "(the default, newsroom@masthead.invalid, is for development only).",
            id="masthead.E004",
        )
    ]


@checks.register(TAG, deploy=True)
def check_site_url(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Links in emails are built on MASTHEAD_SITE_URL: production needs it, as an address readers can open."""
    site_url = settings.MASTHEAD_SITE_URL
    if not site_url:
        if settings.DEBUG:
            return []
        return [
            checks.Error(
                "MASTHEAD_SITE_URL is not set, so links in emails have no address to point to.",
                hint="Set MASTHEAD_SITE_URL to the public address, e.g. https://news.example.com",
                id="masthead.E005",
            )
        ]
    parts = urlsplit(site_url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [
            checks.Error(
                f"MASTHEAD_SITE_URL {site_url!r} is not an http(s) address.",
                hint="Give the scheme and host, e.g. https://news.example.com",
                id="masthead.E006",
            )
        ]
    if not settings.DEBUG and not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return [
            checks.Warning(
                f"MASTHEAD_SITE_URL's host {parts.hostname!r} is not in ALLOWED_HOSTS: links in emails "
                "would lead to a site that answers 400.",
                hint=f"Add {parts.hostname} to ALLOWED_HOSTS, or correct MASTHEAD_SITE_URL.",
                id="masthead.W003",
            )
        ]
    return []


@checks.register(TAG, deploy=True)
def check_meter_store(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The memory meter store counts per worker process and forgets at every restart."""
    if settings.DEBUG or settings.MASTHEAD_METER_STORE != "memory":
        return []
    return [
        checks.Warning(
            "MASTHEAD_METER_STORE is memory with DEBUG off: each worker counts free articles alone and "
            "forgets them when it restarts, so readers get more than the meter allows.",
            hint="Leave MASTHEAD_METER_STORE unset (redis with REDIS_URL, else database).",
            id="masthead.W004",
        )
    ]


@checks.register(TAG)
def check_tax(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each provider reads its own tax setting and ignores the other's: a set-up naming the wrong one is flagged."""
    provider = settings.MASTHEAD_PAYMENT_PROVIDER
    if provider == "stripe" and settings.MASTHEAD_LOCAL_TAX_RATE is not None:
        return [
            checks.Error(
                f"MASTHEAD_LOCAL_TAX_RATE is {settings.MASTHEAD_LOCAL_TAX_RATE.label}, but the stripe provider never "
                "charges it: "
                + (
                    "Stripe Tax computes the tax from each reader's address."
                    if settings.MASTHEAD_STRIPE_TAX
                    else "no tax is charged at all, whatever the site was meant to collect."
                ),
                hint="Unset MASTHEAD_LOCAL_TAX_RATE (it is the local provider's simulation), and set "
                "MASTHEAD_STRIPE_TAX=on to collect tax through Stripe Tax.",
                id="masthead.E007",
            )
        ]
    if provider == "local" and settings.MASTHEAD_STRIPE_TAX:
        return [
            checks.Warning(
                "MASTHEAD_STRIPE_TAX is on, but the payment provider is local: no Stripe Tax is computed.",
                hint="The local provider charges the one rate MASTHEAD_LOCAL_TAX_RATE names (e.g. VAT 20%); "
                "set that to show tax in the demo, or MASTHEAD_PAYMENT_PROVIDER=stripe.",
                id="masthead.W005",
            )
        ]
    return []


@checks.register(TAG, deploy=True)
def check_insights_flush(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Flushing the decision counts within each request makes every article page wait on a database write."""
    if settings.DEBUG or settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS != 0:
        return []
    return [
        checks.Warning(
            "MASTHEAD_INSIGHTS_FLUSH_SECONDS is 0 with DEBUG off: every article page waits on a database write "
            "of its decision count, and on SQLite the workers queue for the one writer.",
            hint="Leave MASTHEAD_INSIGHTS_FLUSH_SECONDS unset (5: each worker writes its counts every 5 seconds "
            "and when it stops); 0 is for tests.",
            id="masthead.W020",
        )
    ]
