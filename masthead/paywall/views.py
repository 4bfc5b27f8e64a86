from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .settings import meter_rules


def offers(request: HttpRequest) -> HttpResponse:
    """Where "See all offers and subscribe" leads: what a subscription gives and how to get more free reads."""
    return render(request, "paywall/offers.html", {"rules": meter_rules()})
