"""The range of dates the newsroom may type: one validator, used by every admin form that edits a date.

A date far from today is a typo, and at the edges it is a fault: year 0001 in Asia/Tokyo is a BC moment
in UTC, which PostgreSQL stores and then cannot give back to Python (every page that lists the row
answers 500), and which SQLite refuses at the save. 1900-01-01 to 2999-12-31, as typed (in the
publication's time zone), keeps a day's margin from either edge in every time zone.

Admin classes take the validator with ``formfield_overrides = SANE_DATES`` (Django's documented hook);
a test walks every registered admin form and fails when a date field lacks it.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


def validate_sane_date(value: dt.date | dt.datetime | None) -> None:
    """Refuse a date (or a moment, by its date as typed) before EARLIEST or after LATEST."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s."),
            code="date_out_of_range",
            params={"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
        )


# For a ModelAdmin's (or an inline's) formfield_overrides: Django merges it with the admin's own widgets.
SANE_DATES = {
    models.DateTimeField: {"validators": [validate_sane_date]},
    models.DateField: {"validators": [validate_sane_date]},
}
