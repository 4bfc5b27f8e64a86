"""The access decision, exhaustively: every level × reader kind × meter position."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from masthead.paywall.policy import decide, decide_without_meter, is_metered, teaser_length
from masthead.paywall.types import (
    ArticleAccess,
    Message,
    MeterRules,
    MeterState,
    Outcome,
    Reader,
    ReaderKind,
    Reason,
)
from masthead.publishing.access import AccessLevel

NOW = dt.datetime(2026, 11, 15, 12, tzinfo=dt.UTC)
RULES = MeterRules(anonymous_limit=3, registered_limit=10, teaser_blocks=2)
ARTICLE_BLOCKS = 8

# Meter positions: before any read, one left, the last one, past the limit, and a re-read.
POSITIONS = {
    "fresh": lambda limit: MeterState(used=0),
    "one_left": lambda limit: MeterState(used=limit - 2),
    "last": lambda limit: MeterState(used=limit - 1),
    "exhausted": lambda limit: MeterState(used=limit),
    "reread": lambda limit: MeterState(used=limit, already_read=True),
    "reread_with_some_left": lambda limit: MeterState(used=limit - 2, already_read=True),
}

FULL, TEASER = Outcome.FULL, Outcome.TEASER
# (level, reader kind, position) -> (outcome, reason, message)
EXPECTED: dict[tuple[AccessLevel, ReaderKind, str], tuple[Outcome, Reason, Message]] = {}
for position in POSITIONS:
    for kind in ReaderKind:
        EXPECTED[(AccessLevel.FREE, kind, position)] = (FULL, Reason.FREE, Message.NONE)
    EXPECTED[(AccessLevel.SUBSCRIBERS, ReaderKind.ANONYMOUS, position)] = (
        TEASER,
        Reason.SUBSCRIPTION_REQUIRED,
        Message.SUBSCRIPTION_WALL,
    )
    for kind in (ReaderKind.UNVERIFIED, ReaderKind.REGISTERED):
        EXPECTED[(AccessLevel.SUBSCRIBERS, kind, position)] = (
            TEASER,
            Reason.SUBSCRIPTION_REQUIRED,
            Message.SUBSCRIPTION_WALL,
        )
        # Signing in opens the registration wall, whether or not the address is confirmed yet.
        EXPECTED[(AccessLevel.REGISTERED, kind, position)] = (FULL, Reason.REGISTERED_ACCESS, Message.NONE)
    EXPECTED[(AccessLevel.REGISTERED, ReaderKind.ANONYMOUS, position)] = (
        TEASER,
        Reason.REGISTRATION_REQUIRED,
        Message.REGISTRATION_WALL,
    )
    for level in (AccessLevel.METERED, AccessLevel.REGISTERED, AccessLevel.SUBSCRIBERS):
        EXPECTED[(level, ReaderKind.ENTITLED, position)] = (FULL, Reason.ENTITLED, Message.NONE)
        EXPECTED[(level, ReaderKind.CRAWLER, position)] = (FULL, Reason.CRAWLER, Message.NONE)
for kind in (ReaderKind.ANONYMOUS, ReaderKind.UNVERIFIED, ReaderKind.REGISTERED):
    EXPECTED[(AccessLevel.METERED, kind, "fresh")] = (FULL, Reason.METER_GRANTED, Message.ARTICLES_LEFT)
    EXPECTED[(AccessLevel.METERED, kind, "one_left")] = (FULL, Reason.METER_GRANTED, Message.ARTICLES_LEFT)
    EXPECTED[(AccessLevel.METERED, kind, "last")] = (FULL, Reason.METER_GRANTED, Message.LAST_FREE_ARTICLE)
    EXPECTED[(AccessLevel.METERED, kind, "exhausted")] = (TEASER, Reason.METER_EXHAUSTED, Message.METER_EXHAUSTED)
    # A re-read never says "this is your last free article": it says what is left (issue 11, finding 5).
    EXPECTED[(AccessLevel.METERED, kind, "reread")] = (FULL, Reason.METER_REREAD, Message.REREAD_ALLOWANCE_SPENT)
    EXPECTED[(AccessLevel.METERED, kind, "reread_with_some_left")] = (
        FULL,
        Reason.METER_REREAD,
        Message.ARTICLES_LEFT,
    )

assert len(EXPECTED) == len(AccessLevel) * len(ReaderKind) * len(POSITIONS)


def _article(level: AccessLevel, blocks: int = ARTICLE_BLOCKS, paywall_break: int | None = None) -> ArticleAccess:
    return ArticleAccess(article_id=7, level=level, block_count=blocks, paywall_break=paywall_break)


@pytest.mark.parametrize(("level", "kind", "position"), sorted(EXPECTED, key=str))
def test_decide_covers_every_level_reader_and_meter_position(level, kind, position):
    limit = RULES.limit_for(kind)
    decision = decide(
        article=_article(level), reader=Reader(kind, "k"), meter=POSITIONS[position](limit), rules=RULES, now=NOW
    )
    outcome, reason, message = EXPECTED[(level, kind, position)]
    assert (decision.outcome, decision.reason, decision.message) == (outcome, reason, message)
    if outcome == TEASER:
        assert decision.visible_blocks == RULES.teaser_blocks
    else:
        assert decision.visible_blocks is None
    assert decision.records_read == (reason == Reason.METER_GRANTED)


def test_the_meter_counts_down_three_free_articles():
    reader = Reader(ReaderKind.ANONYMOUS, "a:x")
    seen = []
    for used in range(4):
        d = decide(
            article=_article(AccessLevel.METERED), reader=reader, meter=MeterState(used=used), rules=RULES, now=NOW
        )
        seen.append((d.outcome, d.message, d.remaining))
    assert seen == [
        (FULL, Message.ARTICLES_LEFT, 2),
        (FULL, Message.ARTICLES_LEFT, 1),
        (FULL, Message.LAST_FREE_ARTICLE, 0),
        (TEASER, Message.METER_EXHAUSTED, 0),
    ]


def test_registered_readers_get_their_own_limit():
    reader = Reader(ReaderKind.REGISTERED, "u:1")
    granted = decide(
        article=_article(AccessLevel.METERED), reader=reader, meter=MeterState(used=9), rules=RULES, now=NOW
    )
    refused = decide(
        article=_article(AccessLevel.METERED), reader=reader, meter=MeterState(used=10), rules=RULES, now=NOW
    )
    assert granted.full and granted.limit == 10 and granted.message == Message.LAST_FREE_ARTICLE
    assert not refused.full


def test_finding_14_an_unconfirmed_account_has_the_anonymous_allowance():
    unverified = Reader(ReaderKind.UNVERIFIED, "u:1")
    fourth = decide(
        article=_article(AccessLevel.METERED), reader=unverified, meter=MeterState(used=3), rules=RULES, now=NOW
    )
    assert not fourth.full and fourth.limit == 3 and fourth.message == Message.METER_EXHAUSTED
    last = decide(
        article=_article(AccessLevel.METERED), reader=unverified, meter=MeterState(used=2), rules=RULES, now=NOW
    )
    assert last.full and last.limit == 3 and last.message == Message.LAST_FREE_ARTICLE
    assert is_metered(_article(AccessLevel.METERED), unverified)


def test_a_zero_limit_meter_opens_nothing():
    rules = MeterRules(anonymous_limit=0)
    d = decide(
        article=_article(AccessLevel.METERED),
        reader=Reader(ReaderKind.ANONYMOUS),
        meter=MeterState(),
        rules=rules,
        now=NOW,
    )
    assert d.outcome == TEASER


def test_the_editors_paywall_marker_sets_the_teaser_length():
    article = _article(AccessLevel.SUBSCRIBERS, paywall_break=4)
    d = decide(article=article, reader=Reader(ReaderKind.ANONYMOUS), meter=MeterState(), rules=RULES, now=NOW)
    assert d.visible_blocks == 4


@pytest.mark.parametrize(("blocks", "teaser", "expected"), [(1, 2, 0), (2, 2, 1), (3, 2, 2), (10, 0, 0)])
def test_a_teaser_never_shows_a_whole_short_article(blocks, teaser, expected):
    assert teaser_length(_article(AccessLevel.METERED, blocks=blocks), MeterRules(teaser_blocks=teaser)) == expected


def test_only_metered_articles_for_ordinary_readers_touch_the_meter():
    assert is_metered(_article(AccessLevel.METERED), Reader(ReaderKind.ANONYMOUS))
    assert is_metered(_article(AccessLevel.METERED), Reader(ReaderKind.REGISTERED))
    assert not is_metered(_article(AccessLevel.METERED), Reader(ReaderKind.ENTITLED))
    assert not is_metered(_article(AccessLevel.FREE), Reader(ReaderKind.ANONYMOUS))
    assert not is_metered(_article(AccessLevel.SUBSCRIBERS), Reader(ReaderKind.ANONYMOUS))


def test_an_unreachable_meter_fails_open_or_closed_as_configured():
    article = _article(AccessLevel.METERED)
    assert decide_without_meter(article=article, rules=RULES, fail_open=True).full
    closed = decide_without_meter(article=article, rules=RULES, fail_open=False)
    assert not closed.full and closed.visible_blocks == 2


def test_invalid_rules_and_states_cannot_be_built():
    with pytest.raises(ValueError):
        MeterRules(anonymous_limit=-1)
    with pytest.raises(ValueError):
        MeterState(used=-1)


@given(
    level=st.sampled_from([AccessLevel.METERED, AccessLevel.REGISTERED, AccessLevel.SUBSCRIBERS]),
    limit=st.integers(min_value=0, max_value=50),
    over=st.integers(min_value=0, max_value=1000),
    blocks=st.integers(min_value=1, max_value=200),
    teaser=st.integers(min_value=0, max_value=300),
    paywall_break=st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
)
def test_an_anonymous_reader_past_the_meter_never_gets_the_full_text(level, limit, over, blocks, teaser, paywall_break):
    rules = MeterRules(anonymous_limit=limit, teaser_blocks=teaser)
    article = ArticleAccess(article_id=1, level=level, block_count=blocks, paywall_break=paywall_break)
    decision = decide(
        article=article,
        reader=Reader(ReaderKind.ANONYMOUS, "a:x"),
        meter=MeterState(used=limit + over),
        rules=rules,
        now=NOW,
    )
    assert decision.outcome == TEASER
    assert decision.visible_blocks is not None and decision.visible_blocks < blocks
    assert not decision.records_read
