"""The price schedule: billing's steps (pure), and the words every page and email shows for them."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from masthead.payments.billing import (
    ScheduleStep,
    charge_for_interval,
    next_period_end,
    price_schedule,
    yearly_saving,
)
from masthead.payments.interface import Discount, Interval, OfferTerms, PlanTerms
from masthead.subscriptions.models import Offer, Payment, Plan, Subscription
from masthead.subscriptions.money import format_money
from masthead.subscriptions.schedule import (
    describe,
    describe_plan,
    describe_subscription,
    schedule_date,
    subscription_schedule,
)
from masthead.subscriptions.states import Status

UTC = dt.UTC
MONTHLY = PlanTerms("monthly", "Monthly", 1200, "usd", Interval.MONTH)
ANNUAL = PlanTerms("annual", "Annual", 12000, "usd", Interval.YEAR)
START = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


def per_interval(steps: list[ScheduleStep], how_many: int) -> list[int]:
    """The charge of each of the next ``how_many`` paid intervals, read off the steps."""
    amounts: list[int] = []
    for step in steps:
        if step.interval is None:
            continue
        amounts += [step.amount_minor] * (step.count if step.count is not None else how_many)
    return amounts[:how_many]


# -- the steps (payments.billing, pure) -------------------------------------------------------------


def test_no_offer_is_one_ongoing_step():
    assert price_schedule(MONTHLY, None, start=START) == [ScheduleStep(1200, "usd", Interval.MONTH, None, START, None)]


def test_an_intro_price_then_the_plan_price():
    steps = price_schedule(MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=3), start=START)
    assert steps == [
        ScheduleStep(300, "usd", Interval.MONTH, 3, START, at(2027, 3, 1)),
        ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 3, 1), None),
    ]


def test_a_free_trial_comes_first_and_billing_starts_when_it_ends():
    steps = price_schedule(ANNUAL, OfferTerms("trial", trial_days=14), start=START)
    assert steps == [
        ScheduleStep(0, "usd", None, 14, START, at(2026, 12, 15)),
        ScheduleStep(12000, "usd", Interval.YEAR, None, at(2026, 12, 15), None),
    ]


def test_a_discount_for_good_is_one_ongoing_step_at_the_discounted_price():
    steps = price_schedule(MONTHLY, OfferTerms("forever", percent_off=25), start=START)
    assert steps == [ScheduleStep(900, "usd", Interval.MONTH, None, START, None)]


def test_an_intro_price_and_a_longer_discount_make_three_steps():
    terms = OfferTerms("both", intro_amount_minor=100, intro_intervals=2, percent_off=50, percent_off_intervals=5)
    steps = price_schedule(MONTHLY, terms, start=START)
    assert [(s.amount_minor, s.count, s.starts) for s in steps] == [
        (100, 2, START),
        (600, 3, at(2027, 2, 1)),
        (1200, None, at(2027, 5, 1)),
    ]


def test_months_chain_from_a_month_end_as_the_renewals_do():
    # Jan 31 + 1 month is Feb 28; the next renewal is a month after that (next_period_end, chained).
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=1), start=at(2027, 1, 31)
    )
    assert steps[1].starts == at(2027, 2, 28)
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=3), start=at(2027, 1, 31)
    )
    assert steps[1].starts == at(2027, 4, 28)
    steps = price_schedule(
        MONTHLY, OfferTerms("intro", intro_amount_minor=300, intro_intervals=1), start=at(2028, 1, 31)
    )
    assert steps[1].starts == at(2028, 2, 29)


def test_a_subscription_already_billed_starts_its_schedule_at_the_next_interval_without_the_trial():
    terms = OfferTerms("intro", intro_amount_minor=300, intro_intervals=3, trial_days=7)
    steps = price_schedule(MONTHLY, terms, start=at(2027, 1, 1), intervals_billed=1)
    assert steps == [
        ScheduleStep(300, "usd", Interval.MONTH, 2, at(2027, 1, 1), at(2027, 3, 1)),
        ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 3, 1), None),
    ]
    past_the_offer = price_schedule(MONTHLY, terms, start=at(2027, 6, 1), intervals_billed=5)
    assert past_the_offer == [ScheduleStep(1200, "usd", Interval.MONTH, None, at(2027, 6, 1), None)]


def test_a_yearly_plan_saves_against_twelve_months_of_the_monthly_one():
    assert yearly_saving(yearly=ANNUAL, monthly=MONTHLY) == 2400
    dearer = PlanTerms("annual", "Annual", 15000, "usd", Interval.YEAR)
    assert yearly_saving(yearly=dearer, monthly=MONTHLY) == 0
    in_euros = PlanTerms("monthly-eur", "Monthly", 1000, "eur", Interval.MONTH)
    assert yearly_saving(yearly=ANNUAL, monthly=in_euros) == 0
    assert yearly_saving(yearly=MONTHLY, monthly=MONTHLY) == 0


plans = st.builds(
    PlanTerms,
    st.just("plan"),
    st.just("Plan"),
    st.integers(min_value=0, max_value=500_000),
    st.sampled_from(["usd", "jpy", "eur"]),
    st.sampled_from(list(Interval)),
)
offers = st.none() | st.builds(
    OfferTerms,
    code=st.just("offer"),
    trial_days=st.integers(min_value=0, max_value=90),
    percent_off=st.integers(min_value=0, max_value=100),
    percent_off_intervals=st.integers(min_value=0, max_value=30),
    intro_amount_minor=st.none() | st.integers(min_value=0, max_value=500_000),
    intro_intervals=st.integers(min_value=0, max_value=30),
)
starts = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2040, 12, 31), timezones=st.just(UTC))


discounts = st.none() | st.builds(
    Discount,
    percent_off=st.integers(min_value=1, max_value=100),
    first_interval=st.integers(min_value=1, max_value=30),
    intervals=st.integers(min_value=1, max_value=12),
)


@given(plan=plans, offer=offers, start=starts, billed=st.integers(min_value=0, max_value=30), discount=discounts)
def test_the_schedule_charges_what_billing_charges_for_every_interval(plan, offer, start, billed, discount):
    steps = price_schedule(plan, offer, start=start, intervals_billed=billed, discount=discount)
    expected = [charge_for_interval(plan.amount_minor, offer, billed + n, discount) for n in range(1, 25)]
    assert per_interval(steps, 24) == expected
    # The steps follow one another without a gap, on the renewals' dates; only the last is ongoing.
    paid = [step for step in steps if step.interval is not None]
    assert [step.count is None for step in paid] == [False] * (len(paid) - 1) + [True]
    assert all(step.count and step.count > 0 for step in steps[:-1])
    assert all(a.ends == b.starts for a, b in itertools.pairwise(steps))
    assert all(a.amount_minor != b.amount_minor for a, b in itertools.pairwise(paid))
    trial = offer is not None and offer.trial_days > 0 and billed == 0
    assert steps[0].starts == start
    assert paid[0].starts == (start + dt.timedelta(days=offer.trial_days) if trial else start)
    moment = paid[0].starts
    for step in paid[:-1]:
        for _ in range(step.count):
            moment = next_period_end(moment, plan.interval)
        assert step.ends == moment


# -- the words (subscriptions.schedule) -------------------------------------------------------------

INTRO_3 = OfferTerms("intro", intro_amount_minor=300, intro_intervals=3)
INTRO_2_YEARS = OfferTerms("intro", intro_amount_minor=6000, intro_intervals=2)
PERCENT_3 = OfferTerms("percent", percent_off=25, percent_off_intervals=3)
PERCENT_1_YEAR = OfferTerms("percent", percent_off=50, percent_off_intervals=1)
FOREVER = OfferTerms("forever", percent_off=25)
FOREVER_YEARLY = OfferTerms("forever", percent_off=10)
TRIAL_14 = OfferTerms("trial", trial_days=14)
TRIAL_30 = OfferTerms("trial", trial_days=30)

# Every offer kind × interval × language, subscribing on December 1, 2026. The yearly rows compare with
# the $12 monthly plan, as the plan cards do.
TABLE = [
    ("none", MONTHLY, None, "en", "$12 a month"),
    ("none", MONTHLY, None, "ja", "月額$12"),
    ("none", ANNUAL, None, "en", "$120 a year — save $24 against monthly"),
    ("none", ANNUAL, None, "ja", "年額$120（月額プランより$24お得）"),
    ("intro", MONTHLY, INTRO_3, "en", "$3 a month for 3 months, then $12 a month from March 1, 2027"),
    ("intro", MONTHLY, INTRO_3, "ja", "3か月間は月額$3、2027年3月1日からは月額$12"),
    (
        "intro",
        ANNUAL,
        INTRO_2_YEARS,
        "en",
        "$60 a year for 2 years, then $120 a year from December 1, 2028 — save $24 against monthly",
    ),
    ("intro", ANNUAL, INTRO_2_YEARS, "ja", "2年間は年額$60、2028年12月1日からは年額$120（月額プランより$24お得）"),
    ("percent", MONTHLY, PERCENT_3, "en", "$9 a month for 3 months, then $12 a month from March 1, 2027"),
    ("percent", MONTHLY, PERCENT_3, "ja", "3か月間は月額$9、2027年3月1日からは月額$12"),
    (
        "percent",
        ANNUAL,
        PERCENT_1_YEAR,
        "en",
        "$60 for one year, then $120 a year from December 1, 2027 — save $24 against monthly",
    ),
    ("percent", ANNUAL, PERCENT_1_YEAR, "ja", "1年間は年額$60、2027年12月1日からは年額$120（月額プランより$24お得）"),
    ("forever", MONTHLY, FOREVER, "en", "$9 a month"),
    ("forever", MONTHLY, FOREVER, "ja", "月額$9"),
    ("forever", ANNUAL, FOREVER_YEARLY, "en", "$108 a year — save $36 against monthly"),
    ("forever", ANNUAL, FOREVER_YEARLY, "ja", "年額$108（月額プランより$36お得）"),
    ("trial", MONTHLY, TRIAL_14, "en", "Free for 14 days, then $12 a month from December 15"),
    ("trial", MONTHLY, TRIAL_14, "ja", "14日間無料、12月15日からは月額$12"),
    (
        "trial",
        ANNUAL,
        TRIAL_30,
        "en",
        "Free for 30 days, then $120 a year from December 31 — save $24 against monthly",
    ),
    ("trial", ANNUAL, TRIAL_30, "ja", "30日間無料、12月31日からは年額$120（月額プランより$24お得）"),
]


def words(plan, offer, language, *, start=START, today=None, monthly=None, billed=0):
    with translation.override(language):
        steps = price_schedule(plan, offer, start=start, intervals_billed=billed)
        return describe(steps, today=today or start.date(), monthly=monthly)


@pytest.mark.parametrize(
    ("plan", "offer", "language", "expected"),
    [pytest.param(p, o, lang, text, id=f"{kind}-{p.interval}-{lang}") for kind, p, o, lang, text in TABLE],
)
def test_every_offer_kind_interval_and_language(plan, offer, language, expected):
    assert words(plan, offer, language, monthly=MONTHLY) == expected


def test_the_table_covers_every_kind_interval_and_language():
    covered = {(kind, plan.interval, language) for kind, plan, _, language, _ in TABLE}
    kinds = {"none", "intro", "percent", "forever", "trial"}
    assert covered == {(k, i, lang) for k in kinds for i in Interval for lang in ("en", "ja")}


@pytest.mark.parametrize(
    ("offer", "en", "ja"),
    [
        (
            OfferTerms("intro", intro_amount_minor=300, intro_intervals=1),
            "$3 for one month, then $12 a month from January 1, 2027",
            "1か月間は月額$3、2027年1月1日からは月額$12",
        ),
        (
            OfferTerms("intro", intro_amount_minor=300, intro_intervals=2),
            "$3 a month for 2 months, then $12 a month from February 1, 2027",
            "2か月間は月額$3、2027年2月1日からは月額$12",
        ),
        (
            OfferTerms("trial", trial_days=1),
            "Free for one day, then $12 a month from December 2",
            "1日間無料、12月2日からは月額$12",
        ),
        (
            OfferTerms("free", percent_off=100, percent_off_intervals=1),
            "Free for one month, then $12 a month from January 1, 2027",
            "1か月間無料、2027年1月1日からは月額$12",
        ),
        (
            OfferTerms("free", percent_off=100, percent_off_intervals=2),
            "Free for 2 months, then $12 a month from February 1, 2027",
            "2か月間無料、2027年2月1日からは月額$12",
        ),
        (OfferTerms("free", percent_off=100), "Free", "無料"),
    ],
    ids=["intro 1", "intro 2", "trial 1 day", "free 1 month", "free 2 months", "free for good"],
)
def test_one_interval_and_several_take_their_plural_forms(offer, en, ja):
    assert words(MONTHLY, offer, "en") == en
    assert words(MONTHLY, offer, "ja") == ja


def test_one_year_and_several_free_years():
    assert words(ANNUAL, OfferTerms("free", percent_off=100, percent_off_intervals=1), "en") == (
        "Free for one year, then $120 a year from December 1, 2027"
    )
    assert words(ANNUAL, OfferTerms("free", percent_off=100, percent_off_intervals=3), "ja") == (
        "3年間無料、2029年12月1日からは年額$120"
    )


def test_a_month_end_start_is_billed_on_the_last_day_of_a_shorter_month():
    start = at(2027, 1, 31)
    one = OfferTerms("intro", intro_amount_minor=300, intro_intervals=1)
    assert words(MONTHLY, one, "en", start=start) == "$3 for one month, then $12 a month from February 28"
    assert words(MONTHLY, one, "ja", start=start) == "1か月間は月額$3、2月28日からは月額$12"
    assert words(MONTHLY, one, "en", start=at(2028, 1, 31)) == "$3 for one month, then $12 a month from February 29"
    # The renewals chain (Feb 28, then Mar 28), and so do the words.
    assert words(MONTHLY, INTRO_3, "en", start=start) == "$3 a month for 3 months, then $12 a month from April 28"


def test_a_step_in_the_next_year_carries_its_year():
    start = at(2026, 11, 15)
    assert (
        words(MONTHLY, INTRO_3, "en", start=start) == "$3 a month for 3 months, then $12 a month from February 15, 2027"
    )
    assert words(MONTHLY, INTRO_3, "ja", start=start) == "3か月間は月額$3、2027年2月15日からは月額$12"
    # Read in the new year, the same date drops its year.
    assert words(MONTHLY, INTRO_3, "en", start=start, today=dt.date(2027, 1, 2)) == (
        "$3 a month for 3 months, then $12 a month from February 15"
    )


def test_a_trial_ending_next_year():
    start = at(2026, 12, 20)
    assert words(MONTHLY, TRIAL_14, "en", start=start) == "Free for 14 days, then $12 a month from January 3, 2027"
    assert words(MONTHLY, TRIAL_14, "ja", start=start) == "14日間無料、2027年1月3日からは月額$12"


def test_dates_are_the_sites_local_dates():
    start = dt.datetime(2026, 12, 1, 20, tzinfo=UTC)  # already December 2 in Tokyo
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        assert words(MONTHLY, TRIAL_14, "ja", start=start, today=dt.date(2026, 12, 2)) == (
            "14日間無料、12月16日からは月額$12"
        )


def test_a_percentage_that_does_not_divide_evenly_rounds_down_as_billing_does():
    plan = PlanTerms("monthly", "Monthly", 1299, "usd", Interval.MONTH)
    assert charge_for_interval(1299, PERCENT_3, 1) == 974  # 974.25
    assert words(plan, PERCENT_3, "en") == "$9.74 a month for 3 months, then $12.99 a month from March 1, 2027"
    assert words(plan, PERCENT_3, "ja") == "3か月間は月額$9.74、2027年3月1日からは月額$12.99"


def test_a_zero_decimal_currency():
    plan = PlanTerms("monthly", "Monthly", 980, "jpy", Interval.MONTH)
    offer = OfferTerms("percent", percent_off=25, percent_off_intervals=2)
    assert words(plan, offer, "en") == "¥735 a month for 2 months, then ¥980 a month from February 1, 2027"
    assert words(plan, offer, "ja") == "2か月間は月額¥735、2027年2月1日からは月額¥980"
    annual = PlanTerms("annual", "Annual", 9800, "jpy", Interval.YEAR)
    assert words(annual, None, "en", monthly=plan) == "¥9,800 a year — save ¥1,960 against monthly"
    assert words(annual, None, "ja", monthly=plan) == "年額¥9,800（月額プランより¥1,960お得）"


def test_three_steps_date_each_after_the_first():
    terms = OfferTerms("both", intro_amount_minor=100, intro_intervals=2, percent_off=50, percent_off_intervals=5)
    assert words(MONTHLY, terms, "en") == (
        "$1 a month for 2 months, then $6 a month for 3 months from February 1, 2027, then $12 a month from May 1, 2027"
    )
    assert words(MONTHLY, terms, "ja") == (
        "2か月間は月額$1、2027年2月1日から3か月間は月額$6、2027年5月1日からは月額$12"
    )


def test_a_schedule_that_starts_later_dates_its_first_step():
    # The account page: one interval of "3 months for $9" paid, the next charge on January 1.
    assert words(MONTHLY, INTRO_3, "en", start=at(2027, 1, 1), today=START.date(), billed=1) == (
        "$3 a month for 2 months from January 1, 2027, then $12 a month from March 1, 2027"
    )
    assert words(MONTHLY, INTRO_3, "ja", start=at(2027, 1, 1), today=START.date(), billed=1) == (
        "2027年1月1日から2か月間は月額$3、2027年3月1日からは月額$12"
    )
    assert words(MONTHLY, INTRO_3, "en", start=at(2026, 12, 20), today=START.date(), billed=3) == (
        "$12 a month from December 20"
    )
    assert (
        words(MONTHLY, INTRO_3, "ja", start=at(2026, 12, 20), today=START.date(), billed=3) == "12月20日からは月額$12"
    )


def test_no_saving_is_claimed_where_there_is_none():
    assert words(ANNUAL, None, "en") == "$120 a year"
    dearer = PlanTerms("annual", "Annual", 15000, "usd", Interval.YEAR)
    assert words(dearer, None, "en", monthly=MONTHLY) == "$150 a year"
    in_euros = PlanTerms("monthly", "Monthly", 1000, "eur", Interval.MONTH)
    assert words(ANNUAL, None, "en", monthly=in_euros) == "$120 a year"
    assert words(MONTHLY, None, "en", monthly=MONTHLY) == "$12 a month"
    assert describe([], today=START.date()) == ""


def test_schedule_date_omits_only_the_current_year():
    with translation.override("en"):
        assert schedule_date(at(2026, 3, 1), today=dt.date(2026, 12, 1)) == "March 1"
        assert schedule_date(dt.date(2025, 3, 1), today=dt.date(2026, 12, 1)) == "March 1, 2025"
    with translation.override("ja"):
        assert schedule_date(dt.date(2027, 3, 1), today=dt.date(2026, 12, 1)) == "2027年3月1日"


def test_describe_plan_words_a_plan_and_offer_from_the_models():
    monthly = Plan(name="Monthly", slug="monthly", amount_minor=1200, currency="usd", interval="month")
    annual = Plan(name="Annual", slug="annual", amount_minor=12000, currency="usd", interval="year")
    intro = Offer(name="Try 3 months for $9", slug="three-for-nine", plan=monthly, kind="intro_price")
    intro.intro_amount_minor, intro.intro_intervals = 300, 3
    # A percent-off field left over on an intro offer is not part of its terms (services.offer_terms).
    intro.percent_off = 50
    with translation.override("en"):
        assert (
            describe_plan(monthly, intro, now=START) == "$3 a month for 3 months, then $12 a month from March 1, 2027"
        )
        assert describe_plan(annual, now=START, monthly_plan=monthly) == "$120 a year — save $24 against monthly"
    with translation.override("ja"):
        assert describe_plan(annual, now=START, monthly_plan=monthly) == "年額$120（月額プランより$24お得）"


@given(plan=plans, offer=offers, start=starts, billed=st.integers(min_value=0, max_value=30))
def test_the_words_name_every_charge_of_the_schedule(plan, offer, start, billed):
    steps = price_schedule(plan, offer, start=start, intervals_billed=billed)
    for language in ("en", "ja"):
        with translation.override(language):
            text = describe(steps, today=start.date())
        for step in steps:
            if step.amount_minor:
                assert format_money(step.amount_minor, step.currency) in text


# -- a running subscription (the account page, receipts and emails) -----------------------------------


def subscribe(commerce, clock, *, offer, status, paid=0, **fields) -> Subscription:
    user = User.objects.create_user("schedule@example.com", email="schedule@example.com")
    subscription = Subscription.objects.create(
        user=user,
        plan=commerce.monthly,
        offer=offer,
        status=status,
        provider="local",
        current_period_start=clock.now,
        created_at=clock.now,
        **fields,
    )
    for number in range(paid):
        Payment.objects.create(
            subscription=subscription,
            outcome=Payment.Outcome.PAID,
            amount_minor=300,
            currency="usd",
            at=clock.now,
            provider_invoice_id=f"in_{number}",
        )
    return subscription


def test_an_active_subscription_shows_what_is_left_of_its_offer(commerce, clock):
    # Subscribed to "3 months for $9" on November 15, 2026, one interval paid.
    subscription = subscribe(
        commerce, clock, offer=commerce.intro, status=Status.ACTIVE, paid=1, current_period_end=at(2026, 12, 15)
    )
    with translation.override("en"):
        assert describe_subscription(subscription, now=clock.now) == (
            "$3 a month for 2 months from December 15, then $12 a month from February 15, 2027"
        )
    with translation.override("ja"):
        assert describe_subscription(subscription, now=clock.now) == (
            "12月15日から2か月間は月額$3、2027年2月15日からは月額$12"
        )
    # Right after paying, the confirmation words the whole offer from the start.
    with translation.override("en"):
        assert describe_plan(subscription.plan, subscription.offer, now=subscription.current_period_start) == (
            "$3 a month for 3 months, then $12 a month from February 15, 2027"
        )


def test_a_trialing_subscription_shows_its_charges_from_the_end_of_the_trial(commerce, clock):
    subscription = subscribe(commerce, clock, offer=commerce.trial, status=Status.TRIALING, trial_end=at(2026, 11, 29))
    with translation.override("en"):
        assert describe_subscription(subscription, now=clock.now) == "$12 a month from November 29"
    with translation.override("ja"):
        assert describe_subscription(subscription, now=clock.now) == "11月29日からは月額$12"


@pytest.mark.parametrize(
    ("status", "cancel_at_period_end"),
    [(Status.CANCELED, False), (Status.ACTIVE, True), (Status.PAST_DUE, False), (Status.EXPIRED, False)],
)
def test_a_subscription_that_will_not_renew_has_no_schedule(commerce, clock, status, cancel_at_period_end):
    subscription = subscribe(commerce, clock, offer=None, status=Status.ACTIVE, current_period_end=at(2026, 12, 15))
    with translation.override("en"):
        assert describe_subscription(subscription, now=clock.now) == "$12 a month from December 15"
    subscription.status, subscription.cancel_at_period_end = status, cancel_at_period_end
    assert subscription_schedule(subscription) == []
    assert describe_subscription(subscription, now=clock.now) == ""
