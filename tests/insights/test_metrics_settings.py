"""The metrics' settings are validated once, as they load: a value that cannot be right anywhere is refused."""

from __future__ import annotations

import importlib.util
import secrets
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[2] / "masthead" / "settings.py"
GOOD_TOKEN = secrets.token_urlsafe(32)


def load_settings(monkeypatch, **env: str):
    """masthead/settings.py run afresh with ``env`` added to the environment, as a worker would load it."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("masthead_settings_probe", SETTINGS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_good_values_load(monkeypatch, tmp_path):
    loaded = load_settings(
        monkeypatch,
        MASTHEAD_METRICS_TOKEN=f"  {GOOD_TOKEN} ",
        MASTHEAD_METRICS_ALLOW="10.0.0.5, 192.0.2.0/24,2001:db8::/32,10.1.2.3/8",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
    )
    assert loaded.MASTHEAD_METRICS_TOKEN == GOOD_TOKEN
    assert loaded.MASTHEAD_METRICS_ALLOW == ["10.0.0.5", "192.0.2.0/24", "2001:db8::/32", "10.1.2.3/8"]
    assert str(tmp_path) == loaded.PROMETHEUS_MULTIPROC_DIR


def test_unset_they_are_off(monkeypatch):
    for name in ("MASTHEAD_METRICS_TOKEN", "MASTHEAD_METRICS_ALLOW", "PROMETHEUS_MULTIPROC_DIR"):
        monkeypatch.delenv(name, raising=False)
    loaded = load_settings(monkeypatch)
    assert (loaded.MASTHEAD_METRICS_TOKEN, loaded.MASTHEAD_METRICS_ALLOW, loaded.PROMETHEUS_MULTIPROC_DIR) == (
        "",
        [],
        "",
    )


@pytest.mark.parametrize("token", ["two words", "tökén", 'quote"d', "semi;colon", "new\nline" + "x" * 40])
def test_a_token_a_header_cannot_carry_is_refused(monkeypatch, token):
    with pytest.raises(ImproperlyConfigured, match="MASTHEAD_METRICS_TOKEN must be") as refused:
        load_settings(monkeypatch, MASTHEAD_METRICS_TOKEN=token)
    assert token not in str(refused.value)  # a secret is not repeated into logs


def test_an_allow_list_entry_that_is_no_address_is_refused_by_name(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="MASTHEAD_METRICS_ALLOW must list IP addresses") as refused:
        load_settings(monkeypatch, MASTHEAD_METRICS_ALLOW="10.0.0.5,prometheus.internal")
    assert "'prometheus.internal'" in str(refused.value)


@pytest.mark.parametrize("entry", ["10.0.0.0/33", "300.1.1.1", "10.0.0.5:9090", "*"])
def test_malformed_addresses_are_refused(monkeypatch, entry):
    with pytest.raises(ImproperlyConfigured, match="MASTHEAD_METRICS_ALLOW"):
        load_settings(monkeypatch, MASTHEAD_METRICS_ALLOW=entry)


def test_a_multiprocess_directory_that_is_not_there_is_refused(monkeypatch, tmp_path):
    assert load_settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path)).PROMETHEUS_MULTIPROC_DIR
    with pytest.raises(ImproperlyConfigured, match="PROMETHEUS_MULTIPROC_DIR must be a directory"):
        load_settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "missing"))
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    with pytest.raises(ImproperlyConfigured, match="PROMETHEUS_MULTIPROC_DIR must be a directory"):
        load_settings(monkeypatch, PROMETHEUS_MULTIPROC_DIR=str(a_file))
