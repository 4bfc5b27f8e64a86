"""The one front door to payment providers: which one is configured, and getting it."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

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

        if not settings.STRIPE_API_KEY or not settings.STRIPE_WEBHOOK_SECRET:
            raise ProviderNotConfigured("The stripe provider needs STRIPE_API_KEY and STRIPE_WEBHOOK_SECRET.")
        return StripeProvider(
            api_key=settings.STRIPE_API_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            api_base=settings.STRIPE_API_BASE or None,
        )
    # settings.py has refused any other configured name; this one came from a stored row.
    raise ProviderError(f"Masthead has no payment provider called {name!r}.")
