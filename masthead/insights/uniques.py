"""Unique readers per day and outcome: from Redis's HyperLogLogs, or, on the database, from the meter's own reads.

With Redis configured (``REDIS_URL``) the recorder PFADDs each decision's meter key to one HyperLogLog
per day and outcome (``recording.readers_key``), so every outcome has a count (HyperLogLog's standard
error is 0.81 %). Without Redis no reader is written anywhere by insights: the one exact count comes from
what the database meter store already holds, the ``MeterRead`` row of each metered article a reader was
granted, so meter grants have their unique readers (distinct meter keys by the day of the read) and the
other outcomes have none (None, shown as "not counted").

A reader is a meter key: a browser's anonymous id, or an account. A browser whose reads are copied to
the account that signs in on it (``meter_merge_on_signin``) counts for both on the days of those reads.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils.translation import gettext as _

from masthead.paywall.models import MeterRead
from masthead.publishing.selectors import current_publication

from .models import Outcome
from .recording import readers_key, redis_client
from .tables import Chart, Column, Table

logger = logging.getLogger(__name__)

# The longest range one table covers (a year and a day): the dashboard refuses longer ranges first.
MAX_DAYS = 367


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    if end < start:
        raise ValueError(f"the range ends ({end}) before it starts ({start})")
    count = (end - start).days + 1
    if count > MAX_DAYS:
        raise ValueError(f"the range covers {count} days; at most {MAX_DAYS}")
    return [start + dt.timedelta(days=n) for n in range(count)]


def meter_reads_by_day(*, start: dt.date, end: dt.date) -> dict[dt.date, tuple[int, int]]:
    """(reads, distinct readers) of the database meter store per day of the read, in the publication's zone.

    One aggregate query over the range. Days without a read are absent.
    """
    _days(start, end)
    zone = zoneinfo.ZoneInfo(current_publication().time_zone)
    since = dt.datetime.combine(start, dt.time(), tzinfo=zone)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    rows = (
        MeterRead.objects.filter(read_at__gte=since, read_at__lt=until)
        .annotate(day=TruncDate("read_at", tzinfo=zone))
        .values("day")
        .annotate(reads=Count("id"), readers=Count("reader_key", distinct=True))
        .values_list("day", "reads", "readers")
    )
    return {day: (reads, readers) for day, reads, readers in rows}


def _from_redis(days: list[dt.date]) -> dict[tuple[dt.date, str], int] | None:
    """PFCOUNT of every day and outcome in one round trip; None when Redis does not answer."""
    import redis

    pipe = redis_client(settings.REDIS_URL).pipeline(transaction=False)
    keys = [(day, outcome.value) for day in days for outcome in Outcome]
    for day, outcome in keys:
        pipe.pfcount(readers_key(day, outcome))
    try:
        counts = pipe.execute()
    except (redis.RedisError, OSError):
        logger.exception("insights: Redis did not answer for the unique readers; the database's counts are shown")
        return None
    return dict(zip(keys, counts, strict=True))


def readers_by_day(*, start: dt.date, end: dt.date) -> Table:
    """Unique readers per day (``start`` to ``end``, both included) and outcome, as a line chart's table."""
    days = _days(start, end)
    counted = _from_redis(days) if settings.REDIS_URL else None
    if counted is not None:
        rows = tuple((day, *(counted[(day, outcome.value)] for outcome in Outcome)) for day in days)
        description = _(
            "Distinct readers on each day, by what their reads came to: each browser and each account counts "
            "once a day per outcome (estimated by Redis HyperLogLog, within about 1%)."
        )
    else:
        grants = meter_reads_by_day(start=start, end=end) if settings.MASTHEAD_METER_STORE == "database" else None
        rows = tuple(
            (
                day,
                *(
                    (grants.get(day, (0, 0))[1] if grants is not None and outcome == Outcome.METER_GRANT else None)
                    for outcome in Outcome
                ),
            )
            for day in days
        )
        description = _(
            "Distinct readers on each day who were granted a free article on the meter, counted exactly from "
            "the meter's own records. Without Redis the other outcomes have no unique count (shown empty)."
        )
        if grants is None:
            description = _("Unique readers are counted with Redis or the database meter store; neither is in use.")
    columns = (Column("day", _("Day"), numeric=False), *(Column(o.value, str(o.label)) for o in Outcome))
    return Table(
        slug="readers-by-day",
        title=_("Unique readers by day"),
        description=description,
        columns=columns,
        rows=rows,
        chart=Chart.LINE,
    )
