"""The publisher opens the insights dashboard from the admin: its SVG charts and tables are there, it has no
axe-core violations and no CSP violation, a header sorts a table, and a table downloads as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from masthead.core import clock
from masthead.insights.filters import publication_today
from masthead.insights.models import Conversion, DecisionCount, Outcome
from masthead.publishing.models import Article

PALETTE_FIRST = "rgb(0, 114, 178)"  # charts.COLOURS[0]: the chart's own stylesheet applied


def a_month_of_reads() -> list[Article]:
    """Decisions for the demo's stories over the last 30 days, and a few conversions credited to them."""
    today = publication_today(clock.now())
    stories = list(Article.objects.order_by("pk")[:6])
    rows = []
    for n in range(30):
        day = today - dt.timedelta(days=n)
        for i, story in enumerate(stories):
            rows += [
                DecisionCount(day=day, article=story, outcome=Outcome.FREE, count=20 + n + i),
                DecisionCount(day=day, article=story, outcome=Outcome.METER_GRANT, position=1, count=10 + i),
                DecisionCount(day=day, article=story, outcome=Outcome.METER_WALL, count=3 + i + n % 5),
                DecisionCount(day=day, article=story, outcome=Outcome.SUBSCRIBER, count=8 + n % 7),
            ]
    DecisionCount.objects.bulk_create(rows)
    for i, story in enumerate(stories[:3]):
        day = today - dt.timedelta(days=i)
        at = dt.datetime.combine(day, dt.time(3), tzinfo=dt.UTC)
        Conversion.objects.create(kind=Conversion.Kind.PAID, at=at, day=day, last_touch=story, first_touch=story)
    return stories


def test_the_publisher_reads_the_insights_dashboard(page, demo_site, screenshot):
    stories = a_month_of_reads()
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.goto(demo_site.url + "/admin/")
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill("demo-e2e-password")
    page.get_by_role("button", name="Log in").click()
    page.locator("#user-tools").get_by_role("link", name="Insights", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/insights/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")

    # The chart: an inline SVG image named by its title, drawn with its own (nonce-allowed) stylesheet.
    chart = page.get_by_role("img", name="Decisions by day")
    expect(chart).to_have_count(1)
    expect(chart).to_be_visible()
    assert chart.evaluate("svg => svg.tagName") == "svg"
    assert chart.bounding_box()["height"] > 150
    line = page.locator("svg .series.color-0 path.line").first
    assert line.evaluate("path => getComputedStyle(path).stroke") == PALETTE_FIRST
    assert page.locator("svg script").count() == 0

    # The numbers beside it, and the article and section tables.
    for slug in ["decisions-by-day", "articles", "sections"]:
        expect(page.locator(f"#{slug} table")).to_be_visible()
    expect(page.locator("#decisions-by-day tbody tr")).to_have_count(30)
    expect(page.locator("#articles tbody")).to_contain_text(stories[0].headline)

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    screenshot("insights-1-dashboard")

    # A header sorts its table, and says so.
    page.locator("#articles thead").get_by_role("link", name="Walls shown").click()
    expect(page).to_have_url(re.compile(r"sort=articles\.walls_shown&dir=desc"))
    expect(page.locator('#articles th[aria-sort="descending"]')).to_contain_text("Walls shown")

    # The table downloads as CSV, in the same order.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Articles” as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Article", "Section", "Views"]
    walls = [int(row[4]) for row in rows[1:]]
    assert len(walls) == len(stories) and walls == sorted(walls, reverse=True)
    screenshot("insights-2-sorted")
    assert not violations, violations
