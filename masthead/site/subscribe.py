"""The offers page, starting a checkout, and the reader's subscription actions."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masthead.core import clock
from masthead.core.client import client_address
from masthead.core.parse import LARGEST_ID, positive_int
from masthead.core.throttle import Throttle
from masthead.payments.interface import SESSION_ID_PLACEHOLDER, PaymentDeclined, ProviderError
from masthead.payments.models import LocalSubscription
from masthead.payments.providers.local.provider import CardOutcome, LocalProvider
from masthead.paywall.settings import meter_rules
from masthead.subscriptions import services
from masthead.subscriptions.account import checkout_confirmation
from masthead.subscriptions.models import Checkout, Offer, Plan, Subscription
from masthead.subscriptions.schedule import describe_plan
from masthead.subscriptions.states import Status

from .carry import PARAMETER, Choice, article_param, choice_loads, chosen, continue_url
from .offers import catalogue

# Offer codes tried per client address per hour: enough for a reader's typos, too few to guess codes.
OFFER_CODE_THROTTLE = Throttle("offer-code", limit=20, window_seconds=3600)
_SLUG = re.compile(r"[-a-zA-Z0-9_]+", re.ASCII)


def offers(request: HttpRequest) -> HttpResponse:
    """Where "See all offers and subscribe" leads: offer and plan cards with their schedules, an offer-code box."""
    code = request.GET.get("code", "").strip()[:40]
    code_throttled = bool(code) and not OFFER_CODE_THROTTLE.hit(client_address(request))
    if code_throttled:
        code = ""  # not looked up
    # A code is printable text; anything else (a NUL, say) matches nothing and never reaches the database.
    # An offer chosen by a link (a win-back email's) is a slug; anything else chooses nothing.
    chosen = request.GET.get("offer", "")
    chosen = chosen if len(chosen) <= 50 and _SLUG.fullmatch(chosen) else ""
    on_sale = catalogue(code=code if code.isprintable() else "", chosen=chosen)
    return render(
        request,
        "subscriptions/offers.html",
        {
            "plans": on_sale.plans,
            "offers": on_sale.offers,
            "code": code,
            "code_unknown": bool(code) and not any(offer.needs_code for offer in on_sale.offers),
            "rules": meter_rules(),
            "article": article_param(request.GET.get("article")),
            "code_throttled": code_throttled,
        },
        status=429 if code_throttled else 200,
    )


@require_POST
def checkout(request: HttpRequest) -> HttpResponse:
    raw_offer = request.POST.get("offer", "")
    plan_id = positive_int(request.POST.get("plan"), maximum=LARGEST_ID)
    offer_id = positive_int(raw_offer, maximum=LARGEST_ID)
    if plan_id is None or (raw_offer and offer_id is None):
        messages.error(request, _("Please choose a plan."))
        return redirect("subscriptions:offers")
    plan = get_object_or_404(Plan, pk=plan_id)
    offer = get_object_or_404(Offer, pk=offer_id) if offer_id else None
    code = request.POST.get("code", "")[:40]
    article = article_param(request.POST.get("article"))
    if not request.user.is_authenticated:
        # The account step comes first; the choice (and the article) go with the reader through it.
        choice = Choice(plan.pk, offer.pk if offer else None, code, article.pk if article else None)
        return redirect(f"{reverse('accounts:signup')}?{urlencode({'next': continue_url(choice)})}")
    return _checkout_begin(request, plan=plan, offer=offer, code=code, article=article)


def checkout_continue(request: HttpRequest) -> HttpResponse:
    """Where the account step ends: the checkout of the plan or offer the reader chose before it."""
    choice = chosen(choice_loads(request.GET.get(PARAMETER)))
    if choice is None:
        messages.error(request, _("That link to an offer is not valid any more. Please choose again."))
        return redirect("subscriptions:offers")
    if not request.user.is_authenticated:
        return redirect(f"{reverse('accounts:signup')}?{urlencode({'next': request.get_full_path()})}")
    return _checkout_begin(request, plan=choice.plan, offer=choice.offer, code=choice.code, article=choice.article)


def _checkout_begin(request: HttpRequest, *, plan: Plan, offer: Offer | None, code: str, article) -> HttpResponse:
    offers_url = reverse("subscriptions:offers") + (f"?{urlencode({'article': article.pk})}" if article else "")
    # The placeholder is filled by the provider (not URL-encoded: Stripe looks for it as written).
    success_url = request.build_absolute_uri(reverse("subscriptions:confirmation")) + (
        f"?session_id={SESSION_ID_PLACEHOLDER}"
    )
    try:
        start = services.checkout_begin(
            user=request.user,
            plan=plan,
            offer=offer,
            code=code,
            success_url=success_url,
            cancel_url=request.build_absolute_uri(offers_url),
            source_article_id=article.pk if article else None,
            summary=describe_plan(plan, offer, now=clock.now()),
        )
    except services.CheckoutRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(offers_url)
    return redirect(start.redirect_url)


@login_required
def confirmation(request: HttpRequest) -> HttpResponse:
    """The page after payment. What was bought is read from the reader's own checkout row, never the address:
    the session id only says which of their checkouts it was."""
    found = checkout_confirmation(request.user, session_id=request.GET.get("session_id", ""), now=clock.now())
    if found is None:
        return redirect("accounts:account")
    response = render(request, "subscriptions/confirmation.html", {"confirmation": found})
    response["Cache-Control"] = "private, no-store"
    return response


def _subscription_action(request: HttpRequest, action, success) -> HttpResponse:
    """Run ``action`` on the reader's subscription; ``success`` is the message, or makes it from the result."""
    subscription_id = positive_int(request.POST.get("subscription"), maximum=LARGEST_ID)
    if subscription_id is None:
        messages.error(request, _("That subscription could not be found."))
        return redirect("accounts:account")
    try:
        result = action(user=request.user, subscription_id=subscription_id)
    except services.Subscription.DoesNotExist:
        messages.error(request, _("That subscription could not be found."))
    except (services.ChangeRefused, PaymentDeclined) as refusal:
        messages.error(request, str(refusal))
    except services.ProviderError:
        messages.error(request, _("The payment service did not answer. Please try again in a few minutes."))
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect("accounts:account")


@login_required
@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    return _subscription_action(request, services.subscription_resume, _("Welcome back: your subscription continues."))


@login_required
@require_POST
def change_plan(request: HttpRequest) -> HttpResponse:
    plan_id = positive_int(request.POST.get("plan"), maximum=LARGEST_ID)
    plan = Plan.objects.filter(pk=plan_id, active=True).first() if plan_id else None
    if plan is None:
        messages.error(request, _("Please choose a plan."))
        return redirect("accounts:account")

    def change(*, user, subscription_id: int):
        return services.subscription_change_plan(user=user, subscription_id=subscription_id, plan=plan)

    return _subscription_action(
        request, change, lambda subscription: _("Your plan is changed to %(plan)s.") % {"plan": subscription.plan.name}
    )


def local_checkout(request: HttpRequest, reference: str) -> HttpResponse:
    """The demo's payment page: card 4242… pays, 4000…0002 is declined."""
    provider = LocalProvider()
    checkout = provider.checkout(reference)
    if checkout is None:
        raise Http404("No open checkout")
    ours = Checkout.objects.select_related("plan", "offer", "user").filter(reference=reference).first()
    if ours is None or not request.user.is_authenticated or ours.user_id != request.user.pk:
        raise Http404("No open checkout")
    # Whatever else must hold when the reader pays (the plan still sold at this price, the offer still open,
    # no other subscription) is checked by the provider's guards inside the payment's transaction.
    expired = provider.expired(checkout)
    error = _("This checkout has expired. Please start again from the offers page.") if expired else ""
    if request.method == "POST" and not expired:
        try:
            result = provider.pay(reference, request.POST.get("card_number", ""), request.POST.get("expiry", ""))
        except ProviderError as failure:
            error = str(failure)
        else:
            if result.outcome == CardOutcome.PAID:
                return redirect(result.success_url)
            error = _card_error(result.outcome)
    context = {
        "checkout": ours,
        "schedule": describe_plan(ours.plan, ours.offer, now=clock.now()),
        "amount_due": provider.amount_due_now(checkout),
        "due": provider.due_now(checkout),  # its price before tax and its tax
        "error": error,
        "expired": expired,
        "cancel_url": checkout.cancel_url,
    }
    return render(request, "payments/local_checkout.html", context, status=200)


def _card_error(outcome: CardOutcome) -> str:
    if outcome == CardOutcome.DECLINED:
        return _("Your card was declined. No payment was taken; please try another card.")
    if outcome == CardOutcome.BAD_EXPIRY:
        return _("That expiry date is not valid. Please enter the month and year on your card, as MM/YY.")
    return _("That card number is not valid. Please check it and try again.")


@login_required
def update_card(request: HttpRequest, subscription_id: str) -> HttpResponse:
    """The "Update card" link of the account page and of the dunning emails: on to the provider's card page."""
    number = positive_int(subscription_id, maximum=LARGEST_ID)
    try:
        if number is None:
            raise Subscription.DoesNotExist
        url = services.subscription_card_update_url(
            user=request.user,
            subscription_id=number,
            return_url=request.build_absolute_uri(reverse("accounts:account")),
        )
    except Subscription.DoesNotExist:
        messages.error(request, _("That subscription could not be found."))
        return redirect("accounts:account")
    except ProviderError:
        messages.error(request, _("The payment service did not answer. Please try again in a few minutes."))
        return redirect("accounts:account")
    return redirect(url)


@login_required
def local_card(request: HttpRequest, subscription_id: str) -> HttpResponse:
    """The demo's card-update page: a new card replaces the old one; a past due payment is retried with it."""
    ours = (
        Subscription.objects.select_related("plan")
        .filter(provider="local", provider_subscription_id=subscription_id, user=request.user)
        .first()
    )
    local = LocalSubscription.objects.filter(subscription_id=subscription_id).first() if ours else None
    if ours is None or local is None or ours.status == Status.EXPIRED:
        context = {"not_found": True, "error": _("That subscription could not be found.")}
        return render(request, "payments/local_card.html", context, status=404)
    error = ""
    if request.method == "POST":
        try:
            outcome = LocalProvider().update_card(
                subscription_id=subscription_id,
                card_number=request.POST.get("card_number", "")[:64],
                expiry=request.POST.get("expiry", "")[:16],
            )
        except ProviderError:
            outcome, error = None, _("This subscription has ended: there is no card to update.")
        if outcome == CardOutcome.PAID:
            # A past due payment was retried with the new card, and paid (a declined retry changes nothing).
            paid = ours.status == Status.PAST_DUE
            messages.success(
                request,
                _("Your card is updated. Your payment went through: your subscription continues.")
                if paid
                else _("Your card is updated."),
            )
            return redirect("accounts:account")
        if outcome is not None:
            error = _card_error(outcome)
    context = {"subscription": ours, "card": local, "error": error}
    return render(request, "payments/local_card.html", context, status=400 if error else 200)
