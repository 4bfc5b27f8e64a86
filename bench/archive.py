"""make bench-archive: do listing pages cost the same with 100 and with 100,000 articles?

Builds two SQLite databases (the demo plus 100, and the demo plus 100,000 generated articles spread over
the sections and 50 authors; in both, the newest 60 are in Politics by the demo's Priya Raman, so every
measured page is full), then times each listing in-process, cold (its cached shell dropped before
every request) and warm, taking the median of repeated requests; the two archives are measured turn
about, ARCHIVE_ROUNDS times (default 3), keeping the median of the rounds. Prints the ratio large / small.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import manage, production_env  # noqa: E402

WORK = ROOT / "var" / "bench-archive"
# The sitemap index, and the file of the current month (the one that changes, so crawlers ask for it most).
URLS = [
    "/",
    "/politics/",
    "/politics/?page=5",
    "/authors/priya-raman/",
    "/sitemap.xml",
    f"/sitemap-articles-{dt.datetime.now(dt.UTC):%Y-%m}.xml",
]
REPEAT = int(os.environ.get("ARCHIVE_REPEAT", "25"))
ROUNDS = int(os.environ.get("ARCHIVE_ROUNDS", "3"))

FILL = """
import datetime as dt, random
from masthead.core import clock
from masthead.publishing.models import Article, ArticleAuthor, Author, Section
from masthead.publishing.services import article_blocks
sections = list(Section.objects.all())
authors = [Author.objects.get_or_create(slug=f"archive-{i}", defaults={"name": f"Archive Writer {i}"})[0] for i in range(50)]
demo_author = Author.objects.get(slug="priya-raman")
now = clock.now()
rng = random.Random(7)
# Bulk creation skips article_save, so the blocks come from the same derivation it uses.
body = "<p>Archive text.</p>" * 8
blocks = article_blocks(body)
politics = Section.objects.get(slug="politics")
# The newest 60 go to Politics by the demo's author in both archives, so every measured page is full in
# both: the comparison is then about the archive's size, not about pages with fewer stories on them.
FULL = 60
batch = []
for i in range(N):
    section = politics if i < FULL else sections[i % len(sections)]
    batch.append(Article(headline=f"Archive story {i}", slug=f"archive-{i}", section=section,
                         status="published", publish_at=now - dt.timedelta(days=40, minutes=i), blocks=blocks,
                         body_html=body, version=1))
    if len(batch) == 5000 or i == N - 1:
        created = Article.objects.bulk_create(batch)
        first = i + 1 - len(created)
        ArticleAuthor.objects.bulk_create(
            ArticleAuthor(article=a, author=demo_author if first + j < FULL or j % 100 == 0 else rng.choice(authors))
            for j, a in enumerate(created))
        batch = []
print(Article.objects.count())
"""

MEASURE = """
import statistics, time, json
from django.core.cache import caches
from django.test import Client
from masthead.core import memo
client = Client()
out = {}
for url in URLS:
    cold, warm = [], []
    for _ in range(REPEAT):
        caches["default"].clear()
        memo.forget_everything()
        started = time.perf_counter(); assert client.get(url).status_code == 200; cold.append(time.perf_counter() - started)
        started = time.perf_counter(); client.get(url); warm.append(time.perf_counter() - started)
    out[url] = [statistics.median(cold) * 1000, statistics.median(warm) * 1000]
print(json.dumps(out))
"""


def build(size: int) -> dict[str, str]:
    """A demo database with ``size`` generated articles; returns its environment."""
    folder = WORK / str(size)
    folder.mkdir(parents=True, exist_ok=True)
    env = production_env(
        folder,
        static=WORK / "static",
        hosts="testserver",
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MASTHEAD_REQUEST_LOG_LEVEL="WARNING",
    )
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "load_demo")
    started = time.perf_counter()
    total = manage(
        env, "shell", "-c", FILL.replace("range(N)", f"range({size})").replace("i == N - 1", f"i == {size} - 1")
    )
    count = total.strip().splitlines()[-1]  # the shell may print its own lines first
    print(f"  {size:,} generated articles in {time.perf_counter() - started:.0f} s (total {count})", flush=True)
    return env


def measure(env: dict[str, str]) -> dict[str, list[float]]:
    """Median cold and warm milliseconds of each URL, in a fresh process."""
    import json

    script = f"URLS = {URLS!r}\nREPEAT = {REPEAT}\n" + MEASURE
    return json.loads(manage(env, "shell", "-c", script).strip().splitlines()[-1])


def alternating(small_env: dict[str, str], large_env: dict[str, str]) -> tuple[dict, dict]:
    """Both archives measured turn about, ROUNDS times, and the median of the rounds taken.

    The machine's speed drifts over minutes; measuring one archive after the other put that drift into
    the ratio (the very same warm page once read 1.39 times slower in the second archive).
    """
    import statistics

    rounds: list[tuple[dict, dict]] = [(measure(small_env), measure(large_env)) for _ in range(ROUNDS)]

    def median_of(side: int) -> dict[str, list[float]]:
        return {url: [statistics.median(r[side][url][kind] for r in rounds) for kind in (0, 1)] for url in URLS}

    return median_of(0), median_of(1)


def main() -> None:
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)
    print("building the small archive", flush=True)
    small_env = build(100)
    print("building the large archive", flush=True)
    large_env = build(int(os.environ.get("ARCHIVE_SIZE", "100000")))
    print(f"measuring both, turn about, {ROUNDS} rounds", flush=True)
    small, large = alternating(small_env, large_env)
    print(
        f"\n{'page':28} {'cold small':>10} {'cold large':>10} {'ratio':>6} {'warm small':>10} {'warm large':>10} {'ratio':>6}"
    )
    worst = 0.0
    for url in URLS:
        (cs, ws), (cl, wl) = small[url], large[url]
        worst = max(worst, cl / cs, wl / ws)
        print(f"{url:28} {cs:9.2f}ms {cl:9.2f}ms {cl / cs:6.2f} {ws:9.2f}ms {wl:9.2f}ms {wl / ws:6.2f}")
    print(f"\nworst ratio large / small: {worst:.2f}")


if __name__ == "__main__":
    main()
