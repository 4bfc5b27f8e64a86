"""Plain data the access decision works on. No Django, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from masthead.publishing.access import AccessLevel


class ReaderKind(StrEnum):
    ANONYMOUS = "anonymous"
    # Signed in, the email address not yet confirmed: through the registration wall, on the anonymous
    # allowance (a throw-away account gives no more free articles than a fresh browser).
    UNVERIFIED = "unverified"
    REGISTERED = "registered"  # signed in with a confirmed address: the registered allowance
    ENTITLED = "entitled"  # a subscriber, or anyone the newsroom has granted full access
    CRAWLER = "crawler"  # a search engine crawler whose address was verified


class Window(StrEnum):
    CALENDAR_MONTH = "calendar_month"
    ROLLING_30_DAYS = "rolling_30_days"


class Outcome(StrEnum):
    FULL = "full"
    TEASER = "teaser"


class Reason(StrEnum):
    FREE = "free"
    ENTITLED = "entitled"
    CRAWLER = "crawler"
    REGISTERED_ACCESS = "registered_access"
    METER_GRANTED = "meter_granted"
    METER_REREAD = "meter_reread"
    METER_EXHAUSTED = "meter_exhausted"
    REGISTRATION_REQUIRED = "registration_required"
    SUBSCRIPTION_REQUIRED = "subscription_required"
    METER_UNAVAILABLE = "meter_unavailable"


class Message(StrEnum):
    """Which words the page shows about access; the words themselves live in the templates' gettext."""

    NONE = "none"
    ARTICLES_LEFT = "articles_left"  # "You have N free articles left this month"
    LAST_FREE_ARTICLE = "last_free_article"  # "This is your last free article this month"
    # A re-read once the allowance is spent (of the last free article or an earlier one): it stays open,
    # and the reader has no free article left: "You have no free articles left this month; …"
    REREAD_ALLOWANCE_SPENT = "reread_allowance_spent"
    METER_EXHAUSTED = "meter_exhausted"  # "You have read all N free articles this month"
    REGISTRATION_WALL = "registration_wall"
    SUBSCRIPTION_WALL = "subscription_wall"


@dataclass(frozen=True, slots=True)
class Reader:
    kind: ReaderKind
    key: str = ""  # whose meter: "u:<user id>" or "a:<anonymous id>"


@dataclass(frozen=True, slots=True)
class ArticleAccess:
    article_id: int
    level: AccessLevel
    block_count: int
    paywall_break: int | None = None  # content blocks before the editor's paywall marker


@dataclass(frozen=True, slots=True)
class MeterRules:
    anonymous_limit: int = 3
    registered_limit: int = 10
    window: Window = Window.CALENDAR_MONTH
    teaser_blocks: int = 2

    def __post_init__(self) -> None:
        if self.anonymous_limit < 0 or self.registered_limit < 0:
            raise ValueError("meter limits cannot be negative")
        if self.teaser_blocks < 0:
            raise ValueError("the teaser cannot have a negative number of blocks")

    def limit_for(self, kind: ReaderKind) -> int:
        """The meter's allowance: the registered one for a confirmed address only."""
        return self.registered_limit if kind == ReaderKind.REGISTERED else self.anonymous_limit


@dataclass(frozen=True, slots=True)
class MeterState:
    """A reader's meter in the current window, as the store reports it before this read."""

    used: int = 0  # distinct metered articles read in this window
    already_read: bool = False  # this article is among them (a re-read is free)

    def __post_init__(self) -> None:
        if self.used < 0:
            raise ValueError("a meter cannot count below zero")


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: Reason
    message: Message
    visible_blocks: int | None  # None: the whole body
    records_read: bool  # the caller must count this read on the meter
    used: int = 0  # metered articles read in this window, this one included
    limit: int = 0
    window: Window = Window.CALENDAR_MONTH

    @property
    def full(self) -> bool:
        return self.outcome == Outcome.FULL

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)
