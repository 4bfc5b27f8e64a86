"""An in-process A/B of one reader case: the working tree against a base commit, turn about, no server.

    .venv/bin/python bench/inprocess.py --base 961b92f [--new REF] [--case over_quota] [--rounds 80]

For finding *which* change costs what, where ``make bench`` (wrk against granian, 10 s per case) is too
coarse and too slow to bisect with. Both trees are prepared exactly as ``make bench`` prepares them (each
its own database, demo and readers' cookies, production settings), then each is loaded in a worker
process of its own, pinned to the same core, that calls its WSGI application directly. The two workers
take turns in batches of 30 requests; each round gives one base ÷ new time ratio, and the run prints
the median of those ratios, which cancels the slow drift of a shared machine that makes two separate
timings disagree by 20 %. A ratio below 1 means the working tree is slower. ``--new REF`` puts a second
commit in the working tree's place, so that one step of the history can be measured on its own.

``make bench`` stays the measure the issues quote; this is the tool for the hunt.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import run  # the bench's own preparation, so both tools measure the same sites

BATCH = 30


def worker(spec: str) -> None:
    """Load one prepared tree and answer each batch size read on stdin with the mean µs per request."""
    site = json.loads(spec)
    os.environ.clear()
    os.environ.update(site["env"])
    sys.path.insert(0, site["root"])
    os.chdir(site["root"])
    import importlib
    import logging

    module, attribute = site["app"].split(":")
    application = getattr(importlib.import_module(module), attribute)
    if not site["log"]:
        logging.disable(logging.CRITICAL)  # without --log: no request log line (its cost is not measured)

    def one() -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": site["path"],
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_COOKIE": site["cookie"],
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        status = []
        b"".join(application(environ, lambda answer, headers, exc_info=None: status.append(answer)))
        if not status[0].startswith("200"):
            sys.exit(f"{site['root']}: {site['path']} answered {status[0]}")

    for _ in range(200):  # warm: shells, memos, connections
        one()
    print("ready", flush=True)
    for line in sys.stdin:
        count = int(line)
        started = time.perf_counter()
        for _ in range(count):
            one()
        print((time.perf_counter() - started) / count * 1e6, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, metavar="REF")
    parser.add_argument("--case", default="over_quota", choices=["new", "rereader", "subscriber", "over_quota"])
    parser.add_argument("--new", metavar="REF", help="measure this commit instead of the working tree")
    parser.add_argument("--path", default=run.SEED)
    parser.add_argument("--rounds", type=int, default=80)
    parser.add_argument("--log", action="store_true", help="keep the request log on, written to /dev/null")
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL + Redis (as make bench) instead of SQLite")
    args = parser.parse_args()
    databases: list[str] = []
    try:
        measure(args, databases)
    finally:
        if databases:
            import psycopg

            with psycopg.connect(run.PG_ADMIN, autocommit=True) as admin:
                for name in databases:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(args: argparse.Namespace, databases: list[str]) -> None:
    run.WORK = run.ROOT / "var" / "bench-inprocess"
    shutil.rmtree(run.WORK, ignore_errors=True)
    run.WORK.mkdir(parents=True)
    with run.base_tree(args.base) as base, contextlib.ExitStack() as stack:
        new = run.Tree("new", stack.enter_context(run.base_tree(args.new)).root if args.new else run.ROOT)
        workers = {}
        for tree in (base, new):
            folder = run.WORK / tree.name
            folder.mkdir()
            env = run.production_env(folder, static=folder / "static")
            env["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
            if args.postgres:
                import psycopg

                name = f"masthead_inprocess_{os.getpid()}_{tree.name}"
                with psycopg.connect(run.PG_ADMIN, autocommit=True) as admin:
                    admin.execute(f'CREATE DATABASE "{name}"')
                databases.append(name)
                env["DATABASE_URL"] = run.PG_ADMIN.rsplit("/", 1)[0] + "/" + name
                env |= {"REDIS_URL": run.REDIS_URL, "MASTHEAD_CACHE_PREFIX": name}
            site = run.prepare(tree, env)
            spec = {
                "root": str(tree.root),
                "env": site.env,
                "app": site.app,
                "path": args.path,
                "cookie": site.cookies[args.case],
                "log": args.log,
            }
            workers[tree.name] = subprocess.Popen(
                ["taskset", "-c", run.SERVER_CORE, sys.executable, __file__, "--worker", json.dumps(spec)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if args.log else None,
                text=True,
            )
            if workers[tree.name].stdout.readline().strip() != "ready":
                sys.exit(f"the {tree.name} tree's worker did not start")
        times: dict[str, list[float]] = {"base": [], "new": []}
        ratios = []
        for turn in range(args.rounds):
            for name in ("base", "new") if turn % 2 else ("new", "base"):
                workers[name].stdin.write(f"{BATCH}\n")
                workers[name].stdin.flush()
                times[name].append(float(workers[name].stdout.readline()))
            ratios.append(times["base"][-1] / times["new"][-1])
        for process in workers.values():
            process.stdin.close()
            process.wait()
    print(
        f"{args.case} {args.path}: base {statistics.median(times['base']):.0f} µs, "
        f"new {statistics.median(times['new']):.0f} µs per request; "
        f"new speed ÷ base (median of {args.rounds} turns): {statistics.median(ratios):.3f}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        main()
