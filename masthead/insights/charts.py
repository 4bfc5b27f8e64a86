"""A table's chart as SVG, drawn on the server by pygal, for inlining in the dashboard page.

What leaves here is a picture and nothing else: no script (pygal adds its configuration as one, and
its tooltips need JavaScript), no XML declaration, no comment, no ``style`` attribute, nothing fetched
from another host. The chart's stylesheet (pygal scopes it to the chart's id) carries the response's
CSP nonce, and the page allows exactly that nonce for styles. The SVG is an image to assistive
technology (``role="img"``), named by its ``<title>`` and described by its ``<desc>``; the page puts
the same numbers beside it as an HTML table.

pygal's documented hook for changing its output is ``add_xml_filter``: a function given the finished
tree before it is serialised.
"""

from __future__ import annotations

import decimal
import math
import xml.etree.ElementTree as ET
from functools import partial

import pygal
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import pgettext
from pygal.style import Style

from .tables import Chart, Table

# Okabe and Ito's palette (told apart with every common colour blindness), darkened where it was too
# light against white; then two greys.
COLOURS = ("#0072b2", "#c45300", "#00785a", "#b0568e", "#8a6d00", "#3b8fc4", "#222222", "#6b4fa0", "#767676")

STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#595959",
    opacity="1",
    opacity_hover="1",
    colors=COLOURS,
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    title_font_size=16,
)

DROPPED_TAGS = {"script", "desc"}  # pygal's script, and the per-point descriptions its tooltips read
LABELS_SHOWN = 12  # x labels at most; a longer axis labels every n-th point
DOTS_UP_TO = 31  # points per line drawn as dots too
CHART_CLASSES = {Chart.LINE: pygal.Line, Chart.BAR: pygal.Bar}


def _number(value) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | decimal.Decimal):
        return float(value)
    return None


def _tidy(root: ET.Element, *, description: str, nonce: str | None) -> ET.Element:
    """pygal's tree, made an accessible, script-free picture (an ``add_xml_filter`` callback)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for element in list(root.iter()):
        classes = (element.get("class") or "").split()
        if callable(element.tag) or element.tag in DROPPED_TAGS or "tooltip-overlay" in classes:
            parents[element].remove(element)
            continue
        element.attrib.pop("style", None)
        # The legend's ids are for pygal's script only, and would repeat from chart to chart.
        if (element.get("id") or "").startswith("activate-serie"):
            del element.attrib["id"]
        if element.tag == "style" and nonce:
            element.set("nonce", nonce)
    chart_id = root.get("id")
    title = root.find("title")
    if title is not None:
        title.set("id", f"{chart_id}-title")
        desc = ET.Element("desc", id=f"{chart_id}-desc")
        desc.text = description
        root.insert(list(root).index(title) + 1, desc)
        root.set("aria-labelledby", f"{chart_id}-title")
        root.set("aria-describedby", f"{chart_id}-desc")
    root.set("role", "img")
    return root


def svg(table: Table, *, nonce: str | None = None) -> SafeString:
    """``table`` drawn as its ``chart`` says (the first column along the x axis, a series per numeric column).

    Empty when the table has no chart. ``nonce`` is the response's CSP nonce, for the chart's stylesheet.
    """
    if table.chart == Chart.NONE:
        return mark_safe("")
    points = len(table.rows)
    crowded = points > LABELS_SHOWN  # then every n-th x label only, slanted
    chart = CHART_CLASSES[Chart(table.chart)](
        style=STYLE,
        title=table.title,
        width=800,
        height=420,
        js=[],
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        truncate_legend=-1,
        truncate_label=-1,
        show_dots=points <= DOTS_UP_TO,
        x_label_rotation=30 if crowded else 0,
        show_minor_x_labels=not crowded,
        x_labels_major_every=math.ceil(points / LABELS_SHOWN) if crowded else None,
        no_data_text=pgettext("insights", "No data"),
        allow_interruptions=True,
    )
    chart.add_xml_filter(partial(_tidy, description=table.description, nonce=nonce))
    chart.x_labels = [str(row[0]) for row in table.rows]
    for index, column in enumerate(table.columns):
        if index == 0 or not column.numeric:
            continue
        chart.add(column.label, [_number(row[index]) for row in table.rows])
    # pygal builds the picture with ElementTree, which escapes every label and value it is given.
    return mark_safe(chart.render(is_unicode=True))
