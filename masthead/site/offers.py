"""What is on sale, as the cards the paywall panel and /subscribe show: one place words every offer.

Each card carries its price schedule in words (``subscriptions.schedule``), its deadline and, for a
yearly plan, its saving against monthly. The cards are frozen data, so the paywall panel's fragment
key holds exactly what it prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from masthead.core import clock, memo
from masthead.payments.interface import Interval
from masthead.subscriptions import selectors as sales
from masthead.subscriptions.models import Offer, Plan
from masthead.subscriptions.schedule import describe_plan


@dataclass(frozen=True, slots=True)
class OfferCard:
    pk: int
    plan_pk: int
    slug: str
    name: str
    schedule: str  # "$3 a month for 3 months, then $12 a month from March 1, 2027"
    deadline: str  # "April 30th"
    needs_code: bool
    chosen: bool = False  # the offer a link (a win-back email's) picked: shown first, marked


@dataclass(frozen=True, slots=True)
class PlanCard:
    pk: int
    slug: str
    name: str
    schedule: str  # "$120 a year — save $24 against monthly"
    benefits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Catalogue:
    offers: tuple[OfferCard, ...]
    plans: tuple[PlanCard, ...]


def _monthly_twin(plan: Plan, plans: list[Plan]) -> Plan | None:
    """The live monthly plan a yearly plan's saving is measured against (same currency)."""
    if plan.interval != Interval.YEAR:
        return None
    return next((p for p in plans if p.interval == Interval.MONTH and p.currency == plan.currency), None)


def _offer_card(offer: Offer, now) -> OfferCard:
    return OfferCard(
        pk=offer.pk,
        plan_pk=offer.plan_id,
        slug=offer.slug,
        name=offer.name,
        schedule=describe_plan(offer.plan, offer, now=now),
        deadline=offer.deadline_label,
        needs_code=bool(offer.code),
        chosen=getattr(offer, "chosen", False),
    )


def catalogue(*, code: str = "", chosen: str = "") -> Catalogue:
    """The live offers (public ones, and those ``code`` unlocks) and plans, worded in the active language;
    the offer whose slug is ``chosen`` first (``selectors.offers_on_show``)."""
    now = clock.now()
    plans = list(sales.live_plans())
    return Catalogue(
        offers=tuple(_offer_card(offer, now) for offer in sales.offers_on_show(now, code=code, chosen=chosen)),
        plans=tuple(
            PlanCard(
                pk=plan.pk,
                slug=plan.slug,
                name=plan.name,
                schedule=describe_plan(plan, now=now, monthly_plan=_monthly_twin(plan, plans)),
                benefits=tuple(plan.benefit_list),
            )
            for plan in plans
        ),
    )


def public_catalogue(language: str) -> Catalogue:
    """The catalogue without a code, the same for every reader: kept a few seconds per language."""
    return memo.remembered(("offers:catalogue", language), catalogue)
