"""The range of dates the newsroom may type: one validator, used by every admin form that edits a date.

A date far from today is a typo, and at the edges it is a fault: year 0001 in Asia/Tokyo is a BC moment
in UTC, which PostgreSQL stores and then cannot give back to Python (every page that lists the row
answers 500), and which SQLite refuses at the save. 1900-01-01 to 2999-12-31, as typed (in the
publication's time zone), keeps a day's margin from either edge in every time zone.

Admin classes take the validator with ``formfield_overrides = SANE_DATES`` (Django's documented hook);
a test walks every registered admin form and fails when a date field lacks it. A change list with a
``date_hierarchy`` checks its ``?field__year/month/day`` with ``date_hierarchy_sane`` first: Django's
own handling answers 500 for a year whose start or end Python cannot hold (0001 east of UTC, 9999).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .parse import positive_int

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


RANGE_MESSAGE = _("Enter a date between %(earliest)s and %(latest)s.")
RANGE = {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}


def validate_sane_date(value: dt.date | dt.datetime | None) -> None:
    """Refuse a date (or a moment, by its date as typed) before EARLIEST or after LATEST."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(RANGE_MESSAGE, code="date_out_of_range", params=RANGE)


def range_message() -> str:
    """The validator's message, for a page that refuses a date outside a form."""
    return RANGE_MESSAGE % RANGE


_HIERARCHY_PARTS = {"year": (EARLIEST.year, LATEST.year), "month": (1, 12), "day": (1, 31)}


def date_hierarchy_sane(params: Mapping[str, str], field: str) -> bool:
    """Whether a change list's ``field__year``, ``__month`` and ``__day`` (those present) are in range."""
    for part, (low, high) in _HIERARCHY_PARTS.items():
        raw = params.get(f"{field}__{part}")
        if raw is not None and not low <= (positive_int(raw, maximum=high) or 0) <= high:
            return False
    return True


# For a ModelAdmin's (or an inline's) formfield_overrides: Django merges it with the admin's own widgets.
SANE_DATES = {
    models.DateTimeField: {"validators": [validate_sane_date]},
    models.DateField: {"validators": [validate_sane_date]},
}
