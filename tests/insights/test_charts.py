"""Charts are pictures only: SVG with a title and a description, no script, no inline style, no other host."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from masthead.insights.charts import svg
from masthead.insights.tables import Chart, Column, Table

SVG = "{http://www.w3.org/2000/svg}"


def table(chart: Chart, rows: tuple) -> Table:
    return Table(
        slug="plans",
        title="Subscribers by plan",
        description="How many readers pay for each plan & offer.",
        columns=(Column("plan", "Plan", numeric=False), Column("active", "Active"), Column("note", "Note", False)),
        rows=rows,
        chart=chart,
    )


def test_a_bar_chart_is_a_described_picture_and_nothing_more():
    rows = (("Monthly", 120, "x"), ("<script>alert(1)</script>", 30, "y"), ("Annual", None, "z"))
    picture = svg(table(Chart.BAR, rows), nonce="n0nce")
    root = ET.fromstring(picture)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "Subscribers by plan"
    assert desc.text == "How many readers pay for each plan & offer."
    assert root.get("aria-labelledby") == title.get("id") and root.get("aria-describedby") == desc.get("id")
    # The numeric column is a series, the text column is not; labels are text, never markup.
    legends = [t.text for t in root.iter(f"{SVG}text") if t.text in {"Active", "Note"}]
    assert legends == ["Active"]
    assert "<script>alert(1)</script>" in [t.text for t in root.iter(f"{SVG}text")]
    assert "<script" not in picture and "&lt;script&gt;" in picture
    # Its stylesheet carries the nonce; nothing else styles or runs.
    styles = list(root.iter(f"{SVG}style"))
    assert len(styles) == 1 and styles[0].get("nonce") == "n0nce"
    assert not any(e.get("style") for e in root.iter())
    assert list(root.iter(f"{SVG}script")) == []
    assert "<!--" not in picture and "<?xml" not in picture
    assert not re.search(r"https?://(?!www\.w3\.org/)", picture)
    assert "activate-serie" not in re.findall(r'id="([^"]+)"', picture)


def test_a_long_line_chart_labels_a_dozen_days_and_an_empty_one_says_so():
    rows = tuple((f"2026-{1 + d // 28:02d}-{1 + d % 28:02d}", d, "") for d in range(300))
    picture = svg(table(Chart.LINE, rows))
    labels = re.findall(r"<text[^>]*>(2026-\d\d-\d\d)</text>", picture)
    assert 0 < len(labels) <= 13
    assert "No data" in svg(table(Chart.LINE, ()))


def test_a_table_without_a_chart_has_no_picture():
    assert svg(table(Chart.NONE, (("Monthly", 1, ""),))) == ""
