"""What the dashboard at ``/admin/insights/`` shows: every table, sorted as asked, each with its chart.

``tables()`` collects the tables; the views render any ``tables.Table`` the same way (a chart when it
has one, the data as an HTML table beside it, sortable headers, a CSV link), so a new table needs no
new template.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.urls import reverse

from masthead.publishing.models import Section

from . import business, charts, selectors, uniques
from .filters import Filters
from .tables import Column, Table

EVERYONE = frozenset({selectors.EDITOR, selectors.PUBLISHER})
FUNNEL_SLUGS = frozenset({"decisions-by-day", "articles", "sections"})
# The page shows this many rows of a table; its CSV has them all.
ROWS_SHOWN = 100


def tables(
    *,
    start: dt.date,
    end: dt.date,
    section: Section | None,
    now: dt.datetime,
    audiences: Collection[str] = EVERYONE,
    only: str | None = None,
) -> list[Table]:
    """Every table of the dashboard for these filters, those for ``audiences`` only (the others are not computed).

    ``only``: the slug of the one table wanted (a CSV file); the funnel's other tables are then not
    computed. The section filter narrows the funnel; the business tables are the whole publication's.
    """

    def wanted(slug: str) -> bool:
        return only is None or only == slug

    built: list[Table] = []
    if selectors.PUBLISHER in audiences:
        if wanted("decisions-by-day"):
            built.append(selectors.decisions_by_day(start=start, end=end, section=section))
        if wanted("readers-by-day"):
            built.append(uniques.readers_by_day(start=start, end=end))
        if only not in FUNNEL_SLUGS and only != "readers-by-day":
            # The business is computed as one (its tables share their reads), whichever is wanted.
            built.extend(business.business_tables(start=start, end=end, now=now))
    if selectors.EDITOR in audiences and (wanted("articles") or wanted("sections")):
        funnel = selectors.article_funnel(start=start, end=end, section=section)
        if wanted("articles"):
            built.append(selectors.articles(start=start, end=end, section=section, funnel=funnel))
        if wanted("sections"):
            built.append(selectors.sections(start=start, end=end, section=section, funnel=funnel))
    slugs = [table.slug for table in built]
    assert len(slugs) == len(set(slugs)), f"two tables share a slug: {slugs}"
    return [table for table in built if table.audience in audiences and wanted(table.slug)]


class UnknownSort(ValueError):
    """A sort key that names no column of the table."""


def sort_table(table: Table, key: str, *, descending: bool) -> Table:
    """``table`` with its rows ordered by the column ``key`` (empty cells last, whichever the direction)."""
    keys = [column.key for column in table.columns]
    if key not in keys:
        raise UnknownSort(key)
    index = keys.index(key)
    column = table.columns[index]
    filled = [row for row in table.rows if row[index] is not None]
    empty = [row for row in table.rows if row[index] is None]

    def value(row: tuple):
        cell = row[index]
        return cell if column.numeric else str(cell).casefold()

    filled.sort(key=value, reverse=descending)
    return replace(table, rows=tuple(filled + empty))


@dataclass(frozen=True, slots=True)
class Header:
    column: Column
    url: str  # this page sorted by the column (the other way round when it is the order already)
    aria_sort: str  # "ascending", "descending", or "" when the table is not in this column's order


@dataclass(frozen=True, slots=True)
class Panel:
    """One table as the page shows it."""

    table: Table
    svg: str  # the chart, or "" when the table has none
    headers: tuple[Header, ...]
    rows: tuple[tuple[tuple[object, bool], ...], ...]  # the first ROWS_SHOWN, each cell as (value, numeric)
    csv_url: str

    @property
    def rows_left_out(self) -> int:
        return len(self.table.rows) - len(self.rows)


def split_sort(sort: str) -> tuple[str, str]:
    """The dashboard's ``sort=<table slug>.<column key>`` as (slug, key); ("", "") when not given."""
    if not sort:
        return "", ""
    slug, _, key = sort.partition(".")
    return slug, key


def check_sort(shown: list[Table], filters: Filters) -> None:
    """Raise UnknownSort unless the dashboard's ``sort`` is empty or names a column of a table shown."""
    slug, key = split_sort(filters.sort)
    if not slug:
        return
    table = next((table for table in shown if table.slug == slug), None)
    if table is None or key not in {column.key for column in table.columns}:
        raise UnknownSort(filters.sort)


def panels(shown: list[Table], filters: Filters, *, nonce: str | None) -> list[Panel]:
    """Each table with its chart, its header links and its CSV link, for the dashboard page.

    The table the ``sort`` names (``check_sort`` has vetted it) is shown in that order; its chart keeps
    the table's own order, since a line runs by day whatever the order of the rows beside it.
    """
    sorted_slug, sorted_key = split_sort(filters.sort)
    page = reverse("insights:dashboard")
    result = []
    for table in shown:
        numeric = [column.numeric for column in table.columns]
        ordered = table
        if table.slug == sorted_slug:
            ordered = sort_table(table, sorted_key, descending=filters.descending)
        headers = []
        for column in table.columns:
            current = table.slug == sorted_slug and column.key == sorted_key
            if current:
                direction = "asc" if filters.descending else "desc"
                aria = "descending" if filters.descending else "ascending"
            else:
                direction, aria = ("desc" if column.numeric else "asc"), ""
            query = filters.query(sort=f"{table.slug}.{column.key}", dir=direction)
            headers.append(Header(column=column, url=f"{page}?{urlencode(query)}#{table.slug}", aria_sort=aria))
        own_sort = {"sort": sorted_key, "dir": "desc" if filters.descending else "asc"}
        csv_query = filters.query(**own_sort) if table.slug == sorted_slug else filters.query()
        result.append(
            Panel(
                table=table,
                svg=charts.svg(table, nonce=nonce),
                headers=tuple(headers),
                rows=tuple(tuple(zip(row, numeric, strict=True)) for row in ordered.rows[:ROWS_SHOWN]),
                csv_url=f"{reverse('insights:csv', args=[table.slug])}?{urlencode(csv_query)}",
            )
        )
    return result
