"""Production settings: Django's deployment checklist passes, and missing essentials fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py with only ``env`` configuring Masthead (the test run's own MASTHEAD_*, STRIPE_* are left out)."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not k.startswith(("MASTHEAD_", "STRIPE_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env}, capture_output=True, text=True
    )


PRODUCTION = {
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "news.example.com",
    "MASTHEAD_SITE_URL": "https://news.example.com",
    "MASTHEAD_FROM_EMAIL": "newsroom@news.example.com",
    "MASTHEAD_PAYMENT_PROVIDER": "stripe",
    "STRIPE_API_KEY": "sk_live_" + secrets.token_hex(12),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(12),
}


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_on_stripe_without_its_keys():
    """The command in issue 9: DEBUG off, the stripe provider, no keys."""
    result = manage(
        "check", "--deploy", DEBUG="", MASTHEAD_PAYMENT_PROVIDER="stripe", SECRET_KEY="x", ALLOWED_HOSTS="x"
    )
    assert result.returncode != 0
    assert "(masthead.E001) The stripe provider needs STRIPE_API_KEY" in result.stderr
    assert "(masthead.E002) The stripe provider needs STRIPE_WEBHOOK_SECRET" in result.stderr


def test_production_refuses_the_local_provider_unless_the_operator_opts_in():
    local = {**PRODUCTION, "MASTHEAD_PAYMENT_PROVIDER": "local"}
    refused = manage("check", "--deploy", **local)
    assert refused.returncode != 0
    assert "(masthead.E003) DEBUG is off and the payment provider is local" in refused.stderr
    # Not a deploy-only check: the commands that start a site (migrate, collectstatic, runserver) refuse too.
    assert "masthead.E003" in manage("check", **local).stderr
    allowed = manage("check", "--deploy", "--fail-level", "WARNING", **local, MASTHEAD_ALLOW_LOCAL_PAYMENTS="1")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


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
