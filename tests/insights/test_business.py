"""The business, from the rows: every figure of every table against values worked out by hand, on a fixed clock,
and reconciled with the subscriptions themselves (MRR, the churn split against the history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from masthead.insights.business import BUSINESS_QUERIES, business_tables, mrr, share
from masthead.payments.billing import charge_for_interval
from masthead.publishing.selectors import current_publication
from masthead.subscriptions.entitlements import entitlement
from masthead.subscriptions.models import (
    CancellationFeedback,
    Offer,
    Payment,
    Plan,
    Subscription,
    SubscriptionChange,
)
from masthead.subscriptions.selectors import grace_period, paid_intervals, subscription_discount, subscription_facts
from masthead.subscriptions.services import offer_terms, subscriptions_tick
from tests.subscriptions import conftest as shop

commerce = shop.commerce

NOW = dt.datetime(2026, 12, 20, 12, 0, tzinfo=dt.UTC)
NOVEMBER, DECEMBER = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


def at(month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


class Book:
    """Writes subscriptions as the money path leaves them: the row, its payments, its history."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(
        self,
        plan: Plan,
        *,
        status: str,
        created: dt.datetime,
        offer: Offer | None = None,
        period_end: dt.datetime | None = None,
        trial_end: dt.datetime | None = None,
        paid=(),  # (at, amount, tax)
        failed=(),  # (at, amount)
        history=(),  # (at, event, from, to)
        discount=(0, 0, 0),
        feedback=(),  # (at, reason, outcome)
    ) -> Subscription:
        self.count += 1
        user = User.objects.create_user(f"s{self.count}@example.com", email=f"s{self.count}@example.com")
        percent, first, intervals = discount
        subscription = Subscription.objects.create(
            user=user,
            plan=plan,
            offer=offer,
            status=status,
            provider="local",
            provider_subscription_id=f"sub_{self.count}",
            created_at=created,
            current_period_end=period_end,
            trial_end=trial_end,
            cancel_at_period_end=status == "canceled",
            ever_paid=bool(paid),
            discount_percent_off=percent,
            discount_first_interval=first,
            discount_intervals=intervals,
        )
        for n, (moment, amount, tax) in enumerate(paid):
            Payment.objects.create(
                subscription=subscription,
                outcome="paid",
                amount_minor=amount,
                tax_minor=tax,
                currency=plan.currency,
                at=moment,
                provider_invoice_id=f"in_{self.count}_{n}",
            )
        for n, (moment, amount) in enumerate(failed):
            Payment.objects.create(
                subscription=subscription,
                outcome="failed",
                amount_minor=amount,
                currency=plan.currency,
                at=moment,
                provider_invoice_id=f"in_{self.count}_failed_{n}",
            )
        for moment, event, before, after in history:
            SubscriptionChange.objects.create(
                subscription=subscription, at=moment, event=event, from_status=before, to_status=after
            )
        for moment, reason, outcome in feedback:
            CancellationFeedback.objects.create(subscription=subscription, reason=reason, outcome=outcome, at=moment)
        return subscription


@pytest.fixture
def scenario(db, clock, commerce):
    """Fifteen subscriptions, from September to December 2026; the clock stands at December 20, 12:00 UTC."""
    monthly, annual, intro, trial = commerce.monthly, commerce.annual, commerce.intro, commerce.trial
    supporter = Plan.objects.create(name="Supporter", slug="supporter", amount_minor=10001, interval="year", position=2)
    forever = Offer.objects.create(
        name="A quarter off for good",
        slug="quarter-off",
        plan=monthly,
        kind="percent_off",
        percent_off=25,
        percent_off_intervals=0,
        starts_at=at(10, 1),
        ends_at=dt.datetime(2027, 1, 31, tzinfo=dt.UTC),
        redemption_cap=50,
    )
    retention = Offer.objects.create(
        name="Stay for half price",
        slug="stay-half",
        plan=monthly,
        kind="percent_off",
        percent_off=50,
        percent_off_intervals=3,
        purpose="retention",
        starts_at=at(10, 1),
        ends_at=dt.datetime(2027, 3, 1, tzinfo=dt.UTC),
        redemption_cap=10,
    )
    Offer.objects.filter(pk=intro.pk).update(redemptions=1, redemption_cap=1)
    Offer.objects.filter(pk=trial.pk).update(redemptions=3)
    Offer.objects.filter(pk__in=[forever.pk, retention.pk]).update(redemptions=1)
    book = Book()
    s = {}
    # 1: monthly, paying since Nov 1, tax included in its price.
    s[1] = book(
        monthly,
        status="active",
        created=at(11, 1, 10),
        period_end=dt.datetime(2027, 1, 1, 10, tzinfo=dt.UTC),
        paid=[(at(11, 1, 10), 1200, 200), (at(12, 1, 10), 1200, 200)],
    )
    # 2: a yearly supporter at 100.01: 10001 / 12 a month.
    s[2] = book(
        supporter,
        status="active",
        created=at(11, 10),
        period_end=dt.datetime(2027, 11, 10, tzinfo=dt.UTC),
        paid=[(at(11, 10), 10001, 0)],
    )
    # 3: the intro offer (3.00 for three months), two paid: the next is the third, still 3.00.
    s[3] = book(
        monthly,
        offer=intro,
        status="active",
        created=at(11, 20),
        period_end=at(12, 20, 10) + dt.timedelta(days=31),
        paid=[(at(11, 20), 300, 0), (at(12, 20, 10), 300, 0)],
    )
    # 4: a quarter off for good: 9.00, and 3.00 a month given away.
    s[4] = book(
        monthly,
        offer=forever,
        status="active",
        created=at(11, 5),
        period_end=dt.datetime(2027, 1, 5, tzinfo=dt.UTC),
        paid=[(at(11, 5), 900, 0), (at(12, 5), 900, 0)],
    )
    # 5: took the retention offer on Nov 10 (half off intervals 2 to 4); paid 3: the next (4th) is half price.
    s[5] = book(
        monthly,
        status="active",
        created=at(10, 15),
        period_end=dt.datetime(2027, 1, 15, tzinfo=dt.UTC),
        paid=[(at(10, 15), 1200, 0), (at(11, 15), 600, 0), (at(12, 15), 600, 0)],
        discount=(50, 2, 3),
        feedback=[(at(11, 10), "too_expensive", "kept")],
    )
    # 6: trialing since Dec 15.
    s[6] = book(
        monthly,
        offer=trial,
        status="trialing",
        created=at(12, 15),
        trial_end=at(12, 29),
        period_end=at(12, 29),
        history=[(at(12, 15), "trial_started", "incomplete", "trialing")],
    )
    # 7: a trial from Nov 2, paid at its end.
    s[7] = book(
        monthly,
        offer=trial,
        status="active",
        created=at(11, 2),
        trial_end=at(11, 16),
        period_end=dt.datetime(2027, 1, 16, tzinfo=dt.UTC),
        paid=[(at(11, 16), 1200, 0), (at(12, 16), 1200, 0)],
        history=[
            (at(11, 2), "trial_started", "incomplete", "trialing"),
            (at(11, 16), "payment_succeeded", "trialing", "active"),
        ],
    )
    # 8: a trial from Nov 25, canceled the next day ("content"), ended Dec 9 unpaid: no churn (never paid).
    s[8] = book(
        monthly,
        offer=trial,
        status="expired",
        created=at(11, 25),
        trial_end=at(12, 9),
        period_end=at(12, 9),
        history=[
            (at(11, 25), "trial_started", "incomplete", "trialing"),
            (at(11, 26), "cancel", "trialing", "canceled"),
            (at(12, 9), "period_ended", "canceled", "expired"),
        ],
        feedback=[(at(11, 26), "content", "canceled")],
    )
    # 9: paid Oct 20 and Nov 20, canceled Nov 25 ("too_expensive"), ran out Dec 20 at 08:00: voluntary.
    s[9] = book(
        monthly,
        status="expired",
        created=at(10, 20),
        period_end=at(12, 20, 8),
        paid=[(at(10, 20), 1200, 0), (at(11, 20), 1200, 0)],
        history=[(at(11, 25), "cancel", "active", "canceled"), (at(12, 20, 8), "period_ended", "canceled", "expired")],
        feedback=[(at(11, 25), "too_expensive", "canceled")],
    )
    # 10: paid Nov 3, the Dec 3 renewal failed, the grace period ran out Dec 10: involuntary.
    s[10] = book(
        monthly,
        status="expired",
        created=at(11, 3),
        period_end=at(12, 3),
        paid=[(at(11, 3), 1200, 0)],
        failed=[(at(12, 3), 1200)],
        history=[
            (at(12, 3), "payment_failed", "active", "past_due"),
            (at(12, 10), "grace_ended", "past_due", "expired"),
        ],
    )
    # 11: paid Oct 5, past due Nov 5, canceled by the reader Nov 8 (no reason); the provider's event ended it first.
    s[11] = book(
        monthly,
        status="expired",
        created=at(10, 5),
        period_end=at(11, 5),
        paid=[(at(10, 5), 1200, 0)],
        failed=[(at(11, 5), 1200)],
        history=[
            (at(11, 5), "payment_failed", "active", "past_due"),
            (at(11, 8), "cancel_requested", "past_due", "past_due"),
            (at(11, 8), "grace_ended", "past_due", "expired"),
        ],
        feedback=[(at(11, 8), "", "canceled")],
    )
    # 12: yearly from Dec 1, canceled Dec 2 ("elsewhere"): runs until Dec 2027, pays no more.
    s[12] = book(
        annual,
        status="canceled",
        created=at(12, 1),
        period_end=dt.datetime(2027, 12, 1, tzinfo=dt.UTC),
        paid=[(at(12, 1), 12000, 0)],
        history=[(at(12, 2), "cancel", "active", "canceled")],
        feedback=[(at(12, 2), "elsewhere", "canceled")],
    )
    # 13: paid Nov 1, ended by the provider Nov 21 while running: other.
    s[13] = book(
        monthly,
        status="expired",
        created=at(11, 1),
        period_end=at(12, 1),
        paid=[(at(11, 1), 1200, 0)],
        history=[(at(11, 21), "provider_sync", "active", "expired")],
    )
    # 14: its renewal (Oct 1) never reported, its grace long over: not running, though its row says active.
    s[14] = book(monthly, status="active", created=at(9, 1), period_end=at(10, 1), paid=[(at(9, 1), 1200, 0)])
    # 15: paid Oct 1 and Nov 1, canceled at the provider (never asked why), ran out Dec 1: voluntary, not asked.
    s[15] = book(
        monthly,
        status="expired",
        created=at(10, 1),
        period_end=at(12, 1),
        paid=[(at(10, 1), 1200, 0), (at(11, 1), 1200, 0)],
        history=[(at(11, 2), "cancel", "active", "canceled"), (at(12, 1), "period_ended", "canceled", "expired")],
    )
    clock.set(NOW)
    return s


def tables(start=NOVEMBER, end=DECEMBER) -> dict:
    return {table.slug: table for table in business_tables(start=start, end=end, now=NOW)}


def columns(table) -> tuple[str, ...]:
    return tuple(column.key for column in table.columns)


def test_mrr(scenario):
    # 1200 (s1) + 10001/12 (s2) + 300 (s3) + 900 (s4) + 600 (s5) + 1200 (s7) = 4200 + 833.41…
    figures = mrr(NOW)
    usd = figures["usd"]
    assert list(figures) == ["usd"]
    assert usd.amount == Fraction(4200) + Fraction(10001, 12) == Fraction(60401, 12)
    assert (usd.subscriptions, usd.amount_minor, usd.forever_discounted, usd.forever_discount) == (6, 5033, 1, 300)
    table = tables()["mrr"]
    assert columns(table) == (
        "currency",
        "subscriptions",
        "mrr_minor",
        "forever_discounted",
        "forever_discount_minor",
    )
    assert table.rows == (("USD", 6, 5033, 1, 300),)


def test_subscribers_by_plan_and_by_offer(scenario):
    found = tables()
    by_plan = found["subscribers-by-plan"]
    assert columns(by_plan) == ("plan", "interval", "trialing", "paying", "canceling", "total")
    assert by_plan.rows == (
        ("Monthly", "Monthly", 1, 5, 0, 6),  # s6 trialing; s1, s3, s4, s5, s7 paying (s14 has run out)
        ("Annual", "Yearly", 0, 0, 1, 1),  # s12, canceled until Dec 2027
        ("Supporter", "Yearly", 0, 1, 0, 1),  # s2
    )
    by_offer = found["subscribers-by-offer"]
    assert columns(by_offer) == ("offer", "trialing", "paying", "canceling", "total")
    assert by_offer.rows == (
        ("A quarter off for good", 0, 1, 0, 1),  # s4
        ("Try 3 months for $9", 0, 1, 0, 1),  # s3
        ("Try it free for 14 days", 1, 1, 0, 2),  # s6, s7
        ("No offer", 0, 3, 1, 4),  # s1, s2, s5; s12
    )


def test_trials(scenario):
    table = tables()["trials"]
    assert columns(table) == ("month", "started", "converted", "rate")
    # November: s7 (paid) and s8 (not); December: s6 (still trialing).
    assert table.rows == (("2026-11", 2, 1, D("50.0")), ("2026-12", 1, 0, D("0.0")))


def test_churn_and_its_reasons(scenario):
    found = tables()
    churn = found["churn"]
    assert columns(churn) == ("month", "voluntary", "involuntary", "other", "total")
    # November: s11 (canceled while past due), s13 (the provider); December: s9 and s15 canceled, s10 failed.
    assert churn.rows == (("2026-11", 1, 0, 1, 2), ("2026-12", 2, 1, 0, 3))
    reasons = found["churn-reasons"]
    assert columns(reasons) == ("reason", "ended", "kept")
    assert reasons.rows == (
        ("It costs too much", 1, 1),  # s9 ended; s5 kept with the offer
        ("I don't have time to read it", 0, 0),
        ("The journalism isn't what I want", 0, 0),  # s8 said so, but never paid: not churn
        ("I get my news elsewhere", 0, 0),  # s12 said so, and has not ended yet
        ("Something on the site or app doesn't work for me", 0, 0),
        ("I only needed it for a while", 0, 0),
        ("Something else", 0, 0),
        ("No reason given", 1, 0),  # s11
        ("Not asked (canceled at the payment provider)", 1, 0),  # s15
    )


def test_offer_redemptions(scenario):
    table = tables()["offer-redemptions"]
    assert columns(table) == ("offer", "purpose", "state", "redemptions", "cap", "left")
    assert table.rows == (
        ("Try 3 months for $9", "Sale", "Ended", 1, 1, 0),
        ("A quarter off for good", "Sale", "On offer", 1, 50, 49),
        ("Try it free for 14 days", "Sale", "On offer", 3, None, None),
        ("Stay for half price", "Retention", "On offer", 1, 10, 9),
    )


def test_revenue(scenario):
    table = tables()["revenue"]
    assert columns(table) == ("month", "currency", "payments", "net_minor", "tax_minor", "gross_minor")
    # November: s1 1200 (200 tax), s2 10001, s3 300, s4 900, s5 600, s7 1200, s9 1200, s10 1200, s13 1200,
    # s15 1200 (s11's failed renewal is not revenue). December: s1 1200 (200 tax), s3 300, s4 900, s5 600,
    # s7 1200, s12 12000 (s10's failed renewal is not).
    assert table.rows == (("2026-11", "USD", 10, 18801, 200, 19001), ("2026-12", "USD", 6, 16000, 200, 16200))


def test_retention_cohorts(scenario):
    table = tables()["retention"]
    assert columns(table) == ("cohort", "subscribers", "month_1")
    # November's first payments: s1, s2, s3, s4, s7, s10 (ended in December), s13 (ended in November): 6 of 7
    # were still subscribed when December began. December's (s12) have no month 1 yet.
    assert table.rows == (("2026-11", 7, D("85.7")), ("2026-12", 1, None))
    longer = {t.slug: t for t in business_tables(start=dt.date(2026, 10, 1), end=DECEMBER, now=NOW)}["retention"]
    assert columns(longer) == ("cohort", "subscribers", "month_1", "month_2")
    # October: s5 (running), s9 and s15 (ended in December), s11 (ended in November).
    assert longer.rows == (
        ("2026-10", 4, D("100.0"), D("75.0")),
        ("2026-11", 7, D("85.7"), None),
        ("2026-12", 1, None, None),
    )


def test_every_table_is_for_publishers_and_the_range_is_checked(scenario):
    found = business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)
    assert [table.slug for table in found] == [
        "mrr",
        "subscribers-by-plan",
        "subscribers-by-offer",
        "trials",
        "churn",
        "churn-reasons",
        "offer-redemptions",
        "revenue",
        "retention",
    ]
    assert {table.audience for table in found} == {"publisher"}
    assert all(table.title and table.description for table in found)
    with pytest.raises(ValueError):
        business_tables(start=DECEMBER, end=NOVEMBER, now=NOW)


def test_labels_are_japanese_when_the_language_is(scenario):
    with translation.override("ja"):
        found = {table.slug: table for table in business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)}
    assert found["mrr"].title == "月間経常収益（MRR）"
    assert found["churn"].columns[1].label == "自発的（解約）"
    assert found["churn-reasons"].rows[0][0] == "料金が高すぎる"
    assert found["subscribers-by-offer"].rows[-1][0] == "オファーなし"
    assert found["retention"].columns[2].label == "1か月後"


def test_empty_books(db, clock):
    clock.set(NOW)
    found = {table.slug: table for table in business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)}
    assert found["mrr"].rows == ()
    assert found["trials"].rows == (("2026-11", 0, 0, None), ("2026-12", 0, 0, None))
    assert found["churn"].rows == (("2026-11", 0, 0, 0, 0), ("2026-12", 0, 0, 0, 0))
    assert found["revenue"].rows == ()  # no payments and no plan: no currency to show
    assert found["retention"].rows == (("2026-11", 0, None), ("2026-12", 0, None))


def test_share_rounds_half_up():
    assert (share(1, 8), share(2, 3), share(0, 5), share(3, 0)) == (D("12.5"), D("66.7"), D("0.0"), None)
    assert share(1, 16) == D("6.3")  # 6.25


# -- reconciliation -------------------------------------------------------------------------------------------
def test_mrr_is_the_sum_over_live_subscriptions(scenario):
    """Each subscription on its own, through the app's own rules: the entitlement says whether it runs, the
    billing arithmetic what its next renewal charges."""
    expected, count = Fraction(0), 0
    for subscription in Subscription.objects.select_related("plan", "offer"):
        running = entitlement(subscription_facts(subscription), NOW, grace=grace_period()).full_access
        if not running or subscription.status not in ("active", "past_due"):
            continue
        terms = offer_terms(subscription.offer) if subscription.offer else None
        charge = charge_for_interval(
            subscription.plan.amount_minor,
            terms,
            paid_intervals(subscription) + 1,
            subscription_discount(subscription),
        )
        expected += Fraction(charge, 12 if subscription.plan.interval == "year" else 1)
        count += 1
    assert count == 6
    usd = mrr(NOW)["usd"]
    assert (usd.amount, usd.subscriptions) == (expected, count)


def churn_from_history(start: dt.datetime, after: dt.datetime) -> dict[tuple[str, str], int]:
    """The churn split read from each subscription's history, one subscription at a time."""
    split: dict[tuple[str, str], int] = {}
    for subscription in Subscription.objects.all():
        changes = list(subscription.history.order_by("at", "pk"))
        for change in changes:
            if change.to_status != "expired" or change.from_status in ("expired", "incomplete", ""):
                continue
            if not start <= change.at < after:
                continue
            if not subscription.payments.filter(outcome="paid", amount_minor__gt=0, at__lte=change.at).exists():
                continue
            asked = any(c.event in ("cancel", "cancel_requested") and c.at <= change.at for c in changes)
            if change.from_status == "canceled" or (change.from_status == "past_due" and asked):
                kind = "voluntary"
            elif change.from_status == "past_due":
                kind = "involuntary"
            else:
                kind = "other"
            month = f"{change.at:%Y-%m}"
            split[(month, kind)] = split.get((month, kind), 0) + 1
    return split


def churn_from_table(table) -> dict[tuple[str, str], int]:
    return {
        (row[0], kind): count
        for row in table.rows
        for kind, count in zip(("voluntary", "involuntary", "other"), row[1:4], strict=True)
        if count
    }


def test_the_churn_split_is_the_subscription_history(scenario):
    from_history = churn_from_history(at(11, 1, 0), dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert sum(from_history.values()) == 5
    assert churn_from_table(tables()["churn"]) == from_history


@pytest.mark.django_db(transaction=True)  # the local provider's events commit with its changes
def test_the_churn_split_of_real_journeys_is_their_history(client, clock, commerce):
    """Three subscribers through the real money path: one cancels with a reason and runs out, one's renewal
    fails until the grace period ends, one cancels while past due."""

    def subscriber(email: str, card: str = shop.CARD_OK) -> Subscription:
        user = User.objects.create_user(email, email=email, password="a sturdy passphrase 42")
        client.force_login(user)
        return shop.subscribe(client, commerce.monthly, card=card)

    leaving = subscriber("leaving@example.com")
    cancel = {"subscription": leaving.pk, "reason": "temporary", "action": "cancel"}
    assert client.post("/account/subscription/cancel/", cancel).status_code == 302
    failing = subscriber("failing@example.com", shop.CARD_FAILS_AT_RENEWAL)
    giving_up = subscriber("giving-up@example.com", shop.CARD_FAILS_AT_RENEWAL)
    clock.set(leaving.current_period_end + dt.timedelta(minutes=1))
    subscriptions_tick()
    giving_up.refresh_from_db()
    assert giving_up.status == "past_due"
    client.force_login(giving_up.user)
    assert client.post("/account/subscription/cancel/", {"subscription": giving_up.pk}).status_code == 302
    clock.advance(days=8)
    subscriptions_tick()
    statuses = dict(Subscription.objects.values_list("pk", "status"))
    assert statuses == {leaving.pk: "expired", failing.pk: "expired", giving_up.pk: "expired"}

    found = {t.slug: t for t in business_tables(start=dt.date(2026, 11, 1), end=clock.now.date(), now=clock.now)}
    from_history = churn_from_history(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), clock.now + dt.timedelta(seconds=1))
    assert from_history == {("2026-12", "voluntary"): 2, ("2026-12", "involuntary"): 1}
    assert churn_from_table(found["churn"]) == from_history
    reasons = {row[0]: row[1] for row in found["churn-reasons"].rows}
    assert reasons["I only needed it for a while"] == 1 and reasons["No reason given"] == 1
    assert sum(reasons.values()) == 2


# -- the queries are bounded --------------------------------------------------------------------------------
def test_the_tables_take_a_bounded_number_of_queries(scenario, commerce, django_assert_max_num_queries):
    current_publication()  # remembered by the worker, as it is on every page
    with django_assert_max_num_queries(BUSINESS_QUERIES):
        business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)
    with CaptureQueriesContext(connection) as before:
        business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)
    book = Book()
    book.count = 100
    for n in range(30):  # as many again, of every kind: the count does not grow
        book(
            commerce.monthly,
            status=("active", "trialing", "canceled", "expired")[n % 4],
            created=at(11, 1 + n % 28),
            period_end=dt.datetime(2027, 1, 1, tzinfo=dt.UTC),
            paid=[(at(11, 1 + n % 28), 1200, 100)],
            history=[(at(12, 1 + n % 19), "period_ended", "canceled", "expired")] if n % 4 == 3 else [],
            feedback=[(at(11, 2 + n % 27), "other", "canceled")] if n % 4 == 2 else [],
        )
    with CaptureQueriesContext(connection) as after:
        business_tables(start=NOVEMBER, end=DECEMBER, now=NOW)
    assert len(after.captured_queries) == len(before.captured_queries) <= BUSINESS_QUERIES


def test_a_rate_column_sorts_by_number_not_by_its_digits():
    from masthead.insights.dashboard import sort_table
    from masthead.insights.tables import Column, Table

    table = Table(
        "t",
        "T",
        "",
        (Column("name", "Name", numeric=False), Column("rate", "Rate")),
        (("a", share(1, 16)), ("b", share(1, 8))),
    )
    assert [row[0] for row in table.rows] == ["a", "b"]  # positive control: both rows are there
    assert [row[0] for row in sort_table(table, "rate", descending=True).rows] == ["b", "a"]  # 12.5 above 6.3
