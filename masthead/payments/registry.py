"""The one front door to payment providers: which one is configured, and getting it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from masthead.core.checks import stripe_key_errors

from .interface import PaymentProvider, ProviderError

PROVIDERS = ("local", "stripe")


class ProviderNotConfigured(ProviderError, ImproperlyConfigured):
    """The provider lacks its settings: a ProviderError to callers (the reader sees "unavailable", not a 500)."""


def provider_name() -> str:
    return settings.MASTHEAD_PAYMENT_PROVIDER


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (default: the configured one)."""
    name = name or provider_name()
    if name == "local":
        from .providers.local.provider import LocalProvider

        return LocalProvider()
    if name == "stripe":
        from .providers.stripe import StripeProvider

        if missing := stripe_key_errors():  # the same grounds as the system checks masthead.E001 and E002
            raise ProviderNotConfigured(" ".join(error.msg for error in missing))
        return StripeProvider(
            api_key=settings.STRIPE_API_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            api_base=settings.STRIPE_API_BASE or None,
            automatic_tax=settings.MASTHEAD_STRIPE_TAX,
        )
    # settings.py has refused any other configured name; this one came from a stored row.
    raise ProviderError(f"Masthead has no payment provider called {name!r}.")


def collects_tax() -> bool:
    """Whether the configured provider charges tax: Stripe with Stripe Tax on, or local with a rate."""
    if provider_name() == "stripe":
        return settings.MASTHEAD_STRIPE_TAX
    return settings.MASTHEAD_LOCAL_TAX_RATE is not None
