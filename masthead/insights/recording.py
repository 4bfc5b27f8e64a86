"""The decision funnel's recorder: each counted decision is added up in the worker's memory, written out in batches.

The paywall tells ``record`` of every page read it decided (``paywall.hooks``, registered at
``InsightsConfig.ready``). Per request, the recorder only adds one to a count in this worker's memory,
keyed (day in the publication's time zone, article, outcome, meter position), and, when Redis is
configured, remembers the reader's meter key for that day's unique readers. Nothing waits on the
database or Redis.

A daemon thread writes the counts out every ``MASTHEAD_INSIGHTS_FLUSH_SECONDS`` (default 5), and the
worker writes what is left when it stops: at interpreter exit (``atexit``: gunicorn, runserver,
manage.py) and when a multiprocessing worker ends (granian's workers are forked processes, which leave
through ``os._exit`` after multiprocessing's own exit handlers, skipping ``atexit``). A worker that is
killed, or crashes, loses at most the counts of the last few seconds. With 0 the counts are written
within the request itself (the tests do this, or call ``flush()`` themselves).

A flush adds its counts to the ``DecisionCount`` rows in one transaction with one upsert per batch
(``INSERT … ON CONFLICT … DO UPDATE SET count = count + excluded.count``, on SQLite and PostgreSQL), so
workers flushing at once add up exactly. Should the database (or Redis) be away, the counts stay in
memory for the next try, up to a bound, and the failure is logged; a page is never broken by it.

No address is kept, and no row names a reader: the reader keys (``u:<id>``, ``a:<id>``) go only into
Redis HyperLogLogs, which keep no member.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import multiprocessing.util
import os
import threading
import zoneinfo
from collections.abc import Iterable, Mapping
from functools import cache

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from masthead.paywall.hooks import DecisionEvent
from masthead.paywall.types import Decision, Reason
from masthead.publishing.selectors import current_publication

from .models import DecisionCount, Outcome

logger = logging.getLogger(__name__)

# What each of the paywall's reasons comes to in the publisher's funnel.
OUTCOMES: Mapping[Reason, Outcome] = {
    Reason.FREE: Outcome.FREE,
    Reason.REGISTERED_ACCESS: Outcome.FREE,
    Reason.METER_GRANTED: Outcome.METER_GRANT,
    Reason.METER_REREAD: Outcome.REREAD,
    Reason.METER_EXHAUSTED: Outcome.METER_WALL,
    Reason.REGISTRATION_REQUIRED: Outcome.REGISTRATION_WALL,
    Reason.SUBSCRIPTION_REQUIRED: Outcome.SUBSCRIPTION_WALL,
    Reason.ENTITLED: Outcome.SUBSCRIBER,
    Reason.CRAWLER: Outcome.CRAWLER,
    Reason.METER_UNAVAILABLE: Outcome.METER_UNAVAILABLE,
}
# The enum members' plain strings, looked up per request without the enum's machinery.
_OUTCOME_VALUES: dict[str, str] = {reason.value: outcome.value for reason, outcome in OUTCOMES.items()}
_METER_GRANT = Outcome.METER_GRANT.value

# While the database is away, a worker keeps at most this many distinct (day, article, outcome,
# position) counts and this many reader keys; decisions beyond them are dropped, counted and logged.
MAX_PENDING_COUNTS = 50_000
MAX_PENDING_READERS = 200_000
# Rows per upsert statement (5 parameters each: well under SQLite's and PostgreSQL's limits).
BATCH_ROWS = 500
# How long Redis keeps a day's unique readers (a year and a month's margin for the dashboard's ranges).
READERS_TTL_SECONDS = 400 * 86400

type CountKey = tuple[dt.date, int, str, int]  # (day, article id, outcome, position)
type ReadersKey = tuple[dt.date, str]  # (day, outcome)


def outcome_of(decision: Decision) -> tuple[Outcome, int]:
    """The funnel's outcome for ``decision`` and its meter position (1 = the first free article; else 0)."""
    outcome = OUTCOMES[decision.reason]
    return outcome, decision.used if outcome == Outcome.METER_GRANT else 0


class _Days:
    """The publication's day of a moment; the last day's bounds are kept, so most reads cost two comparisons."""

    def __init__(self) -> None:
        self._last: tuple[str, dt.datetime, dt.datetime, dt.date] | None = None

    def day(self, moment: dt.datetime, time_zone: str) -> dt.date:
        last = self._last
        if last is not None and last[0] == time_zone and last[1] <= moment < last[2]:
            return last[3]
        zone = zoneinfo.ZoneInfo(time_zone)
        day = moment.astimezone(zone).date()
        start = dt.datetime.combine(day, dt.time(), tzinfo=zone).astimezone(dt.UTC)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone).astimezone(dt.UTC)
        # Kept only when both bounds are the day's own (a midnight a clock change skips or repeats is not).
        last_moment = end - dt.timedelta(microseconds=1)
        if start.astimezone(zone).date() == day == last_moment.astimezone(zone).date():
            self._last = (time_zone, start, end, day)  # one tuple, swapped whole: safe across threads
        return day


def readers_key(day: dt.date, outcome: str) -> str:
    """The Redis HyperLogLog of one day's unique readers of one outcome."""
    return f"{settings.MASTHEAD_CACHE_PREFIX}:insights:readers:{day.isoformat()}:{outcome}"


@cache
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)


class Recorder:
    """One worker's counts not yet written, and the thread that writes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # guards the counts and readers
        self._flushing = threading.Lock()  # one flush at a time in this process
        self._counts: dict[CountKey, int] = {}
        self._readers: dict[ReadersKey, set[str]] = {}
        self._reader_total = 0
        self.dropped = 0  # decisions dropped because memory was full while the database was away
        self._days = _Days()
        # Tests turn the thread off (tests/conftest.py) and write with flush() or FLUSH_SECONDS=0.
        self.background = True
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._exit_hooks = False
        os.register_at_fork(after_in_child=self._forked)

    # --- per request -----------------------------------------------------------------------------

    def record(self, event: DecisionEvent) -> None:
        """Count ``event`` in memory; write at once when FLUSH_SECONDS is 0, else make sure the thread runs."""
        decision = event.decision
        outcome = _OUTCOME_VALUES[decision.reason]
        position = decision.used if outcome == _METER_GRANT else 0
        day = self._days.day(event.now, current_publication().time_zone)
        reader = event.reader.key if settings.REDIS_URL and event.reader.key else None
        self.add(day, event.article_id, outcome, position, reader)
        if settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS == 0:
            self.flush()
        elif self._thread is None and self.background:
            self.start()

    def add(self, day: dt.date, article_id: int, outcome: str, position: int, reader: str | None = None) -> None:
        key = (day, article_id, outcome, position)
        with self._lock:
            counts = self._counts
            if key in counts:
                counts[key] += 1
            elif len(counts) < MAX_PENDING_COUNTS:
                counts[key] = 1
            else:
                self.dropped += 1
            if reader is not None:
                readers = self._readers.get((day, outcome))
                if readers is None:
                    readers = self._readers[(day, outcome)] = set()
                if reader not in readers and self._reader_total < MAX_PENDING_READERS:
                    readers.add(reader)
                    self._reader_total += 1

    # --- writing out -------------------------------------------------------------------------------

    def pending(self) -> tuple[dict[CountKey, int], dict[ReadersKey, set[str]]]:
        """A copy of what is waiting to be written (for tests and the operator's eyes)."""
        with self._lock:
            return dict(self._counts), {key: set(value) for key, value in self._readers.items()}

    def discard(self) -> None:
        """Forget what is waiting (tests, between tests)."""
        with self._lock:
            self._counts, self._readers, self._reader_total, self.dropped = {}, {}, 0, 0

    def flush(self, *, wait: float = -1) -> bool:
        """Write what is waiting; on failure keep it for the next try and log. True when all was written.

        ``wait``: how long to wait for a flush already running in this process (-1: as long as it takes).
        """
        if not self._flushing.acquire(timeout=wait):
            logger.error("insights: a write still running after %s s; this one is left to it", wait)
            return False
        try:
            with self._lock:
                counts, self._counts = self._counts, {}
                readers, self._readers = self._readers, {}
                self._reader_total = 0
                dropped, self.dropped = self.dropped, 0
            if dropped:
                logger.error("insights: %d decisions were dropped: memory was full while writes failed", dropped)
            written = True
            if counts:
                try:
                    write_counts(counts)
                except Exception:
                    written = False
                    logger.exception("insights: writing %d decision counts failed; kept for the next try", len(counts))
                    self._keep(counts, {})
            if readers:
                try:
                    add_readers(readers)
                except Exception:
                    written = False
                    logger.exception("insights: adding unique readers to Redis failed; kept for the next try")
                    self._keep({}, readers)
            return written
        finally:
            self._flushing.release()

    def _keep(self, counts: Mapping[CountKey, int], readers: Mapping[ReadersKey, set[str]]) -> None:
        """Put back what a failed flush took, under the same bounds as new counts."""
        with self._lock:
            current = self._counts
            for key, count in counts.items():
                if key in current:
                    current[key] += count
                elif len(current) < MAX_PENDING_COUNTS:
                    current[key] = count
                else:
                    self.dropped += count
            for key, keys in readers.items():
                target = self._readers.setdefault(key, set())
                room = MAX_PENDING_READERS - self._reader_total
                new = keys - target
                if len(new) > room:
                    new = set(list(new)[:room])
                target |= new
                self._reader_total += len(new)

    # --- the thread and the exit -----------------------------------------------------------------

    def start(self, seconds: float | None = None) -> None:
        """Start this process's flushing thread (once) and the exit hooks that write what is left."""
        with self._lock:
            if self._thread is not None:
                return
            interval = max(seconds if seconds is not None else settings.MASTHEAD_INSIGHTS_FLUSH_SECONDS, 0.01)
            self._stop.clear()
            self._thread = threading.Thread(
                target=self._run, args=(interval,), name="masthead-insights-flush", daemon=True
            )
            self._thread.start()
            if not self._exit_hooks:
                self._exit_hooks = True
                atexit.register(self.at_exit)
                # A forked multiprocessing worker (granian's) ends with os._exit(), after running these.
                multiprocessing.util.Finalize(None, self.at_exit, exitpriority=100)

    def stop(self, timeout: float = 10) -> None:
        """Stop the flushing thread (it writes what is waiting as it goes)."""
        thread = self._thread
        if thread is None:
            return
        self._stop.set()
        thread.join(timeout)
        with self._lock:
            if self._thread is thread:
                self._thread = None

    def _run(self, interval: float) -> None:
        try:
            while not self._stop.wait(interval):
                self._flush_in_thread()
            self._flush_in_thread()
        finally:
            connection.close()  # this thread's own connection: never left open behind it

    def _flush_in_thread(self) -> None:
        with self._lock:
            idle = not self._counts and not self._readers
        if idle:
            return
        close_old_connections()  # a connection the database dropped, or past its age, is opened afresh
        try:
            self.flush()
        except Exception:  # flush() logs its own failures; nothing may end the thread
            logger.exception("insights: the flushing thread failed")
        close_old_connections()

    def at_exit(self) -> None:
        """Write what is left as the process stops (the thread is stopped first, its last write awaited)."""
        self.stop(timeout=5)
        with self._lock:
            idle = not self._counts and not self._readers
        if not idle:
            self.flush(wait=10)  # a write hung on an unanswering database must not hold the exit forever

    def _forked(self) -> None:
        # A forked child has no thread and no claim on its parent's counts (the parent writes those).
        self._lock = threading.Lock()
        self._flushing = threading.Lock()
        self._counts, self._readers, self._reader_total, self.dropped = {}, {}, 0, 0
        self._thread = None
        self._stop = threading.Event()
        self._exit_hooks = False


def write_counts(counts: Mapping[CountKey, int]) -> None:
    """Add ``counts`` to the ``DecisionCount`` rows, all or nothing; counts of deleted articles are dropped."""
    from masthead.publishing.models import Article

    ids = sorted({key[1] for key in counts})
    existing: set[int] = set()
    for start in range(0, len(ids), BATCH_ROWS):
        existing.update(Article.objects.filter(pk__in=ids[start : start + BATCH_ROWS]).values_list("pk", flat=True))
    # In key order, so two workers upserting the same rows lock them in the same order (no deadlock).
    rows = sorted((key, count) for key, count in counts.items() if key[1] in existing)
    if not rows:
        return
    table = connection.ops.quote_name(DecisionCount._meta.db_table)
    day_field = DecisionCount._meta.get_field("day")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("day", "article_id", "outcome", "position", "count"))
    conflict = ", ".join(quote(name) for name in ("day", "article_id", "outcome", "position"))
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH_ROWS):
            batch = rows[start : start + BATCH_ROWS]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
            params: list = []
            for (day, article_id, outcome, position), count in batch:
                params += [day_field.get_db_prep_value(day, connection), article_id, outcome, position, count]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608 -- names quoted, values bound
                f"ON CONFLICT ({conflict}) DO UPDATE SET {quote('count')} = {table}.{quote('count')} + "
                f"excluded.{quote('count')}",
                params,
            )


def add_readers(readers: Mapping[ReadersKey, Iterable[str]]) -> None:
    """PFADD each day's and outcome's reader keys to its HyperLogLog, in one round trip."""
    if not settings.REDIS_URL:
        return
    pipe = redis_client(settings.REDIS_URL).pipeline(transaction=False)
    for (day, outcome), keys in readers.items():
        name = readers_key(day, outcome)
        pipe.pfadd(name, *keys)
        pipe.expire(name, READERS_TTL_SECONDS)
    pipe.execute()


recorder = Recorder()


def record(event: DecisionEvent) -> None:
    """The listener ``InsightsConfig.ready`` registers with ``paywall.hooks.on_decision``."""
    recorder.record(event)


def flush() -> bool:
    """Write this worker's waiting counts now (tests; the thread and the exit hooks do it otherwise)."""
    return recorder.flush()
