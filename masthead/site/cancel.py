"""Canceling in two steps: the account page's plain "Cancel subscription" link, then this page.

The page asks why (optional choices and free text) and may show the one retention offer the publisher
configured; its two buttons take the offer or cancel at once. No JavaScript, no call, no email needed.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from masthead.core import clock
from masthead.core.parse import LARGEST_ID, positive_int
from masthead.payments.interface import PaymentDeclined, ProviderError
from masthead.subscriptions import services
from masthead.subscriptions.account import cancel_message
from masthead.subscriptions.entitlements import entitlement
from masthead.subscriptions.models import CancelReason, Subscription
from masthead.subscriptions.schedule import describe_with_discount
from masthead.subscriptions.selectors import current_subscription, grace_period, subscription_facts
from masthead.subscriptions.states import Status

CANCELABLE = (Status.TRIALING, Status.ACTIVE, Status.PAST_DUE)
KEEP, CANCEL = "keep", "cancel"


class CancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why are you canceling? (optional)"),
        choices=CancelReason.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Anything else you would like to tell us? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


def _reader_subscription(request: HttpRequest, raw: str | None) -> Subscription | None:
    """The reader's own subscription named by ``raw``; their current one when ``raw`` is empty. Anything else
    (not a number, another reader's subscription) is a 404."""
    if not raw:
        return current_subscription(request.user)
    subscription_id = positive_int(raw, maximum=LARGEST_ID)
    subscription = (
        Subscription.objects.select_related("plan", "offer").filter(pk=subscription_id, user=request.user).first()
        if subscription_id
        else None
    )
    if subscription is None:
        raise Http404("No such subscription")
    return subscription


def _page(request: HttpRequest, subscription: Subscription, form: CancelForm, *, status: int = 200) -> HttpResponse:
    now = clock.now()
    offer = services.retention_offer_for(subscription, now) if subscription.status == Status.ACTIVE else None
    access = entitlement(subscription_facts(subscription), now, grace=grace_period())
    context = {
        "subscription": subscription,
        "form": form,
        "offer": offer,
        "offer_schedule": describe_with_discount(
            subscription, percent_off=offer.percent_off, intervals=offer.percent_off_intervals, now=now
        )
        if offer
        else "",
        "ends_now": subscription.status == Status.PAST_DUE,
        "access_until": access.until if access.full_access else None,
    }
    response = render(request, "subscriptions/cancel.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def cancel(request: HttpRequest) -> HttpResponse:
    """GET: the reason form and the retention offer. POST: take the offer (``action=keep``) or cancel."""
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    if request.method != "POST":
        subscription = _reader_subscription(request, request.GET.get("subscription"))
        if subscription is None or subscription.status not in CANCELABLE:
            messages.info(request, _("You have no subscription to cancel."))
            return redirect("accounts:account")
        return _page(request, subscription, CancelForm())
    subscription_id = positive_int(request.POST.get("subscription"), maximum=LARGEST_ID)
    if subscription_id is None:
        messages.error(request, _("That subscription could not be found."))
        return redirect("accounts:account")
    form = CancelForm(request.POST)
    if not form.is_valid():
        subscription = _reader_subscription(request, str(subscription_id))
        return _page(request, subscription, form, status=400)
    reason, text = form.cleaned_data["reason"], form.cleaned_data["text"]
    try:
        if request.POST.get("action") == KEEP:
            offer_id = positive_int(request.POST.get("offer"), maximum=LARGEST_ID)
            if offer_id is None:
                raise services.RetentionRefused(_("That offer is not available. Your subscription was not changed."))
            services.subscription_keep_with_offer(
                user=request.user, subscription_id=subscription_id, offer_id=offer_id, reason=reason, text=text
            )
            messages.success(
                request, _("Thank you for staying with us. Your discount is applied to your next charges.")
            )
        else:
            result = services.subscription_cancel_with_reason(
                user=request.user, subscription_id=subscription_id, reason=reason, text=text
            )
            messages.success(request, cancel_message(result))
    except Subscription.DoesNotExist:
        messages.error(request, _("That subscription could not be found."))
    except (services.RetentionRefused, PaymentDeclined) as refusal:
        messages.error(request, str(refusal))
    except ProviderError:
        messages.error(request, _("The payment service did not answer. Please try again in a few minutes."))
    return redirect("accounts:account")
