"""Every table as CSV at /admin/insights/<slug>.csv: the same numbers, filters and order as the page."""

from __future__ import annotations

import csv
import io

import pytest

from masthead.insights.export import cell, write_csv
from masthead.insights.models import Outcome
from masthead.insights.tables import Column, Table
from tests.insights.conftest import decide

pytestmark = pytest.mark.django_db

URL = "/admin/insights/"


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_articles_csv(client, publisher, funnel):
    client.force_login(publisher)
    response = client.get(f"{URL}articles.csv")
    assert response["Content-Disposition"] == 'attachment; filename="articles-2026-10-17-2026-11-15.csv"'
    assert read_csv(response) == [
        ["Article", "Section", "Views", "Meter grants", "Walls shown", "Registrations", "Subscriptions",
         "Conversion rate (%)"],
        ["Budget talks stall", "Politics", "26", "10", "9", "2", "3", "33.33"],
        ["Election night", "Politics", "11", "1", "0", "1", "0", ""],
        ["Markets rally", "Business", "6", "0", "5", "0", "1", "20.0"],
    ]  # fmt: skip


def test_the_sections_csv_with_a_range_a_section_and_an_order(client, editor, funnel):
    client.force_login(editor)
    response = client.get(f"{URL}sections.csv", {"start": "2026-11-01", "end": "2026-11-15"})
    assert read_csv(response)[1:] == [
        ["Politics", "37", "11", "9", "3", "3", "33.33"],
        ["Business", "6", "0", "5", "0", "1", "20.0"],
    ]
    response = client.get(f"{URL}sections.csv", {"start": "2026-11-01", "end": "2026-11-15", "section": "business"})
    assert read_csv(response)[1:] == [["Business", "6", "0", "5", "0", "1", "20.0"]]
    # The row of 2026-11-16 (in the range now) adds its 50 walls to Business.
    response = client.get(f"{URL}sections.csv", {"end": "2026-11-16", "sort": "walls_shown", "dir": "desc"})
    assert [row[:4] for row in read_csv(response)[1:]] == [["Business", "56", "0", "55"], ["Politics", "37", "11", "9"]]


def test_the_decisions_csv_has_every_day(client, publisher, funnel):
    client.force_login(publisher)
    rows = read_csv(client.get(f"{URL}decisions-by-day.csv", {"start": "2026-11-13", "end": "2026-11-15"}))
    assert rows == [
        ["Day", "Free reads", "Meter grants", "Re-reads", "Walls (meter spent)", "Registration walls",
         "Subscription walls", "Subscriber reads", "Verified crawlers", "Meter unavailable"],
        ["2026-11-13", "0", "0", "0", "0", "0", "0", "0", "0", "0"],
        ["2026-11-14", "0", "8", "1", "9", "2", "0", "6", "7", "1"],
        ["2026-11-15", "10", "3", "0", "0", "0", "3", "0", "0", "0"],
    ]  # fmt: skip


@pytest.mark.parametrize(
    "headline", ['=HYPERLINK("http://evil.example","x")', "+1+2", "-2+3", "@SUM(A1:A2)", "\tTabbed", "\rReturn"]
)
def test_a_headline_a_spreadsheet_would_run_is_written_as_text(client, publisher, clock, make_article, headline):
    article = make_article(headline=headline)
    decide("2026-11-15", article, Outcome.METER_GRANT, 4, position=1)
    client.force_login(publisher)
    rows = read_csv(client.get(f"{URL}articles.csv"))
    assert rows[1] == ["'" + headline, "Politics", "4", "4", "0", "0", "0", ""]


def test_cells():
    assert [cell(v) for v in [None, 3, 2.5, "plain", "-minus", "=1+1", "a=b"]] == [
        "",
        3,
        2.5,
        "plain",
        "'-minus",
        "'=1+1",
        "a=b",
    ]
    out = io.StringIO()
    write_csv(Table("t", "T", "D", (Column("n", "=Name", numeric=False), Column("v", "Value")), (("x", -1),)), out)
    assert out.getvalue() == "\ufeff'=Name,Value\r\nx,-1\r\n"
