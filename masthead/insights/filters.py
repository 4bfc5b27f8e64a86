"""The dashboard's filters, read from the query string: a range of days, a section, and a sort.

``?start=YYYY-MM-DD&end=YYYY-MM-DD`` (both days included, in the publication's time zone; by default the
last 30 days up to today), ``?section=<slug>`` and ``?sort=<key>&dir=asc|desc``. A range is at most
366 days long and inside the dates the admin accepts (``core.dates``). Anything else is a form error,
which the views answer with 400 and the message, never 500.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from masthead.core.dates import validate_sane_date
from masthead.publishing.models import Section
from masthead.publishing.selectors import current_publication, navigation_sections

DEFAULT_DAYS = 30
MAX_DAYS = 366
ISO_DAY = "%Y-%m-%d"
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def publication_today(now: dt.datetime) -> dt.date:
    """The date ``now`` falls on in the publication's time zone."""
    try:
        zone = zoneinfo.ZoneInfo(current_publication().time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    return timezone.localdate(now, timezone=zone)


@dataclass(frozen=True, slots=True)
class Filters:
    start: dt.date
    end: dt.date
    section: Section | None
    sort: str  # "" for each table's own order
    descending: bool

    def query(self, **changes: str) -> dict[str, str]:
        """The query string's parameters for these filters (the range pinned), with ``changes`` on top."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.section is not None:
            params["section"] = self.section.slug
        return params | {key: value for key, value in changes.items() if value}


class DayInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format=ISO_DAY)


class DayField(forms.DateField):
    """A day as YYYY-MM-DD in ASCII digits (``strptime`` would also read ``２０２６``), in the sane range."""

    widget = DayInput
    default_validators = [validate_sane_date]

    def to_python(self, value):
        if isinstance(value, str) and value and not _ISO_DAY.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class FilterForm(forms.Form):
    start = DayField(label=pgettext_lazy("insights", "From"), required=False, input_formats=[ISO_DAY])
    end = DayField(label=pgettext_lazy("insights", "To"), required=False, input_formats=[ISO_DAY])
    section = forms.ChoiceField(label=pgettext_lazy("insights", "Section"), required=False)
    sort = forms.CharField(required=False, max_length=120, widget=forms.HiddenInput)
    dir = forms.ChoiceField(
        required=False, choices=[("asc", "asc"), ("desc", "desc")], widget=forms.HiddenInput, initial="desc"
    )

    def __init__(self, data, *, today: dt.date):
        super().__init__(data)
        self.today = today
        self.sections = {section.slug: section for section in navigation_sections()}
        self.fields["section"].choices = [("", pgettext_lazy("insights", "All sections"))] + [
            (slug, section.name) for slug, section in self.sections.items()
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        end = data.get("end") or self.today
        start = data.get("start") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError(_("The first day must not be after the last."), code="reversed")
        if (end - start).days + 1 > MAX_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)s days."), code="too_long", params={"days": MAX_DAYS})
        data["start"], data["end"] = start, end
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            start=data["start"],
            end=data["end"],
            section=self.sections.get(data["section"]) if data["section"] else None,
            sort=data["sort"],
            descending=data["dir"] != "asc",
        )

    def errors_text(self) -> str:
        """Every error, one a line, for an answer that is not a page (the CSV export)."""
        lines = []
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields else ""
            lines.extend(f"{label}: {error}" if label else str(error) for error in errors)
        return "\n".join(lines)
