"""Whether an offer may be redeemed, and what it does to the price. Pure: no Django, no clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Refusal(StrEnum):
    NOT_STARTED = "not_started"
    ENDED = "ended"
    INACTIVE = "inactive"
    WRONG_PLAN = "wrong_plan"
    WRONG_CODE = "wrong_code"
    CAP_REACHED = "cap_reached"
    NOT_ELIGIBLE = "not_eligible"
    RETURNING_ONLY = "returning_only"  # a win-back offer, for readers who have subscribed before


@dataclass(frozen=True, slots=True)
class OfferRules:
    plan_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    active: bool = True
    code: str = ""
    redemption_cap: int | None = None
    redemptions: int = 0
    lapsed_allowed: bool = False
    lapsed_only: bool = False  # a win-back offer: only for readers whose subscription has ended


@dataclass(frozen=True, slots=True)
class ReaderHistory:
    has_current_subscription: bool = False
    ever_subscribed: bool = False


def _closed(offer: OfferRules, now: dt.datetime) -> Refusal | None:
    """Why no one can take the offer at ``now`` (switched off, not started, ended), or None."""
    if not offer.active:
        return Refusal.INACTIVE
    if now < offer.starts_at:
        return Refusal.NOT_STARTED
    if now >= offer.ends_at:
        return Refusal.ENDED
    return None


def refusal(offer: OfferRules, *, plan_id: int, code: str, reader: ReaderHistory, now: dt.datetime) -> Refusal | None:
    """Why this reader cannot redeem the offer now, or None when they can."""
    if closed := _closed(offer, now):
        return closed
    if plan_id != offer.plan_id:
        return Refusal.WRONG_PLAN
    if offer.code and code.strip().lower() != offer.code.lower():
        return Refusal.WRONG_CODE
    if offer.redemption_cap is not None and offer.redemptions >= offer.redemption_cap:
        return Refusal.CAP_REACHED
    if reader.has_current_subscription:
        return Refusal.NOT_ELIGIBLE
    if offer.lapsed_only:
        return None if reader.ever_subscribed else Refusal.RETURNING_ONLY
    if reader.ever_subscribed and not offer.lapsed_allowed:
        return Refusal.NOT_ELIGIBLE
    return None


# A reader who took a retention offer is not offered another for this long.
RETENTION_COOLDOWN = dt.timedelta(days=365)


@dataclass(frozen=True, slots=True)
class SubscriberState:
    """What a retention offer asks of the subscription whose reader is about to cancel."""

    plan_id: int
    paid_and_running: bool  # active, paid at least once, not already canceled or past due
    discount_running: bool  # an earlier retention discount still lowers a coming charge
    last_retention_at: dt.datetime | None = None  # when the reader last took a retention offer


def retention_refusal(offer: OfferRules, *, subscriber: SubscriberState, now: dt.datetime) -> Refusal | None:
    """Why this retention offer cannot be shown to (or taken by) a reader about to cancel, or None.

    Only a paying subscriber on the offer's plan is offered one (on top of the price they pay, an offer's
    included), never while an earlier one still runs, and not again within RETENTION_COOLDOWN of the last one
    taken. Codes and new-or-lapsed rules do not apply.
    """
    if closed := _closed(offer, now):
        return closed
    if subscriber.plan_id != offer.plan_id:
        return Refusal.WRONG_PLAN
    if offer.redemption_cap is not None and offer.redemptions >= offer.redemption_cap:
        return Refusal.CAP_REACHED
    if not subscriber.paid_and_running or subscriber.discount_running:
        return Refusal.NOT_ELIGIBLE
    if subscriber.last_retention_at is not None and now < subscriber.last_retention_at + RETENTION_COOLDOWN:
        return Refusal.NOT_ELIGIBLE
    return None
