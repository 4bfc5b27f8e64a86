"""Webhook deliveries."""

from __future__ import annotations

import logging

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import webhooks
from .interface import InvalidPayload, InvalidSignature
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
