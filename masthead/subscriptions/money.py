"""Amounts in integer minor units, shown the way readers expect."""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = {"jpy", "krw", "vnd", "clp", "isk", "huf"}
SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "aud": "A$", "cad": "C$"}


def minor_per_unit(currency: str) -> int:
    return 1 if currency.lower() in ZERO_DECIMAL else 100


def format_money(amount_minor: int, currency: str) -> str:
    """``900, "usd"`` → ``$9``; ``1299, "usd"`` → ``$12.99``; ``1000, "jpy"`` → ``¥1,000``."""
    currency = currency.lower()
    units = Decimal(amount_minor) / minor_per_unit(currency)
    text = f"{units:,.0f}" if units == units.to_integral_value() else f"{units:,.2f}"
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"
