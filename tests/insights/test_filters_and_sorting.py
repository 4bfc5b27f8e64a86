"""The dashboard's filters (a range of days, a section), its sortable headers, and bad input: 400, never 500."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from masthead.insights.dashboard import UnknownSort, sort_table
from masthead.insights.filters import FilterForm, publication_today
from masthead.insights.tables import Column, Table
from masthead.publishing.selectors import current_publication

pytestmark = pytest.mark.django_db

URL = "/admin/insights/"
CHART = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" id="chart-.*?</svg>', flags=re.S)


def article_order(html: str) -> list[str]:
    articles = html.split('<section class="insights-panel" id="articles"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<th scope="row">([^<]+)</th>', articles)


def header_link(html: str, table: str, label: str) -> str:
    panel = html.split(f'<section class="insights-panel" id="{table}"', 1)[1].split("</section>", 1)[0]
    return unescape(re.search(rf'<a href="([^"]+)">{re.escape(label)}', panel).group(1))


def test_the_default_range_is_the_last_30_days_in_the_publications_time_zone(funnel, clock):
    publication = current_publication()
    publication.time_zone = "Asia/Tokyo"
    publication.save()
    clock.set(dt.datetime(2026, 11, 15, 16, 0, tzinfo=dt.UTC))  # 01:00 on the 16th in Tokyo
    today = publication_today(clock.now)
    assert today == dt.date(2026, 11, 16)
    form = FilterForm({}, today=today)
    assert form.is_valid(), form.errors
    filters = form.filters()
    assert (filters.start, filters.end, filters.section) == (dt.date(2026, 10, 18), dt.date(2026, 11, 16), None)


def panel(html: str, slug: str) -> str:
    """The part of the page that shows one table (its chart and its rows)."""
    found = re.search(rf'<section class="insights-panel" id="{slug}"[^>]*>(.*?)</section>', html, flags=re.S)
    assert found, f"no panel {slug}"
    return found.group(1)


def test_a_chosen_range_and_section_narrow_the_tables(client, publisher, funnel):
    client.force_login(publisher)
    response = client.get(URL, {"start": "2026-11-14", "end": "2026-11-14", "section": "business"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "From 2026-11-14 to 2026-11-14" in html and "The reads and conversions of Business only" in html
    assert article_order(html) == ["Markets rally"]
    assert re.findall(r'<th scope="row">(2026-[^<]+)</th>', panel(html, "decisions-by-day")) == ["2026-11-14"]
    assert '<option value="business" selected>Business</option>' in html


def test_the_range_reaches_back_a_year(client, publisher, funnel):
    client.force_login(publisher)
    response = client.get(URL, {"start": "2025-11-15", "end": "2026-11-15"})
    assert response.status_code == 200
    assert "(the first 100 of 366 rows; the CSV file has them all)" in response.content.decode()


BAD = [
    ({"start": "2026-13-01"}, "Enter a valid date."),
    ({"start": "yesterday"}, "Enter a valid date."),
    ({"end": "15/11/2026"}, "Enter a valid date."),
    ({"start": "２０２６-11-01"}, "Enter a valid date."),
    ({"start": "2026-11-01\x00"}, "Enter a valid date."),
    ({"start": "9" * 5000}, "Enter a valid date."),
    ({"start": "0001-01-01", "end": "0001-01-02"}, "Enter a date between 1900-01-01 and 2999-12-31."),
    ({"end": "9999-12-31"}, "Enter a date between 1900-01-01 and 2999-12-31."),
    ({"start": "2026-11-15", "end": "2026-11-01"}, "The first day must not be after the last."),
    ({"start": "2025-01-01", "end": "2026-11-15"}, "Choose at most 366 days."),
    ({"section": "no-such-section"}, "Select a valid choice."),
    ({"dir": "sideways"}, "Select a valid choice."),
    ({"sort": "articles.no_such_column"}, "There is no such column to sort by."),
    ({"sort": "no-such-table.views"}, "There is no such column to sort by."),
    ({"sort": "x" * 500}, "Ensure this value has at most 120 characters"),
]


@pytest.mark.parametrize(("query", "message"), BAD)
def test_bad_filters_are_400_with_the_reason(client, publisher, funnel, query, message):
    client.force_login(publisher)
    assert client.get(URL).status_code == 200
    page = client.get(URL, query)
    assert page.status_code == 400
    assert message in unescape(page.content.decode())
    assert '<form method="get" class="insights-filters"' in page.content.decode()  # the form, to put it right
    csv = client.get(f"{URL}articles.csv", {k: v.replace("articles.", "") for k, v in query.items()})
    assert csv.status_code == 400
    assert message in csv.content.decode()


def test_an_editor_cannot_sort_a_table_they_do_not_see(client, editor, funnel):
    client.force_login(editor)
    assert client.get(URL, {"sort": "articles.views"}).status_code == 200
    assert client.get(URL, {"sort": "decisions-by-day.free"}).status_code == 400


def test_headers_sort_the_table_and_keep_the_filters(client, publisher, funnel):
    client.force_login(publisher)
    query = {"start": "2026-10-17", "end": "2026-11-15", "section": "politics"}
    html = client.get(URL, query).content.decode()
    assert article_order(html) == ["Budget talks stall", "Election night"]  # most viewed first
    link = header_link(html, "articles", "Walls shown")
    assert link == (
        "/admin/insights/?start=2026-10-17&end=2026-11-15&section=politics&sort=articles.walls_shown&dir=desc#articles"
    )
    query["section"] = ""
    ascending = client.get(URL, {**query, "sort": "articles.walls_shown", "dir": "asc"}).content.decode()
    assert article_order(ascending) == ["Election night", "Markets rally", "Budget talks stall"]
    assert 'aria-sort="ascending"' in ascending
    # The sorted column's header now turns the order round; the CSV link keeps the order.
    assert header_link(ascending, "articles", "Walls shown").endswith("sort=articles.walls_shown&dir=desc#articles")
    assert "/admin/insights/articles.csv?start=2026-10-17&amp;end=2026-11-15&amp;sort=walls_shown&amp;dir=asc" in (
        ascending
    )
    by_name = client.get(URL, {**query, "sort": "articles.article", "dir": "asc"}).content.decode()
    assert article_order(by_name) == ["Budget talks stall", "Election night", "Markets rally"]
    # Text sorts A to Z first.
    assert header_link(html, "articles", "Section").endswith("sort=articles.section&dir=asc#articles")


def test_empty_cells_sort_last_either_way():
    table = Table(
        slug="t",
        title="T",
        description="D",
        columns=(Column("name", "Name", numeric=False), Column("rate", "Rate")),
        rows=(("b", None), ("a", 2.5), ("C", 10.0), ("d", 0.0)),
    )
    assert [r[0] for r in sort_table(table, "rate", descending=True).rows] == ["C", "a", "d", "b"]
    assert [r[0] for r in sort_table(table, "rate", descending=False).rows] == ["d", "a", "C", "b"]
    assert [r[0] for r in sort_table(table, "name", descending=False).rows] == ["a", "b", "C", "d"]
    with pytest.raises(UnknownSort):
        sort_table(table, "nope", descending=False)


def test_a_sorted_table_keeps_its_chart_in_the_order_of_days(client, publisher, funnel):
    client.force_login(publisher)
    query = {"start": "2026-11-13", "end": "2026-11-15", "sort": "decisions-by-day.meter_grant", "dir": "desc"}
    html = panel(client.get(URL, query).content.decode(), "decisions-by-day")
    assert re.findall(r'<th scope="row">(2026-[^<]+)</th>', html) == ["2026-11-14", "2026-11-15", "2026-11-13"]
    chart = CHART.search(html).group(0)
    assert re.findall(r"<text[^>]*>(2026-[^<]+)</text>", chart) == ["2026-11-13", "2026-11-14", "2026-11-15"]
