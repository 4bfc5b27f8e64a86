"""Real servers for tests: a fresh database, migrated and filled, served by the production server's workers."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@dataclass(frozen=True)
class Site:
    url: str
    env: dict[str, str]

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, check=check
        )


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that does not log every request to stderr."""

    def log_message(self, *args) -> None:
        pass


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler], *, name: str) -> Iterator[str]:
    """Serve ``handler`` from a thread on a free 127.0.0.1 port; yields the base URL and stops it afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _postgres_database() -> Iterator[str]:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    import psycopg

    name = f"masthead_srv_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def served_site(
    tmp_path: Path,
    *,
    database: str = "sqlite",
    redis: bool = False,
    workers: int = 3,
    setup: str = "",
    demo: bool = False,
    env: Mapping[str, str] | None = None,
) -> Iterator[Site]:
    """Serve a fresh Masthead with deploy/serve; ``setup`` is Python run in ``manage.py shell`` first.

    ``env`` adds or overrides environment variables of the site (e.g. its payment provider).
    """
    extra_env = env or {}
    if redis:
        require_service("Redis", "127.0.0.1", 6379)
    with contextlib.ExitStack() as stack:
        if database == "postgres":
            database_url = stack.enter_context(_postgres_database())
        else:
            database_url = f"sqlite:///{tmp_path / 'site.sqlite3'}"
        env = {
            **os.environ,
            "DEBUG": "0",
            "DATABASE_URL": database_url,
            "SECRET_KEY": "served-site-test-key-" + uuid.uuid4().hex,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MASTHEAD_HTTPS": "0",
            "MASTHEAD_VAR_DIR": str(tmp_path / "var"),
            "MASTHEAD_MEDIA_ROOT": str(tmp_path / "media"),
            "MASTHEAD_STATIC_ROOT": str(tmp_path / "static"),
            "MASTHEAD_CACHE_PREFIX": "test-" + uuid.uuid4().hex[:8],
            # A production-shaped site paying through the local provider: it must say so (masthead.E003).
            "MASTHEAD_ALLOW_LOCAL_PAYMENTS": "1",
        }
        env.pop("REDIS_URL", None)
        if redis:
            env["REDIS_URL"] = REDIS_TEST_URL
            env["MASTHEAD_METER_STORE"] = "redis"
        else:
            env["MASTHEAD_METER_STORE"] = "database"
        env.update(extra_env)
        site = Site("", env)
        site.manage("migrate", "--noinput", "-v", "0")
        site.manage("collectstatic", "--noinput", "-v", "0")
        if demo:
            site.manage("load_demo")
        if setup:
            site.manage("shell", "-c", setup)
        url = stack.enter_context(serving(env, workers=workers))
        yield Site(url, env)


@contextlib.contextmanager
def serving(env: Mapping[str, str], *, workers: int) -> Iterator[str]:
    """Run deploy/serve with ``env`` (a served site's, e.g. to serve its database again); yields its URL."""
    port = free_port()
    # The production server, started the way docs/deploy.md starts it.
    server = subprocess.Popen(
        [str(ROOT / "deploy" / "serve")],
        cwd=ROOT,
        env={**env, "PYTHON": sys.executable, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers)},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, server)
        yield url
    finally:
        _stop(server)


def _wait_until_up(url: str, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with status {server.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer at {url} within {timeout} s")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
