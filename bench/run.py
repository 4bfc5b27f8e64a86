"""make bench: the reader pages against the floor (F), measured in the same run.

Serves the demo the way production does (granian, one worker, pinned to one core; BENCH_SERVER=gunicorn
for one sync gunicorn worker) and drives it with wrk pinned to the other core, 16 connections. On SQLite
it also measures (F), (1) and (3) under the other server, to show which is faster. Cases:
  (F) the floor: the seed article as a new reader gets it, fetched once and served as constant bytes
      behind Django's handler and all of the site's middleware (bench/floor.py)
  (1) the seed article for a new anonymous reader (meter counted)   (2) the same reader re-reading it
  (3) a subscriber   (4) an over-quota reader (paywall + teaser)   (5) the front page
on SQLite, and on PostgreSQL + Redis when they answer on 127.0.0.1. Each case shows its throughput as a
ratio to (F) and its p99 as a multiple of (F)'s p99 (targets are relative to the floor of the same run).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "var" / "bench"
DURATION = os.environ.get("BENCH_DURATION", "10s")
CONNECTIONS = os.environ.get("BENCH_CONNECTIONS", "16")
SEED = "/politics/tense-us-russia-relations-complicate-abes-diplomacy/"
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
SERVER_CORE, LOAD_CORE = "0", "1"

SETUP_SUBSCRIBER = """
import datetime as dt, json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from masthead.core import clock
from masthead.subscriptions.models import Plan, Subscription
User = get_user_model()
user, _ = User.objects.get_or_create(username="bench-subscriber@example.com", defaults={"email": "bench-subscriber@example.com"})
user.set_password("bench subscriber password"); user.save()
now = clock.now()
Subscription.objects.get_or_create(user=user, defaults=dict(plan=Plan.objects.get(slug="monthly"), status="active",
    provider="local", current_period_start=now, current_period_end=now + dt.timedelta(days=30), ever_paid=True, created_at=now))
from django.shortcuts import resolve_url
browser = Client(SERVER_NAME="127.0.0.1")
browser.get(resolve_url(settings.LOGIN_URL))  # a signed-in browser holds the CSRF cookie the sign-in form gave it
browser.force_login(user)  # and a session made as signing in makes it
print(json.dumps({"session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
                  "csrftoken": browser.cookies[settings.CSRF_COOKIE_NAME].value}))
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
FLOOR_NAME = "(F) floor: Django + middleware, constant"


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


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
    for name in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    return {**env, **extra}


def manage(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


SERVERS = ("granian", "gunicorn")
SERVER = os.environ.get("BENCH_SERVER", "granian")


def server_command(server: str, app: str, port: int, workers: int) -> tuple[list[str], dict[str, str]]:
    """The production command line (and its environment) of ``server`` for one WSGI ``app``."""
    if server == "granian":
        settings = {"PYTHON": sys.executable, "PORT": str(port), "WEB_CONCURRENCY": str(workers)}
        return [str(ROOT / "deploy" / "serve")], {**settings, "HOST": "127.0.0.1", "MASTHEAD_WSGI_APP": app}
    if server == "gunicorn":
        return [
            *[sys.executable, "-m", "gunicorn", app, "--workers", str(workers), "--bind", f"127.0.0.1:{port}"],
            *["--no-control-socket", "--log-level", "warning"],
        ], {}
    sys.exit(f"BENCH_SERVER must be one of {', '.join(SERVERS)}, not {server!r}")


@contextlib.contextmanager
def serve(env: dict, app: str, *, server: str = SERVER, workers: int = 1, pin: bool = True, log_name: str = ""):
    """``app`` served by ``server`` on a free port (pinned to the server core); yields (url, server pid)."""
    port = free_port()
    log = open(WORK / f"{server}-{log_name or app.replace(':', '-')}.log", "a")  # noqa: SIM115 -- closed below
    command, settings = server_command(server, app, port, workers)
    command = (["taskset", "-c", SERVER_CORE] if pin else []) + command
    process = subprocess.Popen(command, cwd=ROOT, env={**env, **settings}, stdout=log, stderr=log)
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


def wrk(url: str, headers: dict[str, str], name: str) -> Result:
    header_args = [arg for key, value in headers.items() for arg in ("-H", f"{key}: {value}")]
    base = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", "--latency", *header_args, url]
    subprocess.run([*base[:5], "-d2s", *base[5:]], capture_output=True, text=True, check=True)  # warm-up
    out = subprocess.run([*base[:5], f"-d{DURATION}", *base[5:]], capture_output=True, text=True, check=True).stdout
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


def floor_env(env: dict) -> dict:
    """``env`` for serving (F): the site's WSGI application with bench/floor_settings.py (see bench/floor.py)."""
    page = WORK / "floor.html"
    size = manage(env, "shell", "-c", f"SEED = {SEED!r}\nTARGET = {str(page)!r}\n" + FLOOR_PAGE).strip().splitlines()
    if not size or int(size[-1]) < 1000:
        sys.exit(f"the floor page is suspiciously small: {size}")
    return {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_settings", "BENCH_FLOOR_PAGE": str(page)}


def run_backend(label: str, env: dict, *, memory: bool = False, compare: bool = False) -> tuple[float, float]:
    """Every case against (F) on one backend; returns the worst ratio to (F) and the worst p99 multiple of (1)-(4)."""
    print(f"\n== {label} (served by {SERVER}) ==", flush=True)
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "compilemessages", "--ignore=.venv", "-v", "0")
    manage(env, "load_demo")
    subscriber = json.loads(manage(env, "shell", "-c", SETUP_SUBSCRIBER).strip().splitlines()[-1])
    subscriber_cookie = f"sessionid={subscriber['session']}; csrftoken={subscriber['csrftoken']}"
    floor_settings = floor_env(env)
    with serve(floor_settings, "masthead.wsgi:application", log_name="floor") as (url, _pid):
        floor = wrk(url + SEED, {}, FLOOR_NAME)
    results = []
    memory_line = ""
    with serve(env, "masthead.wsgi:application") as (url, pid):
        cookies = reader_cookies(url)
        results.append(wrk(url + SEED, {}, "(1) new anonymous reader, meter counted"))
        results.append(wrk(url + SEED, {"Cookie": cookies["rereader"]}, "(2) same reader re-reading"))
        results.append(wrk(url + SEED, {"Cookie": subscriber_cookie}, "(3) subscriber"))
        results.append(wrk(url + SEED, {"Cookie": cookies["over_quota"]}, "(4) over-quota reader (teaser)"))
        results.append(wrk(url + "/", {}, "(5) front page"))
        if memory:
            served, at_5k, at_50k = memory_growth(url + SEED, pid)
            memory_line = (
                f"worker peak memory: {at_5k / 1024:.1f} MiB after ~5,000 requests, {at_50k / 1024:.1f} MiB "
                f"after {served:,} ({(at_50k / at_5k - 1) * 100:+.1f}%)"
            )
    print_floor_table(floor, results)
    worst_ratio = min(result.rps / floor.rps for result in results[:4])
    worst_p99 = max(result.p99_ms / floor.p99_ms for result in results[:4])
    print(f"{label}: worst ratio to floor {worst_ratio:.2f}, worst p99 to floor {worst_p99:.2f}")
    if memory:
        print(memory_line)
    if compare:
        compare_servers(floor_settings, env, [floor, results[0], results[2]], subscriber_cookie)
    return worst_ratio, worst_p99


def print_floor_table(floor: Result, results: list[Result]) -> None:
    print(f"{'case':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'÷ (F)':>6} {'p99 × (F)':>9}")
    for result in [floor, *results]:
        print(
            f"{result.name:44} {result.rps:9.1f} {result.p50_ms:8.2f} {result.p99_ms:8.2f} {result.errors:7d} "
            f"{result.rps / floor.rps:6.2f} {result.p99_ms / floor.p99_ms:9.2f}",
            flush=True,
        )


def compare_servers(floor_settings: dict, env: dict, ours: list[Result], subscriber_cookie: str) -> None:
    """(F), (1) and (3) under the other production servers, to show why SERVER serves the rest."""
    for server in (s for s in SERVERS if s != SERVER):
        with serve(floor_settings, "masthead.wsgi:application", server=server, log_name="floor") as (url, _pid):
            others = [wrk(url + SEED, {}, "(F)")]
        with serve(env, "masthead.wsgi:application", server=server) as (url, _pid):
            others.append(wrk(url + SEED, {}, "(1)"))
            others.append(wrk(url + SEED, {"Cookie": subscriber_cookie}, "(3)"))
        for mine, theirs in zip(ours, others, strict=True):
            print(
                f"under {server}: {mine.name[:3]} {theirs.rps:.1f} req/s, p99 {theirs.p99_ms:.2f} ms "
                f"(under {SERVER}: {mine.rps:.1f} req/s, p99 {mine.p99_ms:.2f} ms)"
            )


def main() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    if (os.cpu_count() or 1) < 2:
        sys.exit("make bench needs two cores: one for the server, one for wrk")
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = production_env(WORK, static=WORK / "static")
    memory = os.environ.get("BENCH_MEMORY", "1") != "0"
    worst = [
        run_backend(
            "SQLite", {**env, "DATABASE_URL": f"sqlite:///{WORK / 'bench.sqlite3'}"}, memory=memory, compare=True
        )
    ]
    if reachable("127.0.0.1", 5432) and reachable("127.0.0.1", 6379):
        import psycopg

        name = f"masthead_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            pg_env = {
                **env,
                "DATABASE_URL": PG_ADMIN.rsplit("/", 1)[0] + "/" + name,
                "REDIS_URL": REDIS_URL,
                "MASTHEAD_CACHE_PREFIX": name,
            }
            worst.append(run_backend("PostgreSQL + Redis", pg_env))
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        print("\nPostgreSQL or Redis is not reachable on 127.0.0.1: only SQLite was measured.")
    print(f"\nworst ratio to floor: {min(ratio for ratio, _ in worst):.2f}")
    print(f"worst p99 to floor: {max(p99 for _, p99 in worst):.2f}")


if __name__ == "__main__":
    main()
