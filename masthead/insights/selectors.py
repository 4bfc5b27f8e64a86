"""The funnel, read from the rows insights keeps: decisions by day, and per article and per section.

Each function returns a ``tables.Table`` and costs a fixed number of queries whatever the range: the
decision counts and the conversions are summed by the database, one grouped query each (then one query
for the articles' headlines per NAMES_PER_QUERY articles). The article and section tables come from one
such read (``article_funnel``).

- **Views**: every counted read of an article except verified crawlers'.
- **Walls shown**: meter spent + registration wall + subscription wall.
- **Subscriptions**: trials started and paid subscriptions, credited to the article whose wall the reader
  saw last before converting (last touch); **registrations** likewise.
- **Conversion rate**: subscriptions ÷ walls shown, in per cent (empty when no wall was shown).

Days are the publication's (``DecisionCount.day`` and ``Conversion.day`` are stored that way); a range
is inclusive at both ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext, pgettext, pgettext_lazy

from masthead.publishing.models import Article, Section
from masthead.publishing.selectors import navigation_sections

from .models import Conversion, DecisionCount, Outcome
from .tables import Chart, Column, Table

WALLS = (Outcome.METER_WALL, Outcome.REGISTRATION_WALL, Outcome.SUBSCRIPTION_WALL)
SUBSCRIBED = (Conversion.Kind.TRIAL, Conversion.Kind.PAID)
# The outcomes' names as column headings (the model's own names serve the admin's lists).
OUTCOME_LABELS = {
    Outcome.FREE: pgettext_lazy("insights", "Free reads"),
    Outcome.METER_GRANT: pgettext_lazy("insights", "Meter grants"),
    Outcome.REREAD: pgettext_lazy("insights", "Re-reads"),
    Outcome.METER_WALL: pgettext_lazy("insights", "Walls (meter spent)"),
    Outcome.REGISTRATION_WALL: pgettext_lazy("insights", "Registration walls"),
    Outcome.SUBSCRIPTION_WALL: pgettext_lazy("insights", "Subscription walls"),
    Outcome.SUBSCRIBER: pgettext_lazy("insights", "Subscriber reads"),
    Outcome.CRAWLER: pgettext_lazy("insights", "Verified crawlers"),
    Outcome.METER_UNAVAILABLE: pgettext_lazy("insights", "Meter unavailable"),
}
NAMES_PER_QUERY = 5000
EDITOR = "editor"
PUBLISHER = "publisher"


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def _decisions(*, start: dt.date, end: dt.date, section: Section | None):
    rows = DecisionCount.objects.filter(day__gte=start, day__lte=end)
    return rows.filter(article__section=section) if section is not None else rows


def _conversions(*, start: dt.date, end: dt.date, section: Section | None):
    rows = Conversion.objects.filter(day__gte=start, day__lte=end, last_touch__isnull=False)
    return rows.filter(last_touch__section=section) if section is not None else rows


def decisions_by_day(*, start: dt.date, end: dt.date, section: Section | None = None) -> Table:
    """Each day of the range (every day, quiet ones as zeros) and how many reads came to each outcome."""
    counts = {
        (day, outcome): total
        for day, outcome, total in _decisions(start=start, end=end, section=section)
        .values_list("day", "outcome")
        .annotate(total=Sum("count"))
        .order_by()
    }
    outcomes = list(Outcome)
    return Table(
        slug="decisions-by-day",
        title=pgettext("insights", "Decisions by day"),
        description=gettext(
            "How many article reads came to each outcome of the paywall's decision, day by day, in the "
            "publication's time zone."
        ),
        columns=(
            Column("day", pgettext("insights", "Day"), numeric=False),
            *(Column(outcome.value, str(OUTCOME_LABELS[outcome])) for outcome in outcomes),
        ),
        rows=tuple(
            (day.isoformat(), *(counts.get((day, outcome.value), 0) for outcome in outcomes))
            for day in _days(start, end)
        ),
        chart=Chart.LINE,
        audience=PUBLISHER,
    )


def _funnel_sums() -> dict:
    return {
        "views": Sum("count", filter=~Q(outcome=Outcome.CRAWLER)),
        "meter_grants": Sum("count", filter=Q(outcome=Outcome.METER_GRANT)),
        "walls_shown": Sum("count", filter=Q(outcome__in=WALLS)),
    }


def _conversion_counts() -> dict:
    return {
        "registrations": Count("pk", filter=Q(kind=Conversion.Kind.REGISTRATION)),
        "subscriptions": Count("pk", filter=Q(kind__in=SUBSCRIBED)),
    }


def _funnel_columns() -> tuple[Column, ...]:
    return (
        Column("views", pgettext("insights", "Views")),
        Column("meter_grants", pgettext("insights", "Meter grants")),
        Column("walls_shown", pgettext("insights", "Walls shown")),
        Column("registrations", pgettext("insights", "Registrations")),
        Column("subscriptions", pgettext("insights", "Subscriptions")),
        Column("conversion_rate", pgettext("insights", "Conversion rate (%)")),
    )


def _rate(subscriptions: int, walls: int) -> float | None:
    return round(100 * subscriptions / walls, 2) if walls else None


def _funnel_values(decided: dict, converted: dict) -> tuple:
    walls = decided.get("walls_shown") or 0
    subscriptions = converted.get("subscriptions") or 0
    return (
        decided.get("views") or 0,
        decided.get("meter_grants") or 0,
        walls,
        converted.get("registrations") or 0,
        subscriptions,
        _rate(subscriptions, walls),
    )


@dataclass(frozen=True, slots=True)
class ArticleFunnel:
    """Each article read or converted from in a range: its headline and section, and its sums.

    One read serves both the article and the section tables: a section's funnel is its articles' summed.
    """

    articles: dict[int, tuple[str, int]]  # article id: (headline, section id)
    decided: dict[int, dict]  # article id: views, meter_grants, walls_shown
    converted: dict[int, dict]  # article id: registrations, subscriptions


def article_funnel(*, start: dt.date, end: dt.date, section: Section | None = None) -> ArticleFunnel:
    """The sums per article id (one grouped query each for decisions and conversions), then the articles.

    Grouping by the id alone, and reading the headlines after, is twice as fast on SQLite as grouping by
    the joined headline. The articles are read NAMES_PER_QUERY ids at a time: one query for any range
    of a newsroom that publishes fewer than that many stories in it.
    """
    decided = {
        row["article"]: row
        for row in _decisions(start=start, end=end, section=section)
        .values("article")
        .annotate(**_funnel_sums())
        .order_by()
    }
    converted = {
        row["last_touch"]: row
        for row in _conversions(start=start, end=end, section=section)
        .values("last_touch")
        .annotate(**_conversion_counts())
        .order_by()
    }
    ids = sorted(decided.keys() | converted.keys())
    articles = {}
    for first in range(0, len(ids), NAMES_PER_QUERY):
        chunk = ids[first : first + NAMES_PER_QUERY]
        articles.update(
            (pk, (headline, section_id))
            for pk, headline, section_id in Article.objects.filter(pk__in=chunk).values_list(
                "pk", "headline", "section_id"
            )
        )
    return ArticleFunnel(articles=articles, decided=decided, converted=converted)


def articles(
    *, start: dt.date, end: dt.date, section: Section | None = None, funnel: ArticleFunnel | None = None
) -> Table:
    """Every article read or converted from in the range, most viewed first, with its funnel."""
    funnel = funnel or article_funnel(start=start, end=end, section=section)
    names = {each.pk: each.name for each in navigation_sections()}
    rows = [
        (headline, names.get(section_id, ""), *_funnel_values(funnel.decided.get(pk, {}), funnel.converted.get(pk, {})))
        for pk, (headline, section_id) in funnel.articles.items()
    ]
    rows.sort(key=lambda row: (-row[2], row[0], row[1]))
    return Table(
        slug="articles",
        title=pgettext("insights", "Articles"),
        description=gettext(
            "Each article's funnel: views (verified crawlers left out), meter grants, walls shown (meter spent, "
            "registration and subscription walls), and the registrations and subscriptions (trials and paid) "
            "of readers who saw its wall last before converting. Conversion rate: subscriptions ÷ walls shown."
        ),
        columns=(
            Column("article", pgettext("insights", "Article"), numeric=False),
            Column("section", pgettext("insights", "Section"), numeric=False),
            *_funnel_columns(),
        ),
        rows=tuple(rows),
        audience=EDITOR,
    )


def _summed(rows: list[dict], keys: tuple[str, ...]) -> dict:
    return {key: sum(row.get(key) or 0 for row in rows) for key in keys}


def sections(
    *, start: dt.date, end: dt.date, section: Section | None = None, funnel: ArticleFunnel | None = None
) -> Table:
    """Every section (or the one chosen) in navigation order, with its articles' funnel summed."""
    funnel = funnel or article_funnel(start=start, end=end, section=section)
    by_section: dict[int, list[int]] = {}
    for pk, (_, section_id) in funnel.articles.items():
        by_section.setdefault(section_id, []).append(pk)

    def sums(section_id: int) -> tuple:
        pks = by_section.get(section_id, [])
        decided = _summed([funnel.decided.get(pk, {}) for pk in pks], ("views", "meter_grants", "walls_shown"))
        converted = _summed([funnel.converted.get(pk, {}) for pk in pks], ("registrations", "subscriptions"))
        return _funnel_values(decided, converted)

    shown = [section] if section is not None else navigation_sections()
    return Table(
        slug="sections",
        title=pgettext("insights", "Sections"),
        description=gettext(
            "The same funnel summed over each section's articles, credited to the section of the article "
            "whose wall the reader saw last."
        ),
        columns=(Column("section", pgettext("insights", "Section"), numeric=False), *_funnel_columns()),
        rows=tuple((each.name, *sums(each.pk)) for each in shown),
        audience=EDITOR,
    )
