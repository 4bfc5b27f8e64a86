"""Conversions and their sources: each registration, trial start and first payment, recorded once, with the
articles it is attributed to.

Insights hears of them through the lower layers' listeners (``accounts.hooks``, ``subscriptions.hooks``),
registered in ``InsightsConfig.ready()``; neither layer imports insights. Each listener runs in a savepoint
of the transaction that made the conversion (a payment event's, for a trial or a payment), so the row
commits with it, and a failure here never fails the sign-up or the payment.

Attribution:
- **last touch**: the article the money path carried: the checkout's article (``Subscription.source_article``,
  copied from the checkout) for a trial or a payment, and for a registration the article the sign-up's
  ``next`` leads back to (a chosen offer's carried article, or the article page the registration wall sent
  the reader from). Without one, the reader's most recent metered read of the meter window the conversion
  falls in.
- **first touch**: the reader's first metered read of that window.

The reader's meter is ``u:<user id>``; for a registration also the key the browser read under before it had
an account (``a:<id>``), since its reads are merged into the account only when the reader first signs in.
Only reads up to the conversion's moment count.

Which meter store: the database store (the default) keeps each read's time, so first and last are exact.
The Redis and in-memory stores answer through the store protocol (``MeterStore.read_articles``) with the
set of articles read this window and no order: when the reader read exactly one metered article, it is
both touches; otherwise the meter names no touch (the carried article still is the last touch).
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from masthead.accounts.hooks import Registration
from masthead.paywall.meter import DatabaseMeterStore, MeterUnavailable, meter_store
from masthead.paywall.models import MeterRead
from masthead.paywall.settings import meter_rules
from masthead.paywall.windows import window_span
from masthead.publishing.models import Article
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.hooks import Milestone, SubscriptionMilestone

from .models import Conversion

logger = logging.getLogger(__name__)

KIND_OF_MILESTONE = {Milestone.TRIAL_STARTED: Conversion.Kind.TRIAL, Milestone.FIRST_PAYMENT: Conversion.Kind.PAID}


@dataclass(frozen=True, slots=True)
class Touches:
    first: int | None = None  # the article ids
    last: int | None = None


def meter_touches(reader_keys: Iterable[str], at: dt.datetime) -> Touches:
    """The first and the most recent metered article of these readers' meters in the window ``at`` falls in,
    read up to ``at`` (see the module's docstring for the stores that keep no order)."""
    keys = [key for key in dict.fromkeys(reader_keys) if key]
    if not keys:
        return Touches()
    span = window_span(meter_rules().window, at, current_publication().time_zone)
    store = meter_store()
    if isinstance(store, DatabaseMeterStore):
        reads = list(
            MeterRead.objects.filter(reader_key__in=keys, window_key=span.key, read_at__gte=span.start, read_at__lte=at)
            .order_by("read_at", "pk")
            .values_list("article_id", flat=True)
        )
        return Touches(reads[0], reads[-1]) if reads else Touches()
    try:
        read = set().union(*(store.read_articles(key, span) for key in keys))
    except MeterUnavailable as error:
        logger.warning("meter store unavailable: a conversion's touches are not known (%s)", error)
        return Touches()
    if len(read) == 1:
        (only,) = read
        return Touches(only, only)
    return Touches()


def _existing(article_ids: Iterable[int | None]) -> set[int]:
    """Those of the ids that name an article still there (a meter's read outlives its article's deletion)."""
    wanted = {pk for pk in article_ids if pk}
    return set(Article.objects.filter(pk__in=wanted).values_list("pk", flat=True)) if wanted else set()


def conversion_record(
    kind: Conversion.Kind,
    *,
    user_id: int,
    at: dt.datetime,
    subscription_id: int | None = None,
    carried_article_id: int | None = None,
    reader_keys: Iterable[str] = (),
) -> bool:
    """Record one conversion with its touches; False when it was recorded already (one per account for a
    registration, one per subscription and kind for the others)."""
    if kind != Conversion.Kind.REGISTRATION and subscription_id is None:
        raise ValueError("a trial or payment conversion names its subscription")
    same = Conversion.objects.filter(kind=kind)
    same = same.filter(subscription_id=subscription_id) if subscription_id else same.filter(user_id=user_id)
    if same.exists():
        return False
    meter = meter_touches(reader_keys, at)
    there = _existing([carried_article_id, meter.first, meter.last])
    carried = carried_article_id if carried_article_id in there else None
    last = carried or (meter.last if meter.last in there else None)
    first = meter.first if meter.first in there else None
    zone = zoneinfo.ZoneInfo(current_publication().time_zone)
    try:
        with transaction.atomic():
            Conversion.objects.create(
                kind=kind,
                at=at,
                day=at.astimezone(zone).date(),
                user_id=user_id,
                subscription_id=subscription_id,
                last_touch_id=last,
                first_touch_id=first,
            )
    except IntegrityError:  # a parallel delivery of the same event recorded it first
        return False
    return True


def registration_heard(event: Registration) -> None:
    """``accounts.hooks`` listener: a reader signed up."""
    conversion_record(
        Conversion.Kind.REGISTRATION,
        user_id=event.user_id,
        at=event.at,
        carried_article_id=event.source_article_id,
        reader_keys=(f"u:{event.user_id}", event.previous_reader_key),
    )


def milestone_heard(event: SubscriptionMilestone) -> None:
    """``subscriptions.hooks`` listener: a trial started, or a subscription was paid for the first time."""
    conversion_record(
        KIND_OF_MILESTONE[event.milestone],
        user_id=event.user_id,
        at=event.at,
        subscription_id=event.subscription_id,
        carried_article_id=event.source_article_id,
        reader_keys=(f"u:{event.user_id}",),
    )
