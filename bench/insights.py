"""bench/insights.py: does the insights dashboard render in under a second over a year of a busy site?

    .venv/bin/python bench/insights.py            # build (about two minutes), then measure
    .venv/bin/python bench/insights.py --reuse    # measure the database the last run built

Builds a throwaway SQLite database under var/bench-insights, production-shaped (DEBUG off, the hashed
static files), with the demo newsroom and then, by bulk_create:

- 1,000,000 DecisionCount rows: 365 days × 250 articles × 11 cells (eight outcomes, and meter grants at
  positions 1, 2 and 3), each counting 1 to 40 reads, so the rows stand for about 20 million decisions.
  Every article is read every day: the worst case for the dashboard's grouped sums (a real archive reads
  most stories only in their first days), and the upper bound of "1,000,000 decision events" however
  they are aggregated;
- 100,000 readers, each with a subscription (paid or trialling) and its Conversion row, and 100,000
  registrations, credited to the articles and spread over the year.

Then it signs in as the demo's publisher and times ``GET /admin/insights/`` with Django's test client, in
the same process (no server, no network), warm (a first request fills the per-process memories): the
median of REPEAT requests, and the queries of one. It does so for the default range (the last 30 days),
for the longest range (366 days), and for one table's CSV file. The target: the default page under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import manage, production_env  # noqa: E402

WORK = ROOT / "var" / "bench-insights"
REPEAT = int(os.environ.get("INSIGHTS_REPEAT", "7"))
TARGET_SECONDS = 1.0

FILL = """
import datetime as dt, random, time
from django.contrib.auth.models import User
from django.db import transaction
from masthead.core import clock
from masthead.insights.filters import publication_today
from masthead.insights.models import Conversion, DecisionCount, Outcome
from masthead.publishing.models import Article, Section
from masthead.publishing.services import article_blocks
from masthead.subscriptions.models import Plan, Subscription

rng = random.Random(12)
started = time.perf_counter()
today = publication_today(clock.now())
days = [today - dt.timedelta(days=n) for n in range(365)]
sections = list(Section.objects.all())
body = "<p>Bench text.</p>" * 6
blocks = article_blocks(body)
now = clock.now()
articles = Article.objects.bulk_create(
    Article(headline=f"Bench story {i}", slug=f"bench-story-{i}", section=sections[i % len(sections)],
            status="published", publish_at=now - dt.timedelta(days=400, minutes=i), blocks=blocks,
            body_html=body, version=1)
    for i in range(ARTICLES)
)
CELLS = [(o.value, 0) for o in Outcome if o != Outcome.METER_GRANT and o != Outcome.METER_UNAVAILABLE]
CELLS += [(Outcome.METER_GRANT.value, p) for p in (1, 2, 3)]
assert len(CELLS) == 10
CELLS.append((Outcome.METER_UNAVAILABLE.value, 0))
rows = events = 0
batch = []
with transaction.atomic():
    for day in days:
        for article in articles:
            for outcome, position in CELLS:
                count = rng.randint(1, 40)
                events += count
                batch.append(DecisionCount(day=day, article_id=article.pk, outcome=outcome, position=position, count=count))
        if len(batch) >= 50_000:
            DecisionCount.objects.bulk_create(batch, batch_size=5_000)
            rows += len(batch)
            batch = []
    DecisionCount.objects.bulk_create(batch, batch_size=5_000)
    rows += len(batch)
print(f"decision rows {rows:,} standing for {events:,} decisions ({time.perf_counter() - started:.0f} s)", flush=True)

plans = list(Plan.objects.all())
users = User.objects.bulk_create(
    (User(username=f"bench-reader-{i}", password="!", email=f"r{i}@bench.invalid") for i in range(SUBSCRIPTIONS)),
    batch_size=5_000,
)
starts = [dt.datetime.combine(rng.choice(days), dt.time(12), tzinfo=dt.UTC) for _ in users]
with transaction.atomic():
    subscriptions = Subscription.objects.bulk_create(
        (Subscription(user=user, plan=rng.choice(plans), provider="local", created_at=at,
                      status=rng.choice(["active", "active", "active", "trialing", "canceled", "past_due"]),
                      current_period_start=at, current_period_end=at + dt.timedelta(days=30), ever_paid=True)
         for user, at in zip(users, starts)),
        batch_size=5_000,
    )
    conversions = []
    for user, subscription, at in zip(users, subscriptions, starts):
        day = at.date()
        touch = rng.choice(articles).pk
        kind = "trial" if subscription.status == "trialing" else "paid"
        conversions.append(Conversion(kind="registration", at=at, day=day, user=user, last_touch_id=touch, first_touch_id=touch))
        conversions.append(Conversion(kind=kind, at=at, day=day, user=user, subscription=subscription,
                                      last_touch_id=touch, first_touch_id=touch))
    Conversion.objects.bulk_create(conversions, batch_size=5_000)
print(f"subscriptions {Subscription.objects.count():,}, conversions {Conversion.objects.count():,} "
      f"({time.perf_counter() - started:.0f} s)", flush=True)
"""

MEASURE = """
import json, statistics, time, logging
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from masthead.insights.models import DecisionCount

logging.disable(logging.CRITICAL)
client = Client()
client.force_login(User.objects.get(username="publisher"))
out = {}
for name, url, query in CASES:
    assert client.get(url, query).status_code == 200  # warm
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(url, query)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, query)
    out[name] = {"median_s": statistics.median(times), "max_s": max(times), "queries": len(queries),
                 "bytes": len(response.content)}
print(json.dumps(out))
"""

CASES = [
    ("dashboard, last 30 days (default)", "/admin/insights/", {}),
    ("dashboard, sorted by conversion rate", "/admin/insights/", {"sort": "articles.conversion_rate", "dir": "desc"}),
    ("dashboard, one section", "/admin/insights/", {"section": "politics"}),
    ("dashboard, 366 days (the longest range)", "/admin/insights/", {"start": "LONG_START"}),
    ("articles.csv, last 30 days", "/admin/insights/articles.csv", {}),
]


def build(folder: Path, *, articles: int, subscriptions: int) -> dict[str, str]:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = env_for(folder)
    print("migrating, collecting static files, loading the demo", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo")
    print(f"generating {articles} articles × 365 days × 11 cells and {subscriptions:,} subscriptions", flush=True)
    script = f"ARTICLES = {articles}\nSUBSCRIPTIONS = {subscriptions}\n" + FILL
    print(manage(env, "shell", "-c", script).strip(), flush=True)
    return env


def env_for(folder: Path) -> dict[str, str]:
    return production_env(
        folder,
        static=folder / "static",
        hosts="testserver",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MASTHEAD_REQUEST_LOG_LEVEL="WARNING",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true", help="measure the database the last run built")
    parser.add_argument("--articles", type=int, default=250)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    args = parser.parse_args()
    if args.reuse and (WORK / "db.sqlite3").exists():
        env = env_for(WORK)
        manage(env, "migrate", "--noinput", "-v", "0")  # the tree's newer migrations (an index, say)
        manage(env, "collectstatic", "--noinput", "-v", "0")
    else:
        env = build(WORK, articles=args.articles, subscriptions=args.subscriptions)
    import datetime as dt

    # The longest range ends today; the publication's today is what the page defaults to, and the
    # demo's publication may be ahead of UTC, so the start is 365 days before tomorrow in UTC at most.
    long_start = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=364)).isoformat()
    cases = [(n, u, {k: (long_start if v == "LONG_START" else v) for k, v in q.items()}) for n, u, q in CASES]
    script = f"CASES = {cases!r}\nREPEAT = {REPEAT}\n" + MEASURE
    results = json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])
    print(f"\n{'case':44} {'median':>9} {'worst':>9} {'queries':>8} {'size':>9}")
    for name, result in results.items():
        print(
            f"{name:44} {result['median_s'] * 1000:7.0f}ms {result['max_s'] * 1000:7.0f}ms "
            f"{result['queries']:8} {result['bytes'] / 1024:7.0f}KB"
        )
    default = results[CASES[0][0]]["median_s"]
    verdict = "under" if default < TARGET_SECONDS else "OVER"
    print(f"\nthe default dashboard: {default * 1000:.0f} ms, {verdict} the {TARGET_SECONDS:.0f} s target")
    if default >= TARGET_SECONDS:
        sys.exit(1)


if __name__ == "__main__":
    main()
