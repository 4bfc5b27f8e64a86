"""The Stripe payment provider: hosted Checkout, the Billing Portal and signed webhooks.

This is the only module in Masthead that imports the Stripe SDK.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import stripe
from django.utils.translation import gettext as _

from masthead.payments.interface import (
    CheckoutRequest,
    CheckoutStart,
    DiscountTerms,
    InvalidPayload,
    InvalidSignature,
    PaymentDeclined,
    PaymentEvent,
    PlanTerms,
    ProviderError,
)

from .events import PROVIDER, REFERENCE_KEY, event_from_stripe

SIGNATURE_HEADER = "stripe-signature"


@contextlib.contextmanager
def _stripe_errors(action: str) -> Iterator[None]:
    """Turn the SDK's errors into ProviderError, naming what was being done."""
    try:
        yield
    except stripe.CardError as error:
        raise PaymentDeclined(_("Your card was declined. Nothing was changed.")) from error
    except stripe.StripeError as error:
        detail = error.user_message or str(error) or type(error).__name__
        raise ProviderError(f"Stripe could not {action}: {detail}") from error


def _id(value: Any) -> str:
    """An object's id, whether Stripe sent the id itself or the expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) else ""


def _header(headers: Mapping[str, str], name: str) -> str:
    return next((value for key, value in headers.items() if key.lower() == name), "")


def _discount_ids(subscription: Mapping[str, Any]) -> list[str]:
    """The ids of the discounts on a subscription: ``discounts`` (ids or objects), or the older single ``discount``."""
    found = [_id(item) for item in subscription.get("discounts") or []]
    if not found and isinstance(subscription.get("discount"), Mapping):
        found = [_id(subscription["discount"])]
    return [discount_id for discount_id in found if discount_id]


def _discount_coupons(subscription: Mapping[str, Any]) -> set[str]:
    """The coupons of a subscription's discounts, where they are expanded: ``source.coupon`` (API versions since
    2025) or ``coupon`` (before), either an id or the object."""
    items = list(subscription.get("discounts") or [])
    if isinstance(subscription.get("discount"), Mapping):
        items.append(subscription["discount"])
    coupons = set()
    for item in items:
        if isinstance(item, Mapping):
            source = item.get("source") if isinstance(item.get("source"), Mapping) else {}
            coupons |= {_id(source.get("coupon")), _id(item.get("coupon"))}
    return coupons - {""}


def retention_coupon_id(discount: DiscountTerms) -> str:
    """The id of the coupon Masthead makes for a discount: the same percentage and span share one coupon."""
    return f"masthead-retention-{discount.percent_off}-off-{discount.months}-months"


class StripeProvider:
    name = PROVIDER
    hosted_checkout = True  # the reader pays on Stripe's Checkout page

    def __init__(
        self, *, api_key: str, webhook_secret: str, api_base: str | None = None, automatic_tax: bool = False
    ) -> None:
        self._webhook_secret = webhook_secret
        self._automatic_tax = automatic_tax  # Stripe Tax on Checkout (settings.MASTHEAD_STRIPE_TAX)
        self._client = stripe.StripeClient(api_key, base_addresses={"api": api_base} if api_base else None)

    # -- the PaymentProvider protocol ---------------------------------------------------------
    def start_checkout(self, request: CheckoutRequest) -> CheckoutStart:
        """Create a subscription-mode Checkout Session for the request's plan and offer.

        With Stripe Tax (``automatic_tax``), Checkout asks for a billing address, offers a business a field for
        its tax ID, and adds or splits out the tax by the price's tax behavior. A returning customer's address
        and name are saved from the page (``customer_update``): Stripe refuses automatic tax on a customer
        without an address, and tax ID collection unless it may update the customer's name.
        """
        plan, offer = request.plan, request.offer
        if not plan.provider_plan_id:
            raise ProviderError(f"The plan {plan.slug!r} has no Stripe plan id yet.")
        reference = {REFERENCE_KEY: request.reference}
        subscription_data: dict[str, Any] = {"metadata": reference}
        params: dict[str, Any] = {
            "mode": "subscription",
            "line_items": [{"price": plan.provider_plan_id, "quantity": 1}],
            "client_reference_id": request.reference,
            "metadata": reference,
            "subscription_data": subscription_data,
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
        }
        if request.summary:
            # Stripe's page shows the plan's price; this says what is charged when, in our own words.
            params["custom_text"] = {"submit": {"message": request.summary[:1200]}}
        if request.customer_id:
            params["customer"] = request.customer_id
        else:
            params["customer_email"] = request.email
        if offer and offer.trial_days > 0:
            subscription_data["trial_period_days"] = offer.trial_days
        if offer and offer.provider_coupon_id:
            params["discounts"] = [{"coupon": offer.provider_coupon_id}]
        if self._automatic_tax:
            self._check_tax_behavior(plan, inclusive=request.prices_include_tax)
            params["automatic_tax"] = {"enabled": True}
            params["billing_address_collection"] = "required"
            params["tax_id_collection"] = {"enabled": True}
            if request.customer_id:
                params["customer_update"] = {"address": "auto", "name": "auto"}
        if request.expires_at is not None:
            # Stripe accepts an expiry between 30 minutes and 24 hours ahead; an offer ending sooner
            # than that is refused before the provider is asked (subscriptions.services).
            params["expires_at"] = int(request.expires_at.timestamp())
        with _stripe_errors("start the checkout"):
            session = self._client.v1.checkout.sessions.create(params=params)
        if not session.url:
            raise ProviderError("Stripe started a checkout without a page to send the reader to.")
        return CheckoutStart(redirect_url=session.url, session_id=session.id)

    def _check_tax_behavior(self, plan: PlanTerms, *, inclusive: bool) -> None:
        """Refuse a checkout whose Stripe price would tax otherwise than the site says it does.

        A price's tax behavior is fixed at Stripe once set; one left "unspecified" takes the account's
        default (Stripe Tax settings), which docs/deploy.md asks to match the publication's.
        """
        wanted = "inclusive" if inclusive else "exclusive"
        with _stripe_errors("read the price's tax behavior"):
            behavior = self._client.v1.prices.retrieve(plan.provider_plan_id).to_dict().get("tax_behavior")
        if behavior in ("inclusive", "exclusive") and behavior != wanted:
            raise ProviderError(
                f"The Stripe price {plan.provider_plan_id} of the plan {plan.slug!r} is tax-{behavior}, but the "
                f"publication says its prices {'include' if inclusive else 'exclude'} tax: make them agree."
            )

    def portal_url(self, *, customer_id: str, return_url: str) -> str | None:
        """The Billing Portal page for the customer."""
        with _stripe_errors("open the billing portal"):
            session = self._client.v1.billing_portal.sessions.create(
                params={"customer": customer_id, "return_url": return_url}
            )
        return session.url

    def card_update_url(self, *, subscription_id: str, customer_id: str, return_url: str) -> str:
        """A Billing Portal session that opens on its "update payment method" flow, then returns to ``return_url``.

        Stripe pays the open invoice with the new card on its next retry; its ``invoice.paid`` ends the dunning.
        """
        if not customer_id:
            raise ProviderError("This subscription has no Stripe customer to update a card for.")
        with _stripe_errors("open the billing portal"):
            session = self._client.v1.billing_portal.sessions.create(
                params={
                    "customer": customer_id,
                    "return_url": return_url,
                    "flow_data": {
                        "type": "payment_method_update",
                        "after_completion": {"type": "redirect", "redirect": {"return_url": return_url}},
                    },
                }
            )
        if not session.url:
            raise ProviderError("Stripe opened a billing portal session without a page to send the reader to.")
        return session.url

    def cancel_at_period_end(self, *, subscription_id: str) -> None:
        with _stripe_errors("schedule the cancellation"):
            self._client.v1.subscriptions.update(subscription_id, params={"cancel_at_period_end": True})

    def cancel_now(self, *, subscription_id: str) -> None:
        """Cancel at once (DELETE /v1/subscriptions/:id): Stripe stops retrying open invoices and charges no more."""
        with _stripe_errors("cancel the subscription"):
            self._client.v1.subscriptions.cancel(subscription_id)

    def refund_and_cancel(self, *, subscription_id: str) -> None:
        """Cancel at once, then refund the latest invoice's payment.

        Cancelled first, so that no further invoice can follow whatever happens to the refund. The payment is
        found on the invoice (``payment_intent`` or ``charge``: API versions before 2025-03-31, and localstripe)
        or in its invoice payments (``GET /v1/invoice_payments?invoice=``: later versions).
        """
        with _stripe_errors("cancel and refund the subscription"):
            subscription = self._client.v1.subscriptions.retrieve(subscription_id).to_dict()
            self._client.v1.subscriptions.cancel(subscription_id)
            invoice_id = _id(subscription.get("latest_invoice"))
            if invoice_id:
                self._refund_invoice(invoice_id)

    def _refund_invoice(self, invoice_id: str) -> None:
        invoice = self._client.v1.invoices.retrieve(invoice_id).to_dict()
        if not invoice.get("amount_paid"):
            return  # nothing was paid (a trial, or a 100% discount)
        intent, charge = _id(invoice.get("payment_intent")), _id(invoice.get("charge"))
        if not intent and not charge:
            payments = self._client.v1.invoice_payments.list(params={"invoice": invoice_id}).to_dict()
            for payment in payments.get("data") or []:
                if payment.get("status") == "paid":
                    paid_with = payment.get("payment") or {}
                    intent, charge = _id(paid_with.get("payment_intent")), _id(paid_with.get("charge"))
                    break
        if intent:
            self._client.v1.refunds.create(params={"payment_intent": intent})
        elif charge:
            self._client.v1.refunds.create(params={"charge": charge})
        else:
            raise ProviderError(f"invoice {invoice_id} was paid, but Stripe names no payment to refund")

    def card_fingerprint(self, *, subscription_id: str) -> str:
        """The fingerprint of the subscription's card: its default payment method, else its customer's."""
        with _stripe_errors("read the card of the subscription"):
            subscription = self._client.v1.subscriptions.retrieve(subscription_id).to_dict()
            method = _id(subscription.get("default_payment_method"))
            if not method and (customer_id := _id(subscription.get("customer"))):
                customer = self._client.v1.customers.retrieve(customer_id).to_dict()
                method = _id((customer.get("invoice_settings") or {}).get("default_payment_method"))
            if not method:
                return ""
            card = self._client.v1.payment_methods.retrieve(method).to_dict().get("card") or {}
        fingerprint = card.get("fingerprint")
        return fingerprint if isinstance(fingerprint, str) else ""

    def resume(self, *, subscription_id: str) -> None:
        with _stripe_errors("resume the subscription"):
            self._client.v1.subscriptions.update(subscription_id, params={"cancel_at_period_end": False})

    def change_plan(self, *, subscription_id: str, plan: PlanTerms) -> None:
        """Move the subscription's single item to ``plan`` now, prorated as the local provider does.

        ``billing_cycle_anchor=now`` with ``proration_behavior=always_invoice``: Stripe credits the unused time
        of the old price, charges the new price on a period starting now, and invoices it at once. A trial
        ends (``trial_end=now``). The coupon of the offer is removed (``discounts=""``): an offer belongs to
        its plan. ``payment_behavior=error_if_incomplete``: a declined card fails the update, which then
        changes nothing. A credit larger than the new price stays on the customer's Stripe balance and is
        taken off the next invoices (the local provider lengthens the period instead).

        localstripe accepts none of these parameters (tests/payments/test_stripe_http.py covers them).
        """
        if not plan.provider_plan_id:
            raise ProviderError(f"The plan {plan.slug!r} has no Stripe plan id yet.")
        with _stripe_errors("change the plan"):
            subscription = self._client.v1.subscriptions.retrieve(subscription_id).to_dict()
            items = (subscription.get("items") or {}).get("data") or []
            if len(items) != 1:
                raise ProviderError(f"Subscription {subscription_id} has {len(items)} items; expected exactly one.")
            # `plan` rather than `price`: Stripe takes either id there.
            params: dict[str, Any] = {
                "items": [{"id": items[0]["id"], "plan": plan.provider_plan_id}],
                "billing_cycle_anchor": "now",
                "proration_behavior": "always_invoice",
                "discounts": "",
                "payment_behavior": "error_if_incomplete",
            }
            if subscription.get("status") == "trialing":
                params["trial_end"] = "now"
            self._client.v1.subscriptions.update(subscription_id, params=params)

    def apply_discount(self, *, subscription_id: str, discount: DiscountTerms) -> None:
        """Put a repeating coupon on the subscription: ``percent_off`` for ``months`` months from now on.

        The publisher's own coupon (``provider_coupon_id``) is used when they made one; else a coupon with a
        deterministic id for this percentage and span is retrieved, or created once. The subscription's
        discounts so far (an offer's coupon) are kept, and the new one comes after them: Stripe applies them in
        turn, as ``payments.billing.charge_for_interval`` does. localstripe creates coupons but does not apply
        them to subscriptions (tests/payments/test_stripe_http.py covers the update).

        Idempotent, so that a reader may take the offer again after an error: a coupon already among the
        subscription's discounts (an update that went through, though its reply was lost) is not set a second
        time, and the update carries an idempotency key, so that Stripe applies a retried request once.
        """
        coupon_id = discount.provider_coupon_id or retention_coupon_id(discount)
        with _stripe_errors("apply the discount"):
            if not discount.provider_coupon_id:
                self._ensure_coupon(coupon_id, discount)
            subscription = self._client.v1.subscriptions.retrieve(
                subscription_id, params={"expand": ["discounts"]}
            ).to_dict()
            if coupon_id in _discount_coupons(subscription):
                return
            kept = [{"discount": discount_id} for discount_id in _discount_ids(subscription)]
            self._client.v1.subscriptions.update(
                subscription_id,
                params={"discounts": [*kept, {"coupon": coupon_id}]},
                options={"idempotency_key": f"retention-{subscription_id}-{coupon_id}"},
            )

    def _ensure_coupon(self, coupon_id: str, discount: DiscountTerms) -> None:
        try:
            self._client.v1.coupons.retrieve(coupon_id)
        except stripe.InvalidRequestError as error:
            if error.http_status != 404:
                raise
            self._client.v1.coupons.create(
                params={
                    "id": coupon_id,
                    "percent_off": discount.percent_off,
                    "duration": "repeating",
                    "duration_in_months": discount.months,
                    "metadata": {"masthead": "retention"},
                }
            )

    def parse_webhook(self, *, payload: bytes, headers: Mapping[str, str]) -> PaymentEvent:
        """Verify a delivery's Stripe-Signature and translate its event."""
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise InvalidSignature("the Stripe-Signature header is missing")
        try:
            event = self._client.construct_event(payload, signature, self._webhook_secret)
        except stripe.SignatureVerificationError as error:
            raise InvalidSignature(str(error)) from error
        except (ValueError, TypeError, AttributeError) as error:
            raise InvalidPayload(f"the body is not a Stripe event: {error}") from error
        # for_json turns the SDK's Decimals back into the strings Stripe sent, so `raw` can be stored as JSON.
        return event_from_stripe(event.to_dict(for_json=True))
