"""Fixed-window throttles count in a shared store, atomically, and start again with each window."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection

from masthead.core.models import ThrottleCount
from masthead.core.throttle import Throttle
from tests.conftest import require_service

SIGNUPS = Throttle("test-signup", limit=3, window_seconds=3600)


def uses(throttle: Throttle, subject: str, n: int) -> list[bool]:
    return [throttle.hit(subject) for _ in range(n)]


@pytest.mark.django_db
def test_the_database_store_allows_the_limit_per_subject_and_window(clock):
    clock.set(dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC))
    assert uses(SIGNUPS, "203.0.113.9", 5) == [True, True, True, False, False]
    assert SIGNUPS.hit("198.51.100.7")  # another subject has its own count
    assert "203.0.113.9" not in "".join(ThrottleCount.objects.values_list("key", flat=True))  # hashed
    clock.advance(hours=1)
    assert uses(SIGNUPS, "203.0.113.9", 4) == [True, True, True, False]  # a new window
    assert ThrottleCount.objects.count() == 1  # the windows that were over are swept


@pytest.mark.django_db(transaction=True)
def test_simultaneous_uses_are_allowed_only_up_to_the_limit():
    allowed: list[bool] = []
    barrier = threading.Barrier(12)

    def use():
        barrier.wait()
        try:
            allowed.append(SIGNUPS.hit("203.0.113.9"))
        finally:
            connection.close()

    threads = [threading.Thread(target=use) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 12
    assert allowed.count(True) == 3


@pytest.mark.redis
@pytest.mark.django_db
def test_with_redis_the_cache_counts(settings, clock, monkeypatch):
    require_service("Redis", "127.0.0.1", 6379)
    from django.core.cache.backends.redis import RedisCache

    from masthead.core import throttle

    # A cache of its own under a prefix of its own: the shared Redis is never cleared.
    redis = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"})
    monkeypatch.setattr(throttle, "cache", redis)
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    clock.set(dt.datetime(2026, 11, 15, 12, 0, tzinfo=dt.UTC))
    assert uses(SIGNUPS, "203.0.113.9", 4) == [True, True, True, False]
    clock.advance(hours=1)
    assert SIGNUPS.hit("203.0.113.9")
    assert not ThrottleCount.objects.exists()
