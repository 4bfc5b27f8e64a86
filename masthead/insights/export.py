"""A table as CSV: a header row of its column labels, then its rows, written by Python's csv module.

A text cell that a spreadsheet would take for a formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return: a headline such as ``=HYPERLINK(...)``) gets a leading apostrophe, so it is shown
as the text it is. Numbers are written as numbers, empty cells as nothing. The file starts with a byte
order mark, so spreadsheets read Japanese labels as UTF-8.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
from typing import Protocol

from .tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


class Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def cell(value) -> str | int | float:
    """One value as the CSV writer should write it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_csv(table: Table, out: Writable) -> None:
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow([cell(column.label) for column in table.columns])
    writer.writerows([cell(value) for value in row] for row in table.rows)
