"""Webhook deliveries and the local provider's checkout page."""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import webhooks
from .interface import InvalidPayload, InvalidSignature, ProviderError
from .providers.local.provider import CardOutcome, LocalProvider
from .registry import PROVIDERS

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, provider: str) -> HttpResponse:
    """Verify → store once → dispatch. A bad signature or body is a 400 and changes nothing."""
    if provider not in PROVIDERS:
        raise Http404("Unknown payment provider")
    try:
        stored = webhooks.receive(provider_name=provider, payload=request.body, headers=request.headers)
    except ImproperlyConfigured as error:
        logger.warning("webhook for %s refused: the provider is not configured (%s)", provider, error)
        raise Http404("This payment provider is not configured") from error
    except InvalidSignature as error:
        logger.warning("webhook from %s refused: bad signature (%s)", provider, error)
        return HttpResponseBadRequest("invalid signature")
    except InvalidPayload as error:
        logger.warning("webhook from %s refused: unreadable body (%s)", provider, error)
        return HttpResponseBadRequest("invalid payload")
    if stored is None:
        return JsonResponse({"received": True, "duplicate": True})
    return JsonResponse({"received": True, "outcome": stored.outcome})


def local_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """The demo's payment page: card 4242… pays, 4000…0002 is declined."""
    provider = LocalProvider()
    checkout = provider.checkout(reference)
    if checkout is None:
        raise Http404("No open checkout")
    from masthead.subscriptions.models import Checkout
    from masthead.subscriptions.services import offer_still_redeemable

    ours = Checkout.objects.select_related("plan", "offer", "user").filter(reference=reference).first()
    if ours is None or not request.user.is_authenticated or ours.user_id != request.user.pk:
        raise Http404("No open checkout")
    error = ""
    if request.method == "POST":
        refusal = offer_still_redeemable(ours)
        if refusal:
            error = refusal
        else:
            try:
                result = provider.pay(reference, request.POST.get("card_number", ""))
            except ProviderError as failure:
                error = str(failure)
            else:
                if result.outcome == CardOutcome.PAID:
                    return redirect(result.success_url)
                error = (
                    _("Your card was declined. No payment was taken; please try another card.")
                    if result.outcome == CardOutcome.DECLINED
                    else _("That card number is not valid. Please check it and try again.")
                )
    context = {
        "checkout": ours,
        "amount_due": provider.amount_due_now(checkout),
        "error": error,
        "cancel_url": checkout.cancel_url,
    }
    return render(request, "payments/local_checkout.html", context, status=200)
