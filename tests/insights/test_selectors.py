"""The funnel's tables against the numbers worked out by hand in conftest.py."""

from __future__ import annotations

import datetime as dt

import pytest

from masthead.insights import selectors
from masthead.insights.tables import Chart

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 10, 17), dt.date(2026, 11, 15)
OUTCOMES = [
    "free",
    "meter_grant",
    "reread",
    "meter_wall",
    "registration_wall",
    "subscription_wall",
    "subscriber",
    "crawler",
    "meter_unavailable",
]
FUNNEL = ["views", "meter_grants", "walls_shown", "registrations", "subscriptions", "conversion_rate"]


def by_first_column(table) -> dict:
    return {row[0]: row[1:] for row in table.rows}


def test_decisions_by_day_has_every_day_of_the_range_and_each_outcome(funnel):
    table = selectors.decisions_by_day(start=START, end=END)
    assert table.slug == "decisions-by-day" and table.chart == Chart.LINE and table.audience == "publisher"
    assert [column.key for column in table.columns] == ["day", *OUTCOMES]
    assert len(table.rows) == 30
    assert table.rows[0][0] == "2026-10-17" and table.rows[-1][0] == "2026-11-15"
    days = by_first_column(table)
    assert days["2026-11-14"] == (0, 8, 1, 9, 2, 0, 6, 7, 1)
    assert days["2026-11-15"] == (10, 3, 0, 0, 0, 3, 0, 0, 0)
    quiet = [values for day, values in days.items() if day not in {"2026-11-14", "2026-11-15"}]
    assert len(quiet) == 28 and all(values == (0,) * 9 for values in quiet)


def test_decisions_by_day_of_one_section(funnel):
    days = by_first_column(selectors.decisions_by_day(start=START, end=END, section=funnel.business))
    assert days["2026-11-14"] == (0, 0, 0, 5, 0, 0, 0, 0, 1)
    assert days["2026-11-15"] == (0,) * 9


def test_a_range_of_one_day_takes_its_edges(funnel):
    edge = dt.date(2026, 10, 16)
    table = selectors.decisions_by_day(start=edge, end=edge)
    assert table.rows == (("2026-10-16", 0, 100, 0, 100, 0, 0, 0, 0, 0),)


def test_the_articles_table(funnel):
    table = selectors.articles(start=START, end=END)
    assert table.slug == "articles" and table.audience == "editor" and table.chart == Chart.NONE
    assert [column.key for column in table.columns] == ["article", "section", *FUNNEL]
    # Most viewed first.
    assert table.rows == (
        ("Budget talks stall", "Politics", 26, 10, 9, 2, 3, 33.33),
        ("Election night", "Politics", 11, 1, 0, 1, 0, None),
        ("Markets rally", "Business", 6, 0, 5, 0, 1, 20.0),
    )


def test_the_articles_table_of_one_section(funnel):
    table = selectors.articles(start=START, end=END, section=funnel.business)
    assert table.rows == (("Markets rally", "Business", 6, 0, 5, 0, 1, 20.0),)


def test_an_article_with_conversions_but_no_reads_in_the_range_is_listed(funnel):
    # 2026-11-01: one paid conversion credited to the budget story, and no decision that day.
    day = dt.date(2026, 11, 1)
    assert selectors.articles(start=day, end=day).rows == (("Budget talks stall", "Politics", 0, 0, 0, 0, 1, None),)


def test_the_sections_table(funnel):
    table = selectors.sections(start=START, end=END)
    assert table.slug == "sections" and table.audience == "editor"
    assert [column.key for column in table.columns] == ["section", *FUNNEL]
    assert table.rows == (
        ("Politics", 37, 11, 9, 3, 3, 33.33),
        ("Business", 6, 0, 5, 0, 1, 20.0),
    )


def test_the_sections_table_lists_quiet_sections_as_zeros(funnel):
    day = dt.date(2026, 1, 1)
    assert selectors.sections(start=day, end=day).rows == (
        ("Politics", 0, 0, 0, 0, 0, None),
        ("Business", 0, 0, 0, 0, 0, None),
    )
    assert selectors.articles(start=day, end=day).rows == ()


def test_many_articles_are_named_a_chunk_at_a_time(funnel, monkeypatch, django_assert_num_queries):
    whole = selectors.articles(start=START, end=END)
    monkeypatch.setattr(selectors, "NAMES_PER_QUERY", 2)
    with django_assert_num_queries(2 + 2):  # the two sums, then three articles two at a time
        chunked = selectors.article_funnel(start=START, end=END)
    assert selectors.articles(start=START, end=END, funnel=chunked) == whole
    assert len(whole.rows) == 3
