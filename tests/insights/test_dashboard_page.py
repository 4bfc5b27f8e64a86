"""The dashboard at /admin/insights/: who sees what, the page's tables and charts, its CSP and its language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.utils import translation

from masthead.insights import dashboard
from masthead.publishing.roles import AUTHORS, EDITORS, PUBLISHERS
from masthead.publishing.selectors import current_publication

pytestmark = pytest.mark.django_db

URL = "/admin/insights/"
CHART = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg" id="chart-.*?</svg>', flags=re.S)
BUSINESS_TABLES = [
    "mrr",
    "subscribers-by-plan",
    "subscribers-by-offer",
    "trials",
    "churn",
    "churn-reasons",
    "offer-redemptions",
    "revenue",
    "retention",
]
ALL_TABLES = ["decisions-by-day", "readers-by-day", *BUSINESS_TABLES, "articles", "sections"]
EDITOR_TABLES = ["articles", "sections"]


def sign_in(client, staff, role: str) -> None:
    """Sign ``client`` in as a user of ``role``: a newsroom group, or one of the words below."""
    if role == "anonymous":
        return
    if role == "reader":
        user = User.objects.create_user("reader", password="a long enough password")
    elif role == "superuser":
        user = User.objects.create_superuser("root", password="a long enough password")
    elif role == "staff without a role":
        user = staff("intern", None)
    else:
        user = staff(f"user-{role.lower()}", role)
    client.force_login(user)


def panel_slugs(html: str) -> list[str]:
    return re.findall(r'<section class="insights-panel" id="([^"]+)"', html)


# Who gets what: the tables of the page, and each table's CSV (the one for publishers only, and one for all).
ACCESS = [
    # role, page status, tables shown, decisions-by-day.csv, articles.csv
    ("anonymous", 302, None, 302, 302),
    ("reader", 403, None, 403, 403),
    ("staff without a role", 403, None, 403, 403),
    (AUTHORS, 403, None, 403, 403),
    (EDITORS, 200, EDITOR_TABLES, 403, 200),
    (PUBLISHERS, 200, ALL_TABLES, 200, 200),
    ("superuser", 200, ALL_TABLES, 200, 200),
]


@pytest.mark.parametrize(("role", "status", "tables", "publisher_csv", "editor_csv"), ACCESS)
def test_who_sees_what(client, staff, funnel, role, status, tables, publisher_csv, editor_csv):
    sign_in(client, staff, role)
    response = client.get(URL)
    assert response.status_code == status
    if status == 200:
        assert panel_slugs(response.content.decode()) == tables
    if status == 302:
        assert response["Location"] == "/admin/login/?next=/admin/insights/"
    assert client.get(f"{URL}decisions-by-day.csv").status_code == publisher_csv
    assert client.get(f"{URL}articles.csv").status_code == editor_csv
    assert client.get(f"{URL}sections.csv").status_code == editor_csv


def test_a_table_that_does_not_exist_is_404(client, publisher, funnel):
    client.force_login(publisher)
    assert client.get(f"{URL}articles.csv").status_code == 200
    assert client.get(f"{URL}no-such-table.csv").status_code == 404


def test_the_publishers_page(client, publisher, funnel):
    client.force_login(publisher)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert '<div class="breadcrumbs">' in html  # the admin's look
    assert "<h1>Insights</h1>" in html
    assert "From 2026-10-17 to 2026-11-15, both days included" in html
    assert panel_slugs(html) == ALL_TABLES
    # The line chart of decisions, inline, with its title and description, and its numbers beside it.
    # Every table with a chart kind has its chart: the two by day, and the business's bar charts.
    charts = CHART.findall(html)
    assert len(charts) == 9
    chart = charts[0]
    assert 'role="img"' in chart and "aria-labelledby=" in chart and "aria-describedby=" in chart
    assert re.search(r"<title id=\"[^\"]+-title\">Decisions by day</title>", chart)
    assert re.search(r"<desc id=\"[^\"]+-desc\">How many article reads", chart)
    assert "<script" not in chart and "style=" not in chart
    assert '<caption id="decisions-by-day-caption">' in html
    assert re.search(r'<th scope="row">2026-11-14</th>\s*<td class="num">0</td>\s*<td class="num">8</td>', html)
    # The article table's first row, every number of it.
    row = re.search(r'<th scope="row">Budget talks stall</th>(.*?)</tr>', html, flags=re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["Politics", "26", "10", "9", "2", "3", "33.33"]
    row = re.search(r'<th scope="row">Election night</th>(.*?)</tr>', html, flags=re.S).group(1)
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["Politics", "11", "1", "0", "1", "0", "–"]
    # Each table links its CSV with the same filters.
    assert 'href="/admin/insights/articles.csv?start=2026-10-17&amp;end=2026-11-15"' in html


def test_the_charts_style_is_allowed_by_the_pages_nonce_and_nothing_else(client, publisher, funnel):
    client.force_login(publisher)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"style-src [^;]*'nonce-([^']+)'", policy).group(1)
    assert f'<style type="text/css" nonce="{nonce}">' in html
    assert "'unsafe-inline'" not in policy
    assert re.search(r"script-src 'self' 'nonce-[^']+'", policy)
    # No inline style attribute anywhere in the page's own markup, and nothing from another host.
    assert re.findall(r"\sstyle=\"", html) == []
    assert re.findall(r"(?:src|href)=\"(?:https?:)?//", html) == []


def test_an_editor_sees_no_chart_of_the_publishers(client, editor, funnel):
    client.force_login(editor)
    html = client.get(URL).content.decode()
    assert panel_slugs(html) == EDITOR_TABLES
    assert "Budget talks stall" in html
    assert "decisions-by-day" not in html and "pygal-chart" not in html


def test_the_admin_index_links_the_dashboard_for_those_who_may_see_it(client, staff):
    sign_in(client, staff, EDITORS)
    index = client.get("/admin/").content.decode()
    assert "Newsroom" in index and "Log out" in index
    assert '<a href="/admin/insights/">Insights</a>' in index
    client.logout()
    sign_in(client, staff, AUTHORS)
    index = client.get("/admin/").content.decode()
    assert "Newsroom" in index and "Log out" in index
    assert "/admin/insights/" not in index


def test_the_dashboard_speaks_japanese_for_a_japanese_publication(client, publisher, funnel):
    publication = current_publication()
    publication.language = "ja"
    publication.save()
    client.force_login(publisher)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="ja"' in html
    for japanese in ["インサイト", "日ごとの判定", "閲覧数", "ウォール表示数", "転換率（%）", "すべてのセクション"]:
        assert japanese in html, japanese
    for english in ["Decisions by day", "Walls shown", "Conversion rate", "All sections", "Download"]:
        assert english not in html, english
    csv = client.get(f"{URL}articles.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0] == "記事,セクション,閲覧数,メーターでの閲覧,ウォール表示数,登録数,購読数,転換率（%）"


def test_every_label_of_every_table_is_translated(client, publisher, funnel):
    """Each table's title, description and column labels differ between English and Japanese."""

    def everything() -> list[str]:
        built = dashboard.tables(
            start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 15), section=None, now=dt.datetime.now(dt.UTC)
        )
        return [text for t in built for text in (t.title, t.description, *(c.label for c in t.columns))]

    with translation.override("en"):
        english = everything()
    with translation.override("ja"):
        japanese = everything()
    assert len(english) == len(japanese) > 20
    untranslated = [e for e, j in zip(english, japanese, strict=True) if e == j]
    assert untranslated == []
