"""Meter stores: where the reads of each reader's window are counted, behind one protocol.

Every ``record`` is atomic against its limit: of many concurrent reads racing for the last free
article, exactly one is recorded.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from .types import MeterState
from .windows import WindowSpan


class MeterUnavailable(Exception):
    """The store could not be reached; the caller applies the fail-open/closed rule."""


@dataclass(frozen=True, slots=True)
class RecordResult:
    recorded: bool  # this read now counts (False: a re-read, or refused because the limit was reached)
    state: MeterState  # the state after the attempt


class MeterStore(Protocol):
    def state(self, reader_key: str, article_id: int, span: WindowSpan) -> MeterState: ...

    def record(
        self, reader_key: str, article_id: int, span: WindowSpan, limit: int, now: dt.datetime
    ) -> RecordResult: ...

    def record_first(self, reader_key: str, article_id: int, span: WindowSpan, now: dt.datetime) -> RecordResult:
        """Count the first read of a reader never seen before (nothing can race with it)."""
        ...

    def merge(self, from_key: str, into_key: str, span: WindowSpan) -> None:
        """Count ``from_key``'s reads of this window for ``into_key`` too (each article once)."""
        ...

    def read_articles(self, reader_key: str, span: WindowSpan) -> set[int]: ...


class _StateFromReads:
    """A window's state is its set of read articles: every store derives it the same way."""

    def state(self, reader_key: str, article_id: int, span: WindowSpan) -> MeterState:
        read = self.read_articles(reader_key, span)
        return MeterState(used=len(read), already_read=article_id in read)


class InMemoryMeterStore(_StateFromReads):
    """For tests and single-process experiments."""

    def __init__(self) -> None:
        self._reads: dict[tuple[str, str], dict[int, dt.datetime]] = {}
        self._lock = threading.Lock()

    def _live(self, reader_key: str, span: WindowSpan) -> dict[int, dt.datetime]:
        reads = self._reads.setdefault((reader_key, span.key), {})
        for article_id in [a for a, at in reads.items() if at < span.start]:
            del reads[article_id]
        return reads

    def record(self, reader_key: str, article_id: int, span: WindowSpan, limit: int, now: dt.datetime) -> RecordResult:
        with self._lock:
            reads = self._live(reader_key, span)
            if article_id in reads:
                return RecordResult(False, MeterState(len(reads), True))
            if len(reads) >= limit:
                return RecordResult(False, MeterState(len(reads), False))
            reads[article_id] = now
            return RecordResult(True, MeterState(len(reads), True))

    def record_first(self, reader_key: str, article_id: int, span: WindowSpan, now: dt.datetime) -> RecordResult:
        return self.record(reader_key, article_id, span, 1, now)

    def merge(self, from_key: str, into_key: str, span: WindowSpan) -> None:
        with self._lock:
            source = self._live(from_key, span)
            target = self._live(into_key, span)
            for article_id, at in source.items():
                target.setdefault(article_id, at)

    def read_articles(self, reader_key: str, span: WindowSpan) -> set[int]:
        with self._lock:
            return set(self._live(reader_key, span))


def _reads_table() -> str:
    from .models import MeterRead

    return MeterRead._meta.db_table


def _read_at(value: dt.datetime):
    """``value`` as the database driver takes a ``read_at`` parameter (the field's own adaptation)."""
    from .models import MeterRead

    return MeterRead._meta.get_field("read_at").get_db_prep_value(value, connection)


class DatabaseMeterStore(_StateFromReads):
    """The default: rows in the site's database (SQLite or PostgreSQL).

    The two statements of every metered page view (a window's reads, a new reader's first read) are
    written out: building them with the ORM on each request costs more than running them.
    """

    def read_articles(self, reader_key: str, span: WindowSpan) -> set[int]:
        sql = "SELECT article_id FROM {reads} WHERE reader_key = %s AND window_key = %s AND read_at >= %s"
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.format(reads=_reads_table()),
                    [reader_key, span.key, _read_at(span.start)],
                )
                return {row[0] for row in cursor.fetchall()}
        except DatabaseError as exc:
            raise MeterUnavailable(str(exc)) from exc

    def record(self, reader_key: str, article_id: int, span: WindowSpan, limit: int, now: dt.datetime) -> RecordResult:
        from .models import MeterRead, MeterWindow

        try:
            with transaction.atomic():
                # The window row is the reader's lock: PostgreSQL holds it FOR UPDATE; on SQLite the
                # IMMEDIATE transaction has already serialised writers, so no lock query is needed.
                MeterWindow.objects.bulk_create(
                    [MeterWindow(reader_key=reader_key, window_key=span.key, created_at=now)], ignore_conflicts=True
                )
                if connection.features.has_select_for_update:
                    MeterWindow.objects.select_for_update().filter(reader_key=reader_key, window_key=span.key).exists()
                reads = MeterRead.objects.filter(reader_key=reader_key, window_key=span.key)
                current = dict(reads.values_list("article_id", "read_at"))
                live = {a for a, at in current.items() if at >= span.start}
                if article_id in live:
                    return RecordResult(False, MeterState(len(live), True))
                if len(live) >= limit:
                    return RecordResult(False, MeterState(len(live), False))
                if article_id in current:  # counted long ago in a rolling window: it counts afresh
                    reads.filter(article_id=article_id).update(read_at=now)
                else:
                    MeterRead.objects.create(
                        reader_key=reader_key, window_key=span.key, article_id=article_id, read_at=now
                    )
                return RecordResult(True, MeterState(len(live) + 1, True))
        except DatabaseError as exc:
            raise MeterUnavailable(str(exc)) from exc

    def record_first(self, reader_key: str, article_id: int, span: WindowSpan, now: dt.datetime) -> RecordResult:
        sql = "INSERT INTO {reads} (reader_key, window_key, article_id, read_at) VALUES (%s, %s, %s, %s)"
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    sql.format(reads=_reads_table()),
                    [reader_key, span.key, article_id, _read_at(now)],
                )
        except DatabaseError as exc:
            raise MeterUnavailable(str(exc)) from exc
        return RecordResult(True, MeterState(1, True))

    def merge(self, from_key: str, into_key: str, span: WindowSpan) -> None:
        from .models import MeterRead

        try:
            rows = MeterRead.objects.filter(reader_key=from_key, window_key=span.key, read_at__gte=span.start)
            MeterRead.objects.bulk_create(
                [
                    MeterRead(reader_key=into_key, window_key=span.key, article_id=article_id, read_at=read_at)
                    for article_id, read_at in rows.values_list("article_id", "read_at")
                ],
                ignore_conflicts=True,
            )
        except DatabaseError as exc:
            raise MeterUnavailable(str(exc)) from exc


# KEYS[1] the window's sorted set; ARGV: article, now (s), window start (s), limit, ttl (s).
# Returns {recorded (0/1), used, already_read (0/1)}.
_RECORD_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return {0, redis.call('ZCARD', KEYS[1]), 1}
end
local used = redis.call('ZCARD', KEYS[1])
if used >= tonumber(ARGV[4]) then
  return {0, used, 0}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return {1, used + 1, 1}
"""
# KEYS[1] source, KEYS[2] target; ARGV: window start (s), ttl (s).
_MERGE_SCRIPT = """
local reads = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf', 'WITHSCORES')
for i = 1, #reads, 2 do
  redis.call('ZADD', KEYS[2], 'NX', reads[i + 1], reads[i])
end
if #reads > 0 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return #reads / 2
"""


class RedisMeterStore(_StateFromReads):
    """Used when ``REDIS_URL`` is set: one sorted set per reader and window, changed by Lua scripts."""

    def __init__(self, url: str, prefix: str = "masthead:meter") -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = (redis.RedisError, OSError)
        self._prefix = prefix
        self._record = self._redis.register_script(_RECORD_SCRIPT)
        self._merge = self._redis.register_script(_MERGE_SCRIPT)

    def _key(self, reader_key: str, span: WindowSpan) -> str:
        return f"{self._prefix}:{span.key}:{reader_key}"

    def record(self, reader_key: str, article_id: int, span: WindowSpan, limit: int, now: dt.datetime) -> RecordResult:
        try:
            recorded, used, already = self._record(
                keys=[self._key(reader_key, span)],
                args=[str(article_id), now.timestamp(), span.start.timestamp(), limit, span.ttl_seconds + 86400],
            )
        except self._errors as exc:
            raise MeterUnavailable(str(exc)) from exc
        return RecordResult(bool(recorded), MeterState(int(used), bool(already)))

    def record_first(self, reader_key: str, article_id: int, span: WindowSpan, now: dt.datetime) -> RecordResult:
        return self.record(reader_key, article_id, span, 1, now)

    def merge(self, from_key: str, into_key: str, span: WindowSpan) -> None:
        try:
            self._merge(
                keys=[self._key(from_key, span), self._key(into_key, span)],
                args=[span.start.timestamp(), span.ttl_seconds + 86400],
            )
        except self._errors as exc:
            raise MeterUnavailable(str(exc)) from exc

    def read_articles(self, reader_key: str, span: WindowSpan) -> set[int]:
        try:
            members = self._redis.zrangebyscore(self._key(reader_key, span), span.start.timestamp(), "+inf")
        except self._errors as exc:
            raise MeterUnavailable(str(exc)) from exc
        return {int(member) for member in members}


@cache
def _store_for(name: str, redis_url: str, redis_prefix: str) -> MeterStore:
    # settings.py has refused any other name, and "redis" without REDIS_URL.
    if name == "redis":
        return RedisMeterStore(redis_url, prefix=f"{redis_prefix}:meter")
    if name == "memory":
        return InMemoryMeterStore()
    return DatabaseMeterStore()


def meter_store() -> MeterStore:
    """The configured store (``MASTHEAD_METER_STORE``: Redis when ``REDIS_URL`` is set, else the database)."""
    return _store_for(settings.MASTHEAD_METER_STORE, settings.REDIS_URL, settings.MASTHEAD_CACHE_PREFIX)
