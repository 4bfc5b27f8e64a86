"""make soak: mixed readers against 2 workers of the production server on PostgreSQL + Redis for a few minutes.

Checks, at the end: no 5xx response, no reader got more full metered articles than the meter allows,
and the meter store holds exactly the reads that were served in full.
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from http.cookiejar import CookieJar
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import PG_ADMIN, REDIS_URL, WORK, manage, production_env, reachable, serve

SECONDS = int(os.environ.get("SOAK_SECONDS", "300"))
THREADS = int(os.environ.get("SOAK_THREADS", "8"))
SETUP = """
import json
from masthead.publishing.models import Article
from masthead.paywall.services import article_access
from masthead.paywall.policy import teaser_length
from masthead.paywall.settings import meter_rules
rules = meter_rules()
out = []
for a in Article.objects.visible().select_related("section"):
    access = article_access(a)
    blocks = a.content_blocks
    probe = blocks[-1]["text"][:50] if len(blocks) > teaser_length(access, rules) else ""
    out.append({"id": a.pk, "path": a.get_absolute_url(), "level": access.level, "probe": probe})
print(json.dumps({"articles": out, "anonymous_limit": rules.anonymous_limit, "registered_limit": rules.registered_limit}))
"""
REGISTER = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from masthead.accounts.models import ReaderProfile
User = get_user_model()
sessions = []
for i in range({n}):
    user = User.objects.create_user(f"soak-{{i}}@example.com", email=f"soak-{{i}}@example.com", password="soak password 1")
    ReaderProfile.objects.create(user=user, email_verified_at=timezone.now())  # the registered allowance
    browser = Client()
    browser.force_login(user)  # a session made as signing in makes it
    sessions.append({{"user": user.pk, "session": browser.cookies[settings.SESSION_COOKIE_NAME].value}})
print(json.dumps(sessions))
"""


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.statuses: Counter = Counter()
        self.full: dict[str, set[int]] = defaultdict(set)  # reader key → metered articles served in full
        self.requests = 0

    def record(self, status: int, reader: str | None = None, article: int | None = None) -> None:
        with self.lock:
            self.requests += 1
            self.statuses[status // 100 * 100] += 1
            if reader and article is not None:
                self.full[reader].add(article)


def reader_id(jar: CookieJar) -> str | None:
    for cookie in jar:
        if cookie.name == "mh_reader":
            return cookie.value.strip('"')
    return None


def worker(base: str, catalogue: list[dict], registered: list[dict], tally: Tally, deadline: float, seed: int) -> None:
    rng = random.Random(seed)
    metered = [a for a in catalogue if a["level"] == "metered"]
    while time.monotonic() < deadline:
        kind = rng.random()
        jar = CookieJar()
        account = None
        if kind < 0.25 and registered:
            # A signed-in reader sends only the session cookie (a jar would replace it with its own).
            account = rng.choice(registered)
            opener = urllib.request.build_opener()
            opener.addheaders = [("Cookie", f"sessionid={account['session']}")]
        else:
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(rng.randint(1, 8)):
            article = rng.choice(metered if rng.random() < 0.8 else catalogue)
            try:
                with opener.open(base + article["path"], timeout=30) as response:
                    body, status = response.read().decode(), response.status
            except urllib.error.HTTPError as error:
                tally.record(error.code)
                continue
            except OSError:
                tally.record(599)
                continue
            got_full = bool(article["probe"]) and article["probe"] in body
            key = f"u:{account['user']}" if account else reader_id(jar)
            tally.record(status, key if (got_full and article["level"] == "metered") else None, article["id"])


def main() -> None:
    if not (reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379)):
        sys.exit("make soak needs PostgreSQL and Redis on 127.0.0.1")
    import psycopg

    WORK.mkdir(parents=True, exist_ok=True)
    name = f"masthead_soak_{uuid.uuid4().hex[:8]}"
    secret = "soak-" + uuid.uuid4().hex
    env = production_env(
        WORK,
        static=WORK / "static",
        SECRET_KEY=secret,
        DATABASE_URL=PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
        REDIS_URL=REDIS_URL,
        MASTHEAD_CACHE_PREFIX=name,
        MASTHEAD_REQUEST_LOG_LEVEL="WARNING",
    )
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "collectstatic", "--noinput", "-v", "0")
        manage(env, "load_demo")
        info = json.loads(manage(env, "shell", "-c", SETUP).strip().splitlines()[-1])
        registered = json.loads(manage(env, "shell", "-c", REGISTER.format(n=20)).strip().splitlines()[-1])
        tally = Tally()
        with serve(env, "masthead.wsgi:application", workers=2, pin=False) as (url, _pid):
            deadline = time.monotonic() + SECONDS
            threads = [
                threading.Thread(target=worker, args=(url, info["articles"], registered, tally, deadline, i))
                for i in range(THREADS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        verify(env, secret, info, tally)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def verify(env: dict, secret: str, info: dict, tally: Tally) -> None:
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k.startswith(("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "MASTHEAD_", "ALLOWED_HOSTS", "DEBUG"))
        }
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core import signing
    from django.http import HttpRequest

    from masthead.core import clock
    from masthead.paywall.meter import meter_store
    from masthead.paywall.readers import COOKIE_SALT
    from masthead.paywall.settings import meter_rules
    from masthead.paywall.windows import window_span
    from masthead.publishing.selectors import current_publication

    rules = meter_rules()
    span = window_span(rules.window, clock.now(), current_publication().time_zone)
    store = meter_store()
    over_granted = mismatched = 0
    for reader, served in tally.full.items():
        if reader.startswith("u:"):
            key, limit = reader, info["registered_limit"]
        else:
            request = HttpRequest()
            request.COOKIES[settings.MASTHEAD_READER_COOKIE] = reader
            try:
                key = "a:" + request.get_signed_cookie(settings.MASTHEAD_READER_COOKIE, salt=COOKIE_SALT)
                limit = info["anonymous_limit"]
            except signing.BadSignature:
                sys.exit(
                    f"cannot read the reader cookie {reader!r} with key {settings.SECRET_KEY[:12]}…/{secret[:12]}…"
                )
        over_granted += max(0, len(served) - limit)
        stored = store.read_articles(key, span)
        if stored != served:
            mismatched += 1
            if mismatched <= 5:
                print(f"  {key}: store {sorted(stored)} ≠ served in full {sorted(served)}")
    fivexx = tally.statuses[500]
    print(f"soak: {SECONDS} s, {THREADS} client threads, 2 workers, PostgreSQL + Redis")
    print(f"requests: {tally.requests}  ({tally.requests / SECONDS:.1f}/s)  statuses: {dict(tally.statuses)}")
    print(f"readers with full metered reads: {len(tally.full)}")
    print(f"5xx responses: {fivexx}")
    print(f"over-granted articles: {over_granted}")
    print(f"readers whose meter in the store differs from the reads served: {mismatched}")
    if fivexx or over_granted or mismatched:
        sys.exit(1)


if __name__ == "__main__":
    main()
