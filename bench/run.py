"""make bench: the reader pages against the floor (F) measured in the same run, and with BASE against a base commit.

Serves the demo the way production does (the tree's deploy/serve: granian, one worker, pinned to one core;
BENCH_SERVER=gunicorn for one sync gunicorn worker) and drives it with wrk pinned to the other core, 16
connections. Cases:
  (F) the floor: the seed article as a new reader gets it, fetched once and served as constant bytes
      behind Django's handler and all of the site's middleware (bench/floor.py)
  (1) the seed article for a new anonymous reader (meter counted)   (2) the same reader re-reading it
  (3) a subscriber   (4) an over-quota reader (paywall + teaser)   (5) the front page
on SQLite, and on PostgreSQL + Redis when they answer on 127.0.0.1. Each case shows its throughput as a
ratio to (F) and its p99 as a multiple of (F)'s p99: targets are relative to the floor of the same run.
The run ends with "worst ratio to floor" and "worst p99 to floor" over (1)-(4) of every backend.

``--base REF`` (``make bench BASE=REF``) checks REF out in a temporary git worktree (removed at the
end), prepares it like the working tree (its own var/ folder and database; the project's .venv) and
serves each tree from its own checkout with its own code (the application its WSGI_APPLICATION names),
turn about: each round measures (F), then serves both trees and measures each case on the two back to
back, the first of the pair turning about from case to case and round to round. A case's new / base is
the median over the rounds of each round's pair: on a machine shared with other work one round can be
disturbed either way, and the median drops it where the best would keep whichever side was luckiest.
The run ends with "worst ratio to base" over (1)-(5) of every backend. (F) is always the working tree's.

Environment: BENCH_SECONDS per measurement (default 10, after a warm-up), BENCH_ROUNDS (default 3 with
--base, else 1), BENCH_CONNECTIONS, BENCH_SERVER, BENCH_MEMORY=0/1 and BENCH_COMPARE=0/1 (the worker's
memory growth and the other server, SQLite without --base only; on by default at full length).
BENCH_SECONDS=2 BENCH_ROUNDS=2 is a check that the script works, not a measurement.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
FULL_LENGTH = SECONDS >= 10
WARM_UP = 2 if FULL_LENGTH else 1
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
SEED = "/politics/tense-us-russia-relations-complicate-abes-diplomacy/"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVER_CORE, LOAD_CORE = "0", "1"

# Run in each tree, so only what both the working tree and older commits have. Also names the tree's
# WSGI application and the package it imports, so each tree is served with its own code.
SETUP_SUBSCRIBER = """
import datetime as dt, json
import masthead
from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import resolve_url
from django.test import Client
from masthead.core import clock
from masthead.subscriptions.models import Plan, Subscription
User = get_user_model()
user, _ = User.objects.get_or_create(username="bench-subscriber@example.com", defaults={"email": "bench-subscriber@example.com"})
user.set_password("bench subscriber password"); user.save()
now = clock.now()
Subscription.objects.get_or_create(user=user, defaults=dict(plan=Plan.objects.get(slug="monthly"), status="active",
    provider="local", current_period_start=now, current_period_end=now + dt.timedelta(days=30), ever_paid=True, created_at=now))
browser = Client(SERVER_NAME="127.0.0.1")
browser.get(resolve_url(settings.LOGIN_URL))  # a signed-in browser holds the CSRF cookie the sign-in form gave it
browser.force_login(user)  # and a session made as signing in makes it
cookie = "; ".join(f"{name}={browser.cookies[name].value}" for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME))
print(json.dumps({"cookie": cookie, "app": settings.WSGI_APPLICATION, "package": masthead.__file__}))
"""
# (F)'s bytes: the seed article as a new anonymous reader gets it, through the site's own URLconf and views.
FLOOR_PAGE = """
from pathlib import Path
from django.test import Client
response = Client(SERVER_NAME="127.0.0.1").get(SEED)
assert response.status_code == 200, response.status_code
Path(TARGET).write_bytes(response.content)
print(len(response.content))
"""
FLOOR = "(F) floor: Django + middleware, constant"
# name, path, whose cookies (see Site.cookies)
CASES = [
    ("(1) new anonymous reader, meter counted", SEED, "new"),
    ("(2) same reader re-reading", SEED, "rereader"),
    ("(3) subscriber", SEED, "subscriber"),
    ("(4) over-quota reader (teaser)", SEED, "over_quota"),
    ("(5) front page", "/", "new"),
]
FLOOR_CASES = 4  # (1)-(4): the article page; the worst lines are over these


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass(frozen=True)
class Tree:
    """A checkout to serve: the working tree ("new") or the base commit's temporary worktree ("base")."""

    name: str
    root: Path


@dataclass
class Site:
    """One tree prepared on one backend: its environment, WSGI application and readers' cookies."""

    tree: Tree
    env: dict[str, str]
    app: str
    cookies: dict[str, str]
    rounds: list[list[Result]] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def production_env(folder: Path, *, static: Path, hosts: str = "127.0.0.1", **extra: str) -> dict[str, str]:
    """The environment of a production-like Masthead with its files under ``folder`` (SQLite unless overridden)."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + uuid.uuid4().hex,
        "ALLOWED_HOSTS": hosts,
        "MASTHEAD_HTTPS": "0",
        "MASTHEAD_VAR_DIR": str(folder),
        "MASTHEAD_MEDIA_ROOT": str(folder / "media"),
        "MASTHEAD_STATIC_ROOT": str(static),
        "MASTHEAD_ADMIN_PASSWORD": "bench-admin-password",
        # Production-shaped, but paying through the local provider: it must say so (masthead.E003).
        "MASTHEAD_ALLOW_LOCAL_PAYMENTS": "1",
    }
    # PYTHONPATH could put another checkout's masthead in front of the tree's own.
    for name in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "PYTHONPATH"):
        env.pop(name, None)
    return {**env, **extra}


def manage(env: dict, *args: str, root: Path = ROOT) -> str:
    """``manage.py args`` of the tree at ``root``, with that tree's code."""
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed in {root}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SERVERS = ("granian", "gunicorn")
SERVER = os.environ.get("BENCH_SERVER", "granian")


def server_command(server: str, app: str, port: int, workers: int, root: Path) -> tuple[list[str], dict[str, str]]:
    """The production command line (and its environment) of ``server`` for one WSGI ``app`` of the tree ``root``."""
    if server == "granian":
        settings = {"PYTHON": sys.executable, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        return [str(root / "deploy" / "serve")], {**settings, "HOST": "127.0.0.1", "MASTHEAD_WSGI_APP": app}
    if server == "gunicorn":
        return [
            *[sys.executable, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"],
            *["--no-control-socket", "--log-level", "warning"],
        ], {}
    sys.exit(f"BENCH_SERVER must be one of {', '.join(SERVERS)}, not {server!r}")


@contextlib.contextmanager
def serve(
    env: dict,
    app: str,
    *,
    server: str = SERVER,
    workers: int = 1,
    pin: bool = True,
    root: Path = ROOT,
    log_name: str = "",
):
    """``app`` of the tree ``root`` served by ``server`` on a free port (pinned to the server core); yields
    (url, server pid)."""
    port = free_port()
    log = open(WORK / f"{server}-{log_name or app.replace(':', '-')}.log", "a")  # noqa: SIM115 -- closed below
    command, settings = server_command(server, app, port, workers, root)
    command = (["taskset", "-c", SERVER_CORE] if pin else []) + command
    process = subprocess.Popen(command, cwd=root, env={**env, **settings}, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/healthz", timeout=2).read()
                break
            time.sleep(0.2)
        else:
            sys.exit(f"{app} did not start under {server}; see {log.name}")
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


def wrk(url: str, cookie: str, name: str) -> Result:
    header_args = ["-H", f"Cookie: {cookie}"] if cookie else []
    base = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", "--latency", *header_args, url]
    subprocess.run([*base[:5], f"-d{WARM_UP}s", *base[5:]], capture_output=True, text=True, check=True)
    out = subprocess.run([*base[:5], f"-d{SECONDS}s", *base[5:]], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)) else 0
    errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    return Result(name, rps, _latency(out, "50%"), _latency(out, "99%"), errors)


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def worker_peak_kib(master_pid: int) -> int:
    """Peak resident memory (VmHWM) of the worker process under the server process ``master_pid``."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    status = Path(f"/proc/{children[0]}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))


def memory_growth(url: str, master_pid: int) -> tuple[int, int, int]:
    """Drive new readers until 5,000 then 50,000 requests; returns (requests, peak at 5k, peak at 50k) in KiB."""
    served, at_5k = 0, 0
    while served < 50_000:
        out = subprocess.run(
            ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", "-d5s", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        served += int(re.search(r"(\d+) requests in", out).group(1))
        if not at_5k and served >= 5_000:
            at_5k = worker_peak_kib(master_pid)
    return served, at_5k, worker_peak_kib(master_pid)


def reader_cookies(base_url: str) -> dict[str, str]:
    """Cookies of a reader who has read the seed, and of one who spent the meter on other stories."""

    def cookie_after(paths: list[str]) -> str:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for path in paths:
            opener.open(base_url + path).read()
        return "; ".join(f"{c.name}={c.value}" for c in jar)

    front = urllib.request.urlopen(base_url + "/").read().decode()
    others = [
        p
        for p in dict.fromkeys(
            re.findall(r'href="(/(?:politics|world|business|technology|science|culture)/[a-z0-9-]+/)"', front)
        )
        if p != SEED
    ]
    return {"rereader": cookie_after([SEED]), "over_quota": cookie_after(others[:8])}


def prepare(tree: Tree, env: dict[str, str]) -> Site:
    """The demo in ``tree``'s database, a subscriber's session and two readers' cookies, made with its own code."""
    manage(env, "migrate", "--noinput", "-v", "0", root=tree.root)
    manage(env, "collectstatic", "--noinput", "-v", "0", root=tree.root)
    manage(env, "compilemessages", "--ignore=.venv", "-v", "0", root=tree.root)
    manage(env, "load_demo", root=tree.root)
    info = json.loads(manage(env, "shell", "-c", SETUP_SUBSCRIBER, root=tree.root).strip().splitlines()[-1])
    if not Path(info["package"]).resolve().is_relative_to(tree.root.resolve()):
        sys.exit(f"the {tree.name} tree ({tree.root}) imported masthead from {info['package']}")
    app = ":".join(info["app"].rsplit(".", 1))  # WSGI_APPLICATION "masthead.wsgi.application"
    with serve(env, app, root=tree.root, log_name=tree.name) as (url, _pid):
        readers = reader_cookies(url)
    return Site(tree, env, app, {"new": "", "subscriber": info["cookie"], **readers})


def floor_env(site: Site) -> dict[str, str]:
    """The environment serving (F) from ``site``: its WSGI application with bench/floor_settings.py."""
    page = WORK / "floor.html"
    script = f"SEED = {SEED!r}\nTARGET = {str(page)!r}\n" + FLOOR_PAGE
    size = manage(site.env, "shell", "-c", script).strip().splitlines()
    if not size or int(size[-1]) < 1000:
        sys.exit(f"the floor page is suspiciously small: {size}")
    return {**site.env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings", "BENCH_FLOOR_PAGE": str(page)}


def measure_floor(env: dict[str, str], app: str, server: str = SERVER) -> Result:
    with serve(env, app, server=server, log_name="floor") as (url, _pid):
        return wrk(url + SEED, "", FLOOR)


def measure_sides(sides: list[Site], number: int) -> None:
    """Cases (1)-(5) of every side, each in a server of its own tree, appended to each side's rounds.

    With two sides, both servers run at once (an idle one costs nothing) and each case is measured on
    the two back to back, the first side turning about from case to case and round to round. A pair
    is then 10 s apart rather than a whole round, so the shared machine's drift falls on both alike.
    """
    with contextlib.ExitStack() as stack:
        urls = [stack.enter_context(serve(s.env, s.app, root=s.tree.root, log_name=s.tree.name))[0] for s in sides]
        results: list[list[Result]] = [[] for _ in sides]
        for index, (name, path, who) in enumerate(CASES):
            order = list(range(len(sides)))
            for k in order if (number + index) % 2 else reversed(order):
                results[k].append(wrk(urls[k] + path, sides[k].cookies[who], name))
    for side, measured in zip(sides, results, strict=True):
        side.rounds.append(measured)


def median(results: list[Result]) -> Result:
    """Per figure, the median of the rounds (errors: their sum)."""
    return Result(
        results[0].name,
        statistics.median(r.rps for r in results),
        statistics.median(r.p50_ms for r in results),
        statistics.median(r.p99_ms for r in results),
        sum(r.errors for r in results),
    )


@dataclass
class Worst:
    to_floor: float
    p99_to_floor: float
    to_base: float | None = None


def run_backend(label: str, new: Site, base: Site | None, *, rounds: int, extras: bool) -> Worst:
    """Every case against (F), and against ``base`` when given, the sides turn about for ``rounds`` rounds."""
    sides = [s for s in (base, new) if s is not None]
    print(f"\n== {label} (served by {SERVER}; {rounds} round(s) of {SECONDS} s per case) ==", flush=True)
    floor_settings = floor_env(new)
    floors = []
    for number in range(1, rounds + 1):
        floors.append(measure_floor(floor_settings, new.app))
        progress = [f"(F) {floors[-1].rps:.0f}"]
        measure_sides(sides, number)
        for side in sides:
            progress.append(f"{side.tree.name} " + " ".join(f"{r.rps:.0f}" for r in side.rounds[-1]))
        print(f"round {number}/{rounds}, req/s of (F) and (1)-(5): " + " | ".join(progress), flush=True)
    floor = median(floors)
    results = [median([one[i] for one in new.rounds]) for i in range(len(CASES))]
    how = f"median of {rounds} rounds" if rounds > 1 else "one round"
    print(
        f"\n{'case (' + how + ')':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ (F)':>6} {'p99×(F)':>8}"
    )
    for result in [floor, *results]:
        print(
            f"{result.name:44} {result.rps:9.1f} {result.p50_ms:8.2f} {result.p99_ms:8.2f} {result.errors:7d} "
            f"{result.rps / floor.rps:6.2f} {result.p99_ms / floor.p99_ms:8.2f}",
            flush=True,
        )
    worst = Worst(
        min(result.rps / floor.rps for result in results[:FLOOR_CASES]),
        max(result.p99_ms / floor.p99_ms for result in results[:FLOOR_CASES]),
    )
    print(f"{label}: worst ratio to floor {worst.to_floor:.2f}, worst p99 to floor {worst.p99_to_floor:.2f}")
    if base is not None:
        worst.to_base = compare_to_base(base, new, results, how)
        print(f"{label}: worst ratio to base {worst.to_base:.2f}")
    if extras and os.environ.get("BENCH_MEMORY", "1" if FULL_LENGTH else "0") != "0":
        with serve(new.env, new.app, log_name="memory") as (url, pid):
            served, at_5k, at_50k = memory_growth(url + SEED, pid)
        print(
            f"worker peak memory: {at_5k / 1024:.1f} MiB after ~5,000 requests, {at_50k / 1024:.1f} MiB "
            f"after {served:,} ({(at_50k / at_5k - 1) * 100:+.1f}%)"
        )
    if extras and os.environ.get("BENCH_COMPARE", "1" if FULL_LENGTH else "0") != "0":
        compare_servers(floor_settings, new, [floor, results[0], results[2]])
    return worst


def compare_to_base(base: Site, new: Site, results: list[Result], how: str) -> float:
    """Prints each case's new / base throughput (and both p99s); returns the worst ratio.

    A case's new÷base is the median, over the rounds, of the ratio of its two back-to-back
    measurements in that round (``measure_sides``), not the ratio of two medians taken minutes apart.
    """
    before = [median([one[i] for one in base.rounds]) for i in range(len(CASES))]
    ratios = [
        statistics.median(mine[i].rps / theirs[i].rps for mine, theirs in zip(new.rounds, base.rounds, strict=True))
        for i in range(len(CASES))
    ]
    print(
        f"\n{'case (' + how + ')':44} {'base req/s':>10} {'new req/s':>10} {'new÷base':>9} {'base p99':>9} {'new p99':>8}"
    )
    for old, result, ratio in zip(before, results, ratios, strict=True):
        print(
            f"{result.name:44} {old.rps:10.1f} {result.rps:10.1f} {ratio:9.2f} {old.p99_ms:9.2f} {result.p99_ms:8.2f}"
        )
    print("new÷base: the median over the rounds of each round's pair, measured back to back")
    errors = sum(r.errors for r in before)
    if errors:
        print(f"the base answered {errors} requests with an error or not at all")
    return min(ratios)


def compare_servers(floor_settings: dict, new: Site, ours: list[Result]) -> None:
    """(F), (1) and (3) under the other production servers, to show why SERVER serves the rest."""
    for server in (s for s in SERVERS if s != SERVER):
        others = [measure_floor(floor_settings, new.app, server)]
        with serve(new.env, new.app, server=server) as (url, _pid):
            others.append(wrk(url + SEED, "", "(1)"))
            others.append(wrk(url + SEED, new.cookies["subscriber"], "(3)"))
        for mine, theirs in zip(ours, others, strict=True):
            print(
                f"under {server}: {mine.name[:3]} {theirs.rps:.1f} req/s, p99 {theirs.p99_ms:.2f} ms "
                f"(under {SERVER}: {mine.rps:.1f} req/s, p99 {mine.p99_ms:.2f} ms)"
            )


@contextlib.contextmanager
def base_tree(ref: str | None):
    """A temporary git worktree of ``ref`` (None: no base), removed afterwards."""
    if ref is None:
        yield None
        return
    found = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    if found.returncode != 0:
        sys.exit(f"BASE={ref} names no commit")
    commit = found.stdout.strip()
    folder = Path(tempfile.mkdtemp(prefix="masthead-bench-base-"))
    root = folder / "masthead"
    subprocess.run(["git", "worktree", "add", "--detach", "--quiet", str(root), commit], cwd=ROOT, check=True)
    print(f"base: {ref} = {commit[:12]}, checked out in {root}")
    try:
        yield Tree("base", root)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(root)], cwd=ROOT, check=False)
        shutil.rmtree(folder, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=ROOT, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", metavar="REF", help="also measure this commit, turn about with the working tree")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if (os.cpu_count() or 1) < 2:
        sys.exit("make bench needs two cores: one for the server, one for wrk")
    rounds = int(os.environ.get("BENCH_ROUNDS", "3" if args.base else "1"))
    if (load := os.getloadavg()[0]) > 1:
        print(f"load average {load:.1f} before the run: other work shares the two cores, so every figure is noisy")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    trees = [Tree("new", ROOT)]
    worst: list[Worst] = []
    with base_tree(args.base) as base:
        trees += [base] if base else []
        for tree in trees:
            (WORK / tree.name).mkdir()
        envs = {t: production_env(WORK / t.name, static=WORK / t.name / "static") for t in trees}
        sqlite = {t: {**envs[t], "DATABASE_URL": f"sqlite:///{WORK / t.name / 'bench.sqlite3'}"} for t in trees}
        sites = {t.name: prepare(t, sqlite[t]) for t in trees}
        worst.append(run_backend("SQLite", sites["new"], sites.get("base"), rounds=rounds, extras=not base))
        if reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379):
            worst.append(postgres_and_redis(trees, envs, rounds))
        else:
            print("\nPostgreSQL or Redis is not reachable on 127.0.0.1: only SQLite was measured.")
    print(f"\nworst ratio to floor: {min(w.to_floor for w in worst):.2f}")
    print(f"worst p99 to floor: {max(w.p99_to_floor for w in worst):.2f}")
    if args.base:
        print(f"worst ratio to base: {min(w.to_base for w in worst):.2f}")


def postgres_and_redis(trees: list[Tree], envs: dict[Tree, dict[str, str]], rounds: int) -> Worst:
    """The run on PostgreSQL + Redis: a database and a cache prefix of its own for each tree, dropped afterwards."""
    import psycopg

    run = f"masthead_bench_{uuid.uuid4().hex[:8]}"
    names = {t: f"{run}_{t.name}" for t in trees}
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'CREATE DATABASE "{name}"')
        sites = {}
        for tree, name in names.items():
            env = {
                **envs[tree],
                "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
                "REDIS_URL": REDIS_URL,
                "MASTHEAD_CACHE_PREFIX": name,
            }
            sites[tree.name] = prepare(tree, env)
        return run_backend("PostgreSQL + Redis", sites["new"], sites.get("base"), rounds=rounds, extras=False)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
