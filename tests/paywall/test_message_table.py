"""What the page says about the meter, for every reader kind × meter position × re-read, in English and Japanese.

The decision comes from the pure policy and the words from the real fragments, so this table is what a
reader reads: a re-read after the wall, or of the last free article, never says "this is your last free
article".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from masthead.paywall import policy
from masthead.paywall.types import ArticleAccess, MeterRules, MeterState, Reader, ReaderKind
from masthead.publishing.access import AccessLevel
from masthead.site.fragments import MeterBanner, PaywallPanel, render_uncached
from masthead.subscriptions.entitlements import Lapse

RULES = MeterRules(anonymous_limit=3, registered_limit=10)
ARTICLE = ArticleAccess(article_id=1, level=AccessLevel.METERED, block_count=8)
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)

# (reader kind, position) -> state before the read; the positions of tests/paywall/test_policy.py
POSITIONS = {
    "first read": lambda limit: MeterState(used=0),
    "one left after this": lambda limit: MeterState(used=limit - 2),
    "last free article": lambda limit: MeterState(used=limit - 1),
    "after the wall": lambda limit: MeterState(used=limit),
    "re-read, some left": lambda limit: MeterState(used=1, already_read=True),
    "re-read of the last free article": lambda limit: MeterState(used=limit, already_read=True),
}
SPENT_EN = "You have no free articles left this month. Stories you have already opened stay open."
SPENT_JA = "今月の無料記事は残っていません。すでに開いた記事は引き続きお読みいただけます。"
# (kind, position) -> (English, Japanese)
EXPECTED = {
    ("anonymous", "first read"): ("You have 2 free articles left this month", "今月の無料記事はあと2本です"),
    ("anonymous", "one left after this"): ("You have 1 free article left this month", "今月の無料記事はあと1本です"),
    ("anonymous", "last free article"): ("This is your last free article this month", "今月最後の無料記事です"),
    ("anonymous", "after the wall"): (
        "You have read all 3 free articles this month",
        "今月の無料記事3本をすべて読みました",
    ),
    ("anonymous", "re-read, some left"): ("You have 2 free articles left this month", "今月の無料記事はあと2本です"),
    ("anonymous", "re-read of the last free article"): (SPENT_EN, SPENT_JA),
    ("registered", "first read"): ("You have 9 free articles left this month", "今月の無料記事はあと9本です"),
    ("registered", "one left after this"): ("You have 1 free article left this month", "今月の無料記事はあと1本です"),
    ("registered", "last free article"): ("This is your last free article this month", "今月最後の無料記事です"),
    ("registered", "after the wall"): (
        "You have read all 10 free articles this month",
        "今月の無料記事10本をすべて読みました",
    ),
    ("registered", "re-read, some left"): ("You have 9 free articles left this month", "今月の無料記事はあと9本です"),
    ("registered", "re-read of the last free article"): (SPENT_EN, SPENT_JA),
}


def words(kind: str, position: str, language: str) -> str:
    reader = Reader(ReaderKind(kind), "a:x" if kind == "anonymous" else "u:1")
    limit = RULES.limit_for(reader.kind)
    decision = policy.decide(article=ARTICLE, reader=reader, meter=POSITIONS[position](limit), rules=RULES, now=NOW)
    common = {"language": language, "path": "/politics/story/", "message": decision.message, "window": decision.window}
    if decision.full:
        fragment = MeterBanner(**common, remaining=decision.remaining, signed_in=kind != "anonymous")
    else:
        fragment = PaywallPanel(
            **common,
            limit=decision.limit,
            lapse=Lapse.NONE,
            username="",
            publication_name="The Review",
            offers=(),
            plans=(),
        )
    return " ".join(render_uncached(fragment).split())


def test_the_table_covers_every_reader_kind_and_position():
    assert set(EXPECTED) == {(kind, position) for kind in ("anonymous", "registered") for position in POSITIONS}


@pytest.mark.parametrize(("kind", "position"), list(EXPECTED))
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_meter_message(kind, position, language):
    english, japanese = EXPECTED[(kind, position)]
    with translation.override(language):
        text = words(kind, position, language)
    assert (english if language == "en" else japanese) in text
    if position.startswith("re-read"):
        assert "last free article" not in text and "最後の無料記事" not in text
