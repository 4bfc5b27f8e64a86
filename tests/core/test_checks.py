"""Masthead's system checks: each bad set-up is named by its id, with a hint, and stops check --deploy."""

from __future__ import annotations

import io

import pytest
from django.core.checks import run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError

# A complete production set-up: every Masthead check is quiet.
PRODUCTION = {
    "DEBUG": False,
    "ALLOWED_HOSTS": ["news.example.com"],
    "MASTHEAD_PAYMENT_PROVIDER": "stripe",
    "STRIPE_API_KEY": "sk_live_masthead",
    "STRIPE_WEBHOOK_SECRET": "whsec_masthead",
    "MASTHEAD_ALLOW_LOCAL_PAYMENTS": False,
    "DEFAULT_FROM_EMAIL": "The Review <newsroom@news.example.com>",
    "MASTHEAD_SITE_URL": "https://news.example.com",
    "MASTHEAD_METER_STORE": "database",
    "MASTHEAD_INSIGHTS_FLUSH_SECONDS": 5,
}

# (what goes wrong, the id that names it)
BAD = [
    ({"STRIPE_API_KEY": ""}, "masthead.E001"),
    ({"STRIPE_WEBHOOK_SECRET": ""}, "masthead.E002"),
    ({"MASTHEAD_PAYMENT_PROVIDER": "local"}, "masthead.E003"),
    ({"DEFAULT_FROM_EMAIL": "newsroom@masthead.invalid"}, "masthead.E004"),
    ({"DEFAULT_FROM_EMAIL": "The Review <newsroom@review.test>"}, "masthead.E004"),
    ({"DEFAULT_FROM_EMAIL": "newsroom"}, "masthead.E004"),
    ({"MASTHEAD_SITE_URL": ""}, "masthead.E005"),
    ({"MASTHEAD_SITE_URL": "news.example.com"}, "masthead.E006"),
    ({"MASTHEAD_SITE_URL": "ftp://news.example.com"}, "masthead.E006"),
    ({"STRIPE_API_KEY": "pk_live_masthead"}, "masthead.W001"),
    ({"STRIPE_WEBHOOK_SECRET": "masthead"}, "masthead.W002"),
    ({"MASTHEAD_SITE_URL": "https://other.example.com"}, "masthead.W003"),
    ({"MASTHEAD_METER_STORE": "memory"}, "masthead.W004"),
    ({"MASTHEAD_GRACE_DAYS": 5}, "masthead.W006"),
    ({"MASTHEAD_INSIGHTS_FLUSH_SECONDS": 0}, "masthead.W020"),
]


def messages(settings, *, deploy: bool = True, **changes) -> dict:
    for name, value in {**PRODUCTION, **changes}.items():
        setattr(settings, name, value)
    return {m.id: m for m in run_checks(tags=["masthead"], include_deployment_checks=deploy)}


def check_deploy(settings, **changes) -> str:
    """``manage.py check --deploy``'s output for Masthead's checks; raises SystemCheckError on an error."""
    for name, value in {**PRODUCTION, **changes}.items():
        setattr(settings, name, value)
    out = io.StringIO()
    call_command("check", "--deploy", "--tag", "masthead", stdout=out, stderr=out)
    return out.getvalue()


def test_a_complete_production_set_up_passes_every_masthead_check(settings):
    assert set(messages(settings, MASTHEAD_SITE_URL="")) == {"masthead.E005"}  # the checks do run
    assert messages(settings) == {}
    assert "no issues" in check_deploy(settings)


@pytest.mark.parametrize(("changes", "expected"), BAD, ids=[f"{i}-{e}" for i, (_, e) in enumerate(BAD)])
def test_each_bad_set_up_is_named_by_its_id_with_a_hint(settings, changes, expected):
    found = messages(settings, **changes)
    assert set(found) == {expected}
    assert found[expected].hint
    if expected.startswith("masthead.E"):
        with pytest.raises(SystemCheckError, match=expected.replace(".", r"\.")):
            check_deploy(settings, **changes)
    else:
        assert expected in check_deploy(settings, **changes)  # shown, but a warning fails nothing


def test_stripe_without_its_keys_is_an_error_in_development_too(settings):
    found = messages(settings, deploy=False, DEBUG=True, STRIPE_API_KEY="", STRIPE_WEBHOOK_SECRET="")
    assert {"masthead.E001", "masthead.E002"} <= set(found)


def test_the_local_provider_in_production_needs_the_operators_say_so(settings):
    assert "masthead.E003" in messages(settings, deploy=False, MASTHEAD_PAYMENT_PROVIDER="local")
    assert "masthead.E003" not in messages(
        settings, deploy=False, MASTHEAD_PAYMENT_PROVIDER="local", MASTHEAD_ALLOW_LOCAL_PAYMENTS=True
    )
    assert "masthead.E003" not in messages(settings, deploy=False, MASTHEAD_PAYMENT_PROVIDER="local", DEBUG=True)


def test_free_payments_stop_every_start_not_only_check_deploy(settings):
    """E003 is not a deploy-only check: migrate, collectstatic and runserver refuse too."""
    found = messages(settings, deploy=False, MASTHEAD_PAYMENT_PROVIDER="local", MASTHEAD_SITE_URL="")
    assert "masthead.E003" in found
    assert "masthead.E005" not in found  # the site URL is a deploy-only check
    assert "masthead.E005" in messages(settings, deploy=True, MASTHEAD_SITE_URL="")


def test_the_development_defaults_pass_in_development(settings):
    development = {"DEFAULT_FROM_EMAIL": "newsroom@masthead.invalid", "MASTHEAD_SITE_URL": ""}
    assert {"masthead.E004", "masthead.E005"} <= set(messages(settings, **development))
    assert messages(settings, DEBUG=True, **development) == {}
