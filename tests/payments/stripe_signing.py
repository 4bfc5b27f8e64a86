"""Sign webhook bodies the way Stripe does, for tests."""

from __future__ import annotations

import hashlib
import hmac

SECRET = "whsec_test_masthead"  # the webhook secret of the stripe_settings fixture


def sign(payload: bytes, secret: str, timestamp: int) -> str:
    """A Stripe-Signature header value for ``payload`` sent at ``timestamp``."""
    signed = str(timestamp).encode() + b"." + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
