"""Stripe as Masthead's payment provider."""

from .provider import StripeProvider

__all__ = ["StripeProvider"]
