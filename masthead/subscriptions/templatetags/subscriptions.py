from django import template

from masthead.subscriptions.money import format_money

register = template.Library()


@register.filter
def money(amount_minor: int, currency: str) -> str:
    """Print minor units as money: ``{{ 900|money:"usd" }}`` → ``$9``."""
    return format_money(int(amount_minor or 0), currency or "usd")
