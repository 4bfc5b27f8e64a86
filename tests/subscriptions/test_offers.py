import datetime as dt

from masthead.payments.billing import add_months, interval_price
from masthead.subscriptions.money import format_money
from masthead.subscriptions.offers import OfferRules, ReaderHistory, Refusal, refusal

NOW = dt.datetime(2027, 4, 30, 12, tzinfo=dt.UTC)
OFFER = OfferRules(plan_id=1, starts_at=NOW - dt.timedelta(days=30), ends_at=NOW + dt.timedelta(hours=1))


def check(offer=OFFER, *, plan_id=1, code="", reader=ReaderHistory(), now=NOW):
    return refusal(offer, plan_id=plan_id, code=code, reader=reader, now=now)


def test_an_offer_is_redeemable_inside_its_window_only():
    assert check() is None
    assert check(now=OFFER.ends_at) == Refusal.ENDED
    assert check(now=OFFER.starts_at - dt.timedelta(seconds=1)) == Refusal.NOT_STARTED


def test_plan_code_cap_and_eligibility():
    assert check(plan_id=2) == Refusal.WRONG_PLAN
    coded = OfferRules(1, OFFER.starts_at, OFFER.ends_at, code="SPRING")
    assert check(coded, code="nope") == Refusal.WRONG_CODE
    assert check(coded, code=" spring ") is None
    capped = OfferRules(1, OFFER.starts_at, OFFER.ends_at, redemption_cap=5, redemptions=5)
    assert check(capped) == Refusal.CAP_REACHED
    assert check(reader=ReaderHistory(ever_subscribed=True)) == Refusal.NOT_ELIGIBLE
    lapsed_ok = OfferRules(1, OFFER.starts_at, OFFER.ends_at, lapsed_allowed=True)
    assert check(lapsed_ok, reader=ReaderHistory(ever_subscribed=True)) is None
    assert check(lapsed_ok, reader=ReaderHistory(True, True)) == Refusal.NOT_ELIGIBLE


def test_a_winback_offer_is_for_lapsed_readers_only():
    winback = OfferRules(1, OFFER.starts_at, OFFER.ends_at, lapsed_only=True)
    assert check(winback, reader=ReaderHistory(has_current_subscription=False, ever_subscribed=True)) is None
    assert check(winback, reader=ReaderHistory()) == Refusal.RETURNING_ONLY
    assert check(winback, reader=ReaderHistory(True, True)) == Refusal.NOT_ELIGIBLE  # subscribed now
    assert check(winback, now=OFFER.ends_at, reader=ReaderHistory(ever_subscribed=True)) == Refusal.ENDED


def test_three_months_for_nine_dollars_then_the_full_price():
    charges = [
        interval_price(
            base_minor=1200,
            interval_number=n,
            intro_minor=300,
            intro_intervals=3,
            percent_off=0,
            percent_off_intervals=0,
        )
        for n in range(1, 6)
    ]
    assert charges == [300, 300, 300, 1200, 1200]
    assert sum(charges[:3]) == 900


def test_percent_off_for_a_number_of_intervals():
    price = [
        interval_price(
            base_minor=1000,
            interval_number=n,
            intro_minor=None,
            intro_intervals=0,
            percent_off=25,
            percent_off_intervals=2,
        )
        for n in (1, 2, 3)
    ]
    assert price == [750, 750, 1000]


def test_money_and_months():
    assert format_money(900, "usd") == "$9"
    assert format_money(1299, "usd") == "$12.99"
    assert format_money(1000, "jpy") == "¥1,000"
    assert add_months(dt.datetime(2027, 1, 31, tzinfo=dt.UTC), 1) == dt.datetime(2027, 2, 28, tzinfo=dt.UTC)
    assert add_months(dt.datetime(2027, 11, 15, tzinfo=dt.UTC), 2) == dt.datetime(2028, 1, 15, tzinfo=dt.UTC)
