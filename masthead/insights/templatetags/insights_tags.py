"""How a table's cell reads on the dashboard page."""

from __future__ import annotations

import datetime as dt
import decimal

from django import template

register = template.Library()

EMPTY = "–"


@register.filter
def cell(value) -> str:
    """None as a dash, a fraction with two decimals, a date as YYYY-MM-DD, anything else as it is."""
    if value is None:
        return EMPTY
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, decimal.Decimal | int):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
