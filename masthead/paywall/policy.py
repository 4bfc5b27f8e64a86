"""The access decision: a pure function over plain data. No Django, no I/O, no clock reads."""

from __future__ import annotations

import datetime as dt

from masthead.publishing.access import AccessLevel

from .types import ArticleAccess, Decision, Message, MeterRules, MeterState, Outcome, Reader, ReaderKind, Reason

UNLIMITED_ACCESS = {ReaderKind.ENTITLED: Reason.ENTITLED, ReaderKind.CRAWLER: Reason.CRAWLER}
METERED_READERS = (ReaderKind.ANONYMOUS, ReaderKind.UNVERIFIED, ReaderKind.REGISTERED)
SIGNED_IN_READERS = (ReaderKind.UNVERIFIED, ReaderKind.REGISTERED)  # what the registration wall asks for


def teaser_length(article: ArticleAccess, rules: MeterRules) -> int:
    """Blocks a reader without access sees: up to the editor's marker, else the publisher's N."""
    length = article.paywall_break if article.paywall_break is not None else rules.teaser_blocks
    # A teaser never shows the whole body, even when the body is shorter than the teaser length.
    return max(0, min(length, article.block_count - 1))


def is_metered(article: ArticleAccess, reader: Reader) -> bool:
    """Whether opening this article for this reader goes through the meter."""
    return article.level == AccessLevel.METERED and reader.kind in METERED_READERS


def _full(
    reason: Reason,
    rules: MeterRules,
    *,
    message: Message = Message.NONE,
    records: bool = False,
    used: int = 0,
    limit: int = 0,
) -> Decision:
    return Decision(Outcome.FULL, reason, message, None, records, used, limit, rules.window)


def _teaser(
    reason: Reason, message: Message, article: ArticleAccess, rules: MeterRules, *, used: int = 0, limit: int = 0
) -> Decision:
    return Decision(Outcome.TEASER, reason, message, teaser_length(article, rules), False, used, limit, rules.window)


def _meter_message(used: int, limit: int) -> Message:
    return Message.LAST_FREE_ARTICLE if used >= limit else Message.ARTICLES_LEFT


def decide(
    *, article: ArticleAccess, reader: Reader, meter: MeterState, rules: MeterRules, now: dt.datetime
) -> Decision:
    """Decide whether ``reader`` gets the whole of ``article`` or its teaser, and what the page says.

    ``meter`` is the reader's state before this read; when the decision says ``records_read``, the caller
    counts the read (atomically, against the same limit) before serving the full text.
    ``now`` is accepted so time-bound rules can join without changing callers.
    """
    if article.level == AccessLevel.FREE:
        return _full(Reason.FREE, rules)
    if reader.kind in UNLIMITED_ACCESS:
        return _full(UNLIMITED_ACCESS[reader.kind], rules)
    if article.level == AccessLevel.SUBSCRIBERS:
        return _teaser(Reason.SUBSCRIPTION_REQUIRED, Message.SUBSCRIPTION_WALL, article, rules)
    if article.level == AccessLevel.REGISTERED:
        if reader.kind in SIGNED_IN_READERS:
            return _full(Reason.REGISTERED_ACCESS, rules)
        return _teaser(Reason.REGISTRATION_REQUIRED, Message.REGISTRATION_WALL, article, rules)

    limit = rules.limit_for(reader.kind)
    if meter.already_read:
        # Re-reading is free: the page says what is left, and never "this is your last free article".
        message = Message.REREAD_ALLOWANCE_SPENT if meter.used >= limit else Message.ARTICLES_LEFT
        return _full(Reason.METER_REREAD, rules, message=message, used=meter.used, limit=limit)
    if meter.used < limit:
        used = meter.used + 1
        return _full(
            Reason.METER_GRANTED, rules, message=_meter_message(used, limit), records=True, used=used, limit=limit
        )
    return _teaser(Reason.METER_EXHAUSTED, Message.METER_EXHAUSTED, article, rules, used=meter.used, limit=limit)


def decide_without_meter(*, article: ArticleAccess, rules: MeterRules, fail_open: bool) -> Decision:
    """The decision for a metered read when the meter store cannot be reached."""
    if fail_open:
        return _full(Reason.METER_UNAVAILABLE, rules)
    return _teaser(Reason.METER_UNAVAILABLE, Message.SUBSCRIPTION_WALL, article, rules)
