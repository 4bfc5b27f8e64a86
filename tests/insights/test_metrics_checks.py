"""The metrics' system checks: a set-up that would show them to anyone, or miscount them, is named by its id.

Run on the complete production set-up of tests/core/test_checks.py, with the metrics on.
"""

from __future__ import annotations

import secrets

import pytest
from django.core.management.base import SystemCheckError

from tests.core.test_checks import check_deploy, messages

GOOD_TOKEN = secrets.token_urlsafe(32)


@pytest.fixture
def multiproc(tmp_path) -> str:
    return str(tmp_path)


def metrics_messages(settings, **changes) -> dict:
    base = {"MASTHEAD_METRICS_TOKEN": "", "MASTHEAD_METRICS_ALLOW": [], "PROMETHEUS_MULTIPROC_DIR": ""}
    return messages(settings, **{**base, **changes})


def test_a_good_metrics_set_up_passes_every_check(settings, multiproc):
    found = metrics_messages(settings, MASTHEAD_METRICS_TOKEN="short", PROMETHEUS_MULTIPROC_DIR=multiproc)
    assert set(found) == {"masthead.E040"}  # they run
    assert metrics_messages(settings, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN, PROMETHEUS_MULTIPROC_DIR=multiproc) == {}
    assert metrics_messages(settings, MASTHEAD_METRICS_ALLOW=["10.0.0.5"], PROMETHEUS_MULTIPROC_DIR=multiproc) == {}
    assert metrics_messages(settings) == {}  # off: nothing to say
    assert "no issues" in check_deploy(settings, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN, PROMETHEUS_MULTIPROC_DIR=multiproc)


BAD = [
    ({"MASTHEAD_METRICS_TOKEN": "x" * 31}, "masthead.E040"),
    ({"MASTHEAD_METRICS_ALLOW": ["0.0.0.0/0"]}, "masthead.E041"),
    ({"MASTHEAD_METRICS_ALLOW": ["10.0.0.5", "::/0"]}, "masthead.E041"),
    ({"MASTHEAD_METRICS_ALLOW": ["127.0.0.1"]}, "masthead.W041"),
    ({"MASTHEAD_METRICS_ALLOW": ["::1"]}, "masthead.W041"),
]


@pytest.mark.parametrize(("changes", "expected"), BAD, ids=[f"{i}-{e}" for i, (_, e) in enumerate(BAD)])
def test_each_bad_metrics_set_up_is_named_by_its_id_with_a_hint(settings, multiproc, changes, expected):
    found = metrics_messages(settings, PROMETHEUS_MULTIPROC_DIR=multiproc, **changes)
    assert set(found) == {expected}
    assert found[expected].hint
    if expected.startswith("masthead.E"):
        with pytest.raises(SystemCheckError, match=expected.replace(".", r"\.")):
            check_deploy(settings, PROMETHEUS_MULTIPROC_DIR=multiproc, **changes)
    else:
        assert expected in check_deploy(settings, PROMETHEUS_MULTIPROC_DIR=multiproc, **changes)


def test_a_token_or_trusted_proxies_answer_the_allow_list_warnings(settings, multiproc):
    everyone = {"MASTHEAD_METRICS_ALLOW": ["0.0.0.0/0"], "PROMETHEUS_MULTIPROC_DIR": multiproc}
    assert "masthead.E041" in metrics_messages(settings, **everyone)
    assert metrics_messages(settings, **everyone, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN) == {}
    loopback = {"MASTHEAD_METRICS_ALLOW": ["127.0.0.0/8"], "PROMETHEUS_MULTIPROC_DIR": multiproc}
    assert "masthead.W041" in metrics_messages(settings, **loopback)
    assert metrics_messages(settings, **loopback, MASTHEAD_TRUSTED_PROXIES=["127.0.0.1"]) == {}
    assert metrics_messages(settings, **loopback, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN) == {}


def test_metrics_on_without_a_multiprocess_directory_is_a_warning(settings, multiproc):
    found = metrics_messages(settings, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN)
    assert set(found) == {"masthead.W040"}
    assert "PROMETHEUS_MULTIPROC_DIR" in found["masthead.W040"].hint
    assert metrics_messages(settings, MASTHEAD_METRICS_TOKEN=GOOD_TOKEN, PROMETHEUS_MULTIPROC_DIR=multiproc) == {}


def test_in_development_the_metrics_checks_are_quiet(settings):
    assert "masthead.E040" in metrics_messages(settings, MASTHEAD_METRICS_TOKEN="short")
    assert metrics_messages(settings, DEBUG=True, MASTHEAD_METRICS_TOKEN="short") == {}
