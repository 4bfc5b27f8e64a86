"""Production settings: Django's deployment checklist passes, and missing essentials fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MASTHEAD_HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_key_refuses_to_start():
    result = manage("check", ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_bad_meter_setting_is_a_clear_error():
    result = manage("check", DEBUG="1", MASTHEAD_METER_FAIL="sometimes")
    assert result.returncode != 0
    assert "MASTHEAD_METER_FAIL must be open or closed" in result.stderr


def test_a_bad_trusted_proxy_is_a_clear_error():
    result = manage("check", DEBUG="1", MASTHEAD_TRUSTED_PROXIES="127.0.0.1,nginx.internal")
    assert result.returncode != 0
    assert "MASTHEAD_TRUSTED_PROXIES must list IP addresses or networks" in result.stderr
    assert "'nginx.internal'" in result.stderr


def test_a_production_worker_keeps_what_it_loaded_out_of_full_garbage_collections():
    probe = "import gc, masthead.wsgi; print(gc.get_freeze_count())"
    result = manage("shell", "-c", probe, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="news.example.com")
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.split()[-1]) > 10_000  # Django, the URLconf and the views


def test_a_bad_number_is_a_clear_error_naming_its_variable():
    result = manage("check", DEBUG="1", MASTHEAD_GRACE_DAYS="seven")
    assert result.returncode != 0
    assert "MASTHEAD_GRACE_DAYS must be a whole number of at least 0, not 'seven'" in result.stderr


def test_the_redis_meter_store_without_redis_refuses_to_start():
    result = manage("check", DEBUG="1", MASTHEAD_METER_STORE="redis", REDIS_URL="")
    assert result.returncode != 0
    assert "MASTHEAD_METER_STORE=redis needs REDIS_URL" in result.stderr
