"""The one shape every insights table takes, so the dashboard, its charts and its CSV files render any of them.

A table is plain data: a slug (its CSV is ``/admin/insights/<slug>.csv``), a title and a description
(the chart's and the table's, for screen readers too), columns, and rows of plain values. Whoever
computes a table (the funnel, the business) returns these; the dashboard only renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Chart(StrEnum):
    NONE = ""
    LINE = "line"  # the first column is the x axis (days, months), every numeric column a line
    BAR = "bar"  # the first column names the bars, every numeric column a series


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str  # translated when the table is built
    numeric: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    chart: Chart = Chart.NONE
    # Who may see it: "editor" tables (articles, sections) are shown to editors too; "publisher" ones only
    # to publishers and admins.
    audience: str = "publisher"
