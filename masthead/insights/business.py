"""The subscription business at a glance, computed from our own rows: subscriptions, plans, offers, payments,
the subscriptions' history and what readers said on the way out.

Every figure is aggregated in the database: each table costs one or two queries, however many
subscriptions there are (``business_tables`` makes at most ``BUSINESS_QUERIES``; a test pins it).

Conventions, for every table:
- Money is in **integer minor units** of its currency (cents; yen for JPY), with the currency in its own
  column; MRR, a monthly equivalent (an annual price ÷ 12), is rounded half up to the minor unit.
- Shares and rates are **Decimals** of percent with one decimal (``Decimal("66.7")``), None where there is
  nothing to divide by (and for a cohort's month that has not begun yet).
- Months are ``"YYYY-MM"`` in the publication's time zone; the date range is whole days in that zone,
  both ends included.
- A *paying* subscriber is one whose subscription has had a paid invoice for more than nothing (a free
  trial's invoice of 0 does not count).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from masthead.payments.billing import charge_for_interval
from masthead.payments.interface import Discount, Interval
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.models import (
    INTERVAL_LABELS,
    CancellationFeedback,
    CancelReason,
    Offer,
    OfferKind,
    OfferPurpose,
    Payment,
    Plan,
    Subscription,
    SubscriptionChange,
)
from masthead.subscriptions.selectors import grace_period
from masthead.subscriptions.services import offer_terms
from masthead.subscriptions.states import Event, Status

from .tables import Chart, Column, Table

# How many month columns a retention table shows at most (month 1 to month 12).
RETENTION_MONTHS = 12
# The most queries ``business_tables`` makes, whatever the number of subscriptions; the publication's row (its
# time zone) is one more when this worker has not read it in the last few seconds (``current_publication``).
BUSINESS_QUERIES = 15

PAYING = (Status.ACTIVE, Status.PAST_DUE)
# The history's word for a reader canceling a past due subscription (``services.subscription_cancel``): its
# provider may end it (an expiry the history records as any other) before the cancel itself is recorded.
CANCEL_REQUESTED = "cancel_requested"


# -- small helpers ----------------------------------------------------------------------------------------
def _zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(current_publication().time_zone)


def _bounds(start: dt.date, end: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """The range's first moment and the first moment after it: whole days in the publication's zone."""
    if end < start:
        raise ValueError("the range ends before it starts")
    first = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return first, after


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    """The first day of every month from ``start``'s to ``end``'s."""
    months, month = [], _month(start)
    while month <= end:
        months.append(month)
        month = _add_months(month, 1)
    return months


def _months_between(first: dt.date, later: dt.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month


def _label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def share(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, one decimal, half up (``Decimal("66.7")``); None when ``whole`` is 0.

    A number, not its text, so a rate column sorts and charts as numbers do; CSV and HTML print "66.7".
    """
    if not whole:
        return None
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def round_minor(amount: Fraction) -> int:
    """A fraction of a minor unit rounded half up to the minor unit."""
    return int((Decimal(amount.numerator) / Decimal(amount.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _midnight(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _month_index(field: str, months: list[dt.date], zone: zoneinfo.ZoneInfo) -> Case:
    """Which of ``months`` (first days, in order) the moment ``field`` falls in, as its index, for rows already
    within them. Plain comparisons with each month's first moment in the publication's zone: no date function
    runs per row (SQLite's are Python functions, and cost seconds over a year of payments)."""
    return Case(
        *(
            When(**{f"{field}__lt": _midnight(month, zone)}, then=Value(index))
            for index, month in enumerate(months[1:])
        ),
        default=Value(len(months) - 1),
        output_field=IntegerField(),
    )


def _paid_for(subscription_ref: str = "pk", *, by: str | None = None) -> Exists:
    """Whether the subscription has had a paid invoice for more than nothing (by the moment ``by`` names)."""
    payments = Payment.objects.filter(
        subscription=OuterRef(subscription_ref), outcome=Payment.Outcome.PAID, amount_minor__gt=0
    )
    if by is not None:
        payments = payments.filter(at__lte=OuterRef(by))
    return Exists(payments)


def running_at(now: dt.datetime) -> Q:
    """Subscriptions with full access at ``now``, read from their rows as ``subscriptions.entitlements`` reads
    them: a running status whose access has not run out (one the clock has yet to end is not running). A
    subscription created after ``now`` is not there yet."""
    grace = grace_period()
    no_end = Q(current_period_end__isnull=True)
    return Q(created_at__lte=now) & (
        (Q(status__in=PAYING) & (no_end | Q(current_period_end__gt=now - grace)))
        | (
            Q(status=Status.TRIALING)
            & (Q(trial_end__gt=now) | (Q(trial_end__isnull=True) & (no_end | Q(current_period_end__gt=now))))
        )
        | (Q(status=Status.CANCELED) & (no_end | Q(current_period_end__gt=now)))
    )


# -- MRR ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CurrencyMrr:
    """Monthly recurring revenue in one currency, exact (fractions of a minor unit)."""

    currency: str
    subscriptions: int  # the live paying subscriptions
    amount: Fraction  # minor units a month: each one's next charge, a yearly one's ÷ 12, discounts applied
    forever_discounted: int  # of them, those on an offer whose percentage off lasts for good
    forever_discount: Fraction  # what those offers take off each month, in minor units

    @property
    def amount_minor(self) -> int:
        return round_minor(self.amount)

    @property
    def forever_discount_minor(self) -> int:
        return round_minor(self.forever_discount)


def _paid_count() -> Subquery:
    paid = (
        Payment.objects.filter(subscription=OuterRef("pk"), outcome=Payment.Outcome.PAID)
        .order_by()
        .values("subscription")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(paid, output_field=IntegerField()), Value(0))


# The subscriptions whose next charge depends on how many intervals they have paid: an introductory price or a
# percentage off for some intervals, or a retention discount. Any other's next charge is the same every time.
_COUNTED = (
    Q(offer__kind=OfferKind.INTRO_PRICE, offer__intro_intervals__gt=0)
    | Q(offer__kind=OfferKind.PERCENT_OFF, offer__percent_off__gt=0, offer__percent_off_intervals__gt=0)
    | Q(discount_percent_off__gt=0, discount_intervals__gt=0)
)
_TERMS = (
    "plan__amount_minor",
    "plan__interval",
    "plan__currency",
    "offer__kind",
    "offer__percent_off",
    "offer__percent_off_intervals",
    "offer__intro_amount_minor",
    "offer__intro_intervals",
    "offer__trial_days",
    "discount_percent_off",
    "discount_first_interval",
    "discount_intervals",
)


def mrr(now: dt.datetime) -> dict[str, CurrencyMrr]:
    """MRR by currency: the live paying subscriptions (active or past due, their access not run out at
    ``now``; a trial pays nothing yet and a canceled one will not renew), each at what its next renewal
    charges (``billing.charge_for_interval`` for the interval after the ones paid, as
    ``selectors.paid_intervals`` counts them: its offer and any retention discount applied) as a monthly
    equivalent, a yearly plan's ÷ 12.

    Two queries, grouped by the terms that set the charge: the paid intervals are counted (a subquery per
    subscription) only for the subscriptions whose charge depends on them (``_COUNTED``)."""
    paying = (
        Subscription.objects.filter(running_at(now), status__in=PAYING)
        .order_by()
        .annotate(counted=Case(When(_COUNTED, then=Value(True)), default=Value(False)))
    )
    flat = paying.filter(counted=False).annotate(paid=Value(0)).values(*_TERMS, "paid").annotate(count=Count("pk"))
    counted = (
        paying.filter(counted=True).annotate(paid=_paid_count()).values(*_TERMS, "paid").annotate(count=Count("pk"))
    )
    groups = [*flat, *counted]
    totals: dict[str, dict] = {}
    for row in groups:
        currency = row["plan__currency"].lower()
        months = 12 if row["plan__interval"] == Interval.YEAR else 1
        base = row["plan__amount_minor"]
        terms = None
        if row["offer__kind"]:
            terms = offer_terms(
                Offer(
                    kind=row["offer__kind"],
                    percent_off=row["offer__percent_off"],
                    percent_off_intervals=row["offer__percent_off_intervals"],
                    intro_amount_minor=row["offer__intro_amount_minor"],
                    intro_intervals=row["offer__intro_intervals"],
                    trial_days=row["offer__trial_days"],
                )
            )
        discount = None
        if row["discount_percent_off"] and row["discount_intervals"]:
            discount = Discount(row["discount_percent_off"], row["discount_first_interval"], row["discount_intervals"])
        interval = row["paid"] + 1
        charge = charge_for_interval(base, terms, interval, discount)
        total = totals.setdefault(currency, {"count": 0, "amount": Fraction(0), "forever": 0, "given": Fraction(0)})
        total["count"] += row["count"]
        total["amount"] += Fraction(charge * row["count"], months)
        if terms is not None and terms.percent_off and not terms.percent_off_intervals:
            total["forever"] += row["count"]
            undiscounted = base - charge_for_interval(base, terms, interval)
            total["given"] += Fraction(undiscounted * row["count"], months)
    return {
        currency: CurrencyMrr(currency, total["count"], total["amount"], total["forever"], total["given"])
        for currency, total in sorted(totals.items())
    }


def _mrr_table(now: dt.datetime) -> Table:
    figures = mrr(now)
    return Table(
        slug="mrr",
        title=pgettext("insights", "Monthly recurring revenue"),
        description=_(
            "What the live paying subscriptions will be charged at their next renewal, as a monthly amount (a "
            "yearly plan's price divided by 12), with offers and retention discounts applied; trials and "
            "canceled subscriptions are not counted. Offers whose percentage off lasts for good are shown "
            "apart: how many subscriptions have one, and what they take off each month. Amounts are in minor "
            "units of the currency (cents; yen for JPY)."
        ),
        columns=(
            Column("currency", pgettext("insights", "Currency"), numeric=False),
            Column("subscriptions", pgettext("insights", "Paying subscriptions")),
            Column("mrr_minor", pgettext("insights", "MRR")),
            Column("forever_discounted", pgettext("insights", "On a lasting discount")),
            Column("forever_discount_minor", pgettext("insights", "Lasting discounts a month")),
        ),
        rows=tuple(
            (
                figure.currency.upper(),
                figure.subscriptions,
                figure.amount_minor,
                figure.forever_discounted,
                figure.forever_discount_minor,
            )
            for figure in figures.values()
        ),
        chart=Chart.NONE,
    )


# -- active subscribers ------------------------------------------------------------------------------------
def _by_status() -> dict:
    return {
        "trialing": Count("pk", filter=Q(status=Status.TRIALING)),
        "paying": Count("pk", filter=Q(status__in=PAYING)),
        "canceling": Count("pk", filter=Q(status=Status.CANCELED)),
        "total": Count("pk"),
    }


def _status_columns() -> tuple[Column, ...]:
    return (
        Column("trialing", pgettext("insights", "On a free trial")),
        Column("paying", pgettext("insights", "Paying")),
        Column("canceling", pgettext("insights", "Canceled, until the period ends")),
        Column("total", pgettext("insights", "Subscribers")),
    )


def _subscribers_by_plan_table(now: dt.datetime) -> Table:
    counts = {
        row["plan_id"]: row
        for row in Subscription.objects.filter(running_at(now)).order_by().values("plan_id").annotate(**_by_status())
    }
    plans = Plan.objects.filter(Q(active=True) | Q(pk__in=list(counts))).values_list("pk", "name", "interval")
    rows = []
    for pk, name, interval in plans:
        found = counts.get(pk, {})
        label = str(INTERVAL_LABELS.get(Interval(interval), interval))
        rows.append((name, label, *(found.get(key, 0) for key in ("trialing", "paying", "canceling", "total"))))
    return Table(
        slug="subscribers-by-plan",
        title=pgettext("insights", "Subscribers by plan"),
        description=_(
            "Subscriptions running now on each plan: on a free trial, paying (a renewal that failed is retried "
            "through the grace period), and canceled but running until the period they paid for ends."
        ),
        columns=(
            Column("plan", pgettext("insights", "Plan"), numeric=False),
            Column("interval", pgettext("insights", "Billed"), numeric=False),
            *_status_columns(),
        ),
        rows=tuple(rows),
        chart=Chart.BAR,
    )


def _subscribers_by_offer_table(now: dt.datetime) -> Table:
    counts = list(Subscription.objects.filter(running_at(now)).order_by().values("offer_id").annotate(**_by_status()))
    names = dict(
        Offer.objects.filter(pk__in=[row["offer_id"] for row in counts if row["offer_id"]]).values_list("pk", "name")
    )
    counts.sort(key=lambda row: (row["offer_id"] is None, names.get(row["offer_id"], ""), row["offer_id"] or 0))
    rows = tuple(
        (
            names.get(row["offer_id"], pgettext("insights", "No offer"))
            if row["offer_id"]
            else pgettext("insights", "No offer"),
            *(row[key] for key in ("trialing", "paying", "canceling", "total")),
        )
        for row in counts
    )
    return Table(
        slug="subscribers-by-offer",
        title=pgettext("insights", "Subscribers by offer"),
        description=_(
            "Subscriptions running now by the offer they started with (an offer ends with a change of plan)."
        ),
        columns=(Column("offer", pgettext("insights", "Offer"), numeric=False), *_status_columns()),
        rows=rows,
        chart=Chart.BAR,
    )


# -- trials ---------------------------------------------------------------------------------------------------
def _trials_table(start: dt.date, end: dt.date, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    converted = Exists(
        Payment.objects.filter(
            subscription=OuterRef("subscription_id"), outcome=Payment.Outcome.PAID, amount_minor__gt=0, at__lte=now
        )
    )
    months = _months(start, end)
    found = {
        row["month"]: row
        for row in SubscriptionChange.objects.filter(event=Event.TRIAL_STARTED, at__gte=first, at__lt=after)
        .order_by()
        .annotate(month=_month_index("at", months, zone), converted=converted)
        .values("month")
        .annotate(
            started=Count("subscription_id", distinct=True),
            paid=Count("subscription_id", distinct=True, filter=Q(converted=True)),
        )
    }
    rows = []
    for index, month in enumerate(months):
        row = found.get(index, {"started": 0, "paid": 0})
        rows.append((_label(month), row["started"], row["paid"], share(row["paid"], row["started"])))
    return Table(
        slug="trials",
        title=pgettext("insights", "Free trials"),
        description=_(
            "Free trials started each month, and how many of them have since been paid for (so far: a trial "
            "started lately may still convert)."
        ),
        columns=(
            Column("month", pgettext("insights", "Month"), numeric=False),
            Column("started", pgettext("insights", "Trials started")),
            Column("converted", pgettext("insights", "Converted to paid")),
            Column("rate", pgettext("insights", "Conversion rate (%)")),
        ),
        rows=tuple(rows),
        chart=Chart.BAR,
    )


# -- churn ----------------------------------------------------------------------------------------------------
class ChurnKind:
    VOLUNTARY = "voluntary"  # the reader canceled
    INVOLUNTARY = "involuntary"  # a renewal failed and the grace period ran out (or the provider gave up)
    OTHER = "other"  # ended by the provider or by staff, from a running subscription


def churn_events(first: dt.datetime, after: dt.datetime):
    """The endings of paying subscriptions in [first, after): their history's rows that take them to EXPIRED,
    each with ``churn`` (a ChurnKind) and ``reason`` (the reason of the subscription's last cancellation, None
    when it was never asked: canceled at the provider, say).

    Voluntary: the subscription ran out after the reader canceled (from CANCELED), or the reader canceled it
    while past due (the CANCEL event, or the ``cancel_requested`` note that precedes its ending).
    Involuntary: it was past due and ended otherwise (the grace period ran out, the provider gave up).
    """
    requested = SubscriptionChange.objects.filter(
        subscription=OuterRef("subscription_id"), event=CANCEL_REQUESTED, at__lte=OuterRef("at")
    )
    reason = (
        CancellationFeedback.objects.filter(
            subscription=OuterRef("subscription_id"), outcome=CancellationFeedback.Outcome.CANCELED
        )
        .order_by("-at", "-pk")
        .values("reason")[:1]
    )
    return (
        SubscriptionChange.objects.filter(to_status=Status.EXPIRED, at__gte=first, at__lt=after)
        .exclude(from_status__in=[Status.EXPIRED, Status.INCOMPLETE, ""])
        .filter(_paid_for("subscription_id", by="at"))
        .order_by()
        .annotate(
            churn=Case(
                When(from_status=Status.CANCELED, then=Value(ChurnKind.VOLUNTARY)),
                When(from_status=Status.PAST_DUE, event=Event.CANCEL, then=Value(ChurnKind.VOLUNTARY)),
                When(Exists(requested), from_status=Status.PAST_DUE, then=Value(ChurnKind.VOLUNTARY)),
                When(from_status=Status.PAST_DUE, then=Value(ChurnKind.INVOLUNTARY)),
                default=Value(ChurnKind.OTHER),
            ),
            reason=Subquery(reason),
        )
    )


def _churn_table(start: dt.date, end: dt.date, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    months = _months(start, end)
    found: dict[tuple[int, str], int] = {}
    for row in (
        churn_events(first, after)
        .annotate(month=_month_index("at", months, zone))
        .values("month", "churn")
        .annotate(count=Count("pk"))
    ):
        found[(row["month"], row["churn"])] = row["count"]
    rows = []
    for index, month in enumerate(months):
        counts = [found.get((index, kind), 0) for kind in (ChurnKind.VOLUNTARY, ChurnKind.INVOLUNTARY, ChurnKind.OTHER)]
        rows.append((_label(month), *counts, sum(counts)))
    return Table(
        slug="churn",
        title=pgettext("insights", "Churn"),
        description=_(
            "Paying subscriptions that ended each month. Voluntary: the reader canceled. Involuntary: a renewal "
            "failed and was not paid by the end of the grace period. Other: ended by the payment provider or "
            "by staff while running."
        ),
        columns=(
            Column("month", pgettext("insights", "Month"), numeric=False),
            Column("voluntary", pgettext("insights", "Voluntary (canceled)")),
            Column("involuntary", pgettext("insights", "Involuntary (payment failed)")),
            Column("other", pgettext("insights", "Other")),
            Column("total", pgettext("insights", "Ended")),
        ),
        rows=tuple(rows),
        chart=Chart.BAR,
    )


NOT_ASKED = "-"  # the churn's reason when the reader was never asked (canceled at the provider)


def _reason_labels() -> list[tuple[str, str]]:
    return [
        *((reason.value, str(reason.label)) for reason in CancelReason),
        ("", pgettext("insights", "No reason given")),
        (NOT_ASKED, pgettext("insights", "Not asked (canceled at the payment provider)")),
    ]


def _churn_reasons_table(start: dt.date, end: dt.date, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    ended = {
        (NOT_ASKED if row["reason"] is None else row["reason"]): row["count"]
        for row in churn_events(first, after)
        .filter(churn=ChurnKind.VOLUNTARY)
        .values("reason")
        .annotate(count=Count("pk"))
    }
    kept = dict(
        CancellationFeedback.objects.filter(outcome=CancellationFeedback.Outcome.KEPT, at__gte=first, at__lt=after)
        .order_by()
        .values("reason")
        .annotate(count=Count("pk"))
        .values_list("reason", "count")
    )
    rows = tuple((label, ended.get(reason, 0), kept.get(reason, 0)) for reason, label in _reason_labels())
    return Table(
        slug="churn-reasons",
        title=pgettext("insights", "Why readers cancel"),
        description=_(
            "The reasons readers gave on the way out. Ended: voluntary churn in the range, by the reason given "
            "when the subscription was canceled. Kept: readers who gave the reason in the range and took the "
            "retention offer instead of canceling."
        ),
        columns=(
            Column("reason", pgettext("insights", "Reason"), numeric=False),
            Column("ended", pgettext("insights", "Ended")),
            Column("kept", pgettext("insights", "Kept with an offer")),
        ),
        rows=rows,
        chart=Chart.BAR,
    )


# -- offers ---------------------------------------------------------------------------------------------------
def _offer_state(offer: dict, now: dt.datetime) -> str:
    if not offer["active"]:
        return pgettext("insights", "Withdrawn")
    if offer["ends_at"] <= now:
        return pgettext("insights", "Ended")
    if offer["starts_at"] > now:
        return pgettext("insights", "Not started")
    if offer["redemption_cap"] is not None and offer["redemptions"] >= offer["redemption_cap"]:
        return pgettext("insights", "Fully redeemed")
    return pgettext("insights", "On offer")


def _offer_redemptions_table(start: dt.date, end: dt.date, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    offers = (
        Offer.objects.filter(starts_at__lt=after, ends_at__gt=first)
        .order_by("ends_at", "pk")
        .values("name", "purpose", "active", "starts_at", "ends_at", "redemptions", "redemption_cap")
    )
    purposes = {
        OfferPurpose.SALE: pgettext("insights", "Sale"),
        OfferPurpose.RETENTION: pgettext("insights", "Retention"),
    }
    rows = []
    for offer in offers:
        cap = offer["redemption_cap"]
        rows.append(
            (
                offer["name"],
                str(purposes.get(offer["purpose"], offer["purpose"])),
                _offer_state(offer, now),
                offer["redemptions"],
                cap,
                None if cap is None else max(cap - offer["redemptions"], 0),
            )
        )
    return Table(
        slug="offer-redemptions",
        title=pgettext("insights", "Offer redemptions"),
        description=_(
            "Offers on sale at some time in the range: how many times each was redeemed (a checkout being paid "
            "holds one), against its cap. An offer without a cap has no cap and nothing left to count."
        ),
        columns=(
            Column("offer", pgettext("insights", "Offer"), numeric=False),
            Column("purpose", pgettext("insights", "Kind"), numeric=False),
            Column("state", pgettext("insights", "Now"), numeric=False),
            Column("redemptions", pgettext("insights", "Redemptions")),
            Column("cap", pgettext("insights", "Cap")),
            Column("left", pgettext("insights", "Left")),
        ),
        rows=tuple(rows),
        chart=Chart.BAR,
    )


# -- revenue --------------------------------------------------------------------------------------------------
def _revenue_table(start: dt.date, end: dt.date, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    months = _months(start, end)
    found: dict[tuple[int, str], dict] = {}
    for row in (
        Payment.objects.filter(outcome=Payment.Outcome.PAID, at__gte=first, at__lt=after)
        .order_by()
        .annotate(month=_month_index("at", months, zone))
        .values("month", "currency")
        .annotate(payments=Count("pk"), gross=Sum("amount_minor"), tax=Sum("tax_minor"))
    ):
        key = (row["month"], row["currency"].lower())
        total = found.setdefault(key, {"payments": 0, "gross": 0, "tax": 0})  # "USD" and "usd" are one
        for name in total:
            total[name] += row[name]
    currencies = sorted({currency for _index, currency in found}) or sorted(
        {currency.lower() for currency in Plan.objects.filter(active=True).values_list("currency", flat=True)}
    )
    rows = []
    for index, month in enumerate(months):
        for currency in currencies:
            row = found.get((index, currency), {"payments": 0, "gross": 0, "tax": 0})
            rows.append(
                (_label(month), currency.upper(), row["payments"], row["gross"] - row["tax"], row["tax"], row["gross"])
            )
    return Table(
        slug="revenue",
        title=pgettext("insights", "Revenue by month"),
        description=_(
            "Paid invoices each month: what readers paid, split into the price before tax and the tax "
            "collected. Amounts are in minor units of the currency (cents; yen for JPY)."
        ),
        columns=(
            Column("month", pgettext("insights", "Month"), numeric=False),
            Column("currency", pgettext("insights", "Currency"), numeric=False),
            Column("payments", pgettext("insights", "Payments")),
            Column("net_minor", pgettext("insights", "Before tax")),
            Column("tax_minor", pgettext("insights", "Tax")),
            Column("gross_minor", pgettext("insights", "Paid")),
        ),
        rows=tuple(rows),
        chart=Chart.BAR,
    )


# -- retention ------------------------------------------------------------------------------------------------
def _retention_table(start: dt.date, end: dt.date, now: dt.datetime, zone: zoneinfo.ZoneInfo) -> Table:
    first, after = _bounds(start, end, zone)
    this_month = _month(now.astimezone(zone).date())
    months = _months(start, end)
    # Two grouped queries, their rows joined here: correlated subqueries per subscription cost seconds over
    # 100,000 of them. Each returns month indexes (small ints), never a datetime to convert.
    started = (
        Payment.objects.filter(outcome=Payment.Outcome.PAID, amount_minor__gt=0)
        .order_by()
        .values("subscription_id")
        .annotate(first_paid=Min("at"))
        .filter(first_paid__gte=first, first_paid__lt=after, first_paid__lte=now)
        .annotate(cohort=_month_index("first_paid", months, zone))
        .values_list("subscription_id", "cohort")
    )
    since = _months(start, max(end, this_month))  # the months a cohort's subscriptions may have ended in
    ended = dict(
        SubscriptionChange.objects.filter(
            to_status=Status.EXPIRED, subscription__status=Status.EXPIRED, at__gte=first, at__lte=now
        )
        .order_by()
        .values("subscription_id")
        .annotate(ended_at=Max("at"))
        .annotate(left=_month_index("ended_at", since, zone))
        .values_list("subscription_id", "left")
    )
    cohorts: dict[dt.date, dict[dt.date | None, int]] = {}
    for subscription_id, cohort in started:
        left = ended.get(subscription_id)
        ends = cohorts.setdefault(months[cohort], {})
        month_left = None if left is None else since[left]
        ends[month_left] = ends.get(month_left, 0) + 1
    span = min(RETENTION_MONTHS, max(_months_between(months[0], this_month), 0))
    rows = []
    for cohort in months:
        ends = cohorts.get(cohort, {})
        size = sum(ends.values())
        shares = []
        for k in range(1, span + 1):
            month_k = _add_months(cohort, k)
            if month_k > this_month:
                shares.append(None)
                continue
            still = sum(count for left, count in ends.items() if left is None or left >= month_k)
            shares.append(share(still, size))
        rows.append((_label(cohort), size, *shares))
    return Table(
        slug="retention",
        title=pgettext("insights", "Retention by start month"),
        description=_(
            "Readers who first paid in each month, and the share of them (in percent) still subscribed when "
            "each following month began (month 1 is the month after the one they started in). A month that "
            "has not begun yet is left empty."
        ),
        columns=(
            Column("cohort", pgettext("insights", "Started"), numeric=False),
            Column("subscribers", pgettext("insights", "Subscribers")),
            *(
                Column(f"month_{k}", pgettext("insights", "Month %(number)s") % {"number": k})
                for k in range(1, span + 1)
            ),
        ),
        rows=tuple(rows),
        chart=Chart.NONE,
    )


# -- all of it ------------------------------------------------------------------------------------------------
def business_tables(*, start: dt.date, end: dt.date, now: dt.datetime) -> list[Table]:
    """The business's tables for the publisher: figures that stand at ``now`` (MRR, subscribers, offers'
    state, which cohort months have begun) and figures over the days ``start``–``end`` (trials, churn and its
    reasons, revenue, cohorts), in the publication's time zone. Raises ValueError when ``end`` is before
    ``start``. Labels are in the active language."""
    zone = _zone()
    _bounds(start, end, zone)
    return [
        _mrr_table(now),
        _subscribers_by_plan_table(now),
        _subscribers_by_offer_table(now),
        _trials_table(start, end, now, zone),
        _churn_table(start, end, zone),
        _churn_reasons_table(start, end, zone),
        _offer_redemptions_table(start, end, now, zone),
        _revenue_table(start, end, zone),
        _retention_table(start, end, now, zone),
    ]
