"""(F), the floor of `make bench`: the site's settings and middleware in front of a view that returns constant bytes.

The floor is only a yardstick if it pays what every page of the site pays: these tests pin that its
settings are the site's but for the URLconf, and that its answer went through the site's middleware.
"""

from __future__ import annotations

import importlib
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_the_floor_settings_are_the_sites_but_for_the_urlconf() -> None:
    site = importlib.import_module("masthead.settings")
    floor = importlib.import_module("bench.floor_settings")
    names = {name for module in (site, floor) for name in dir(module) if name.isupper()}
    assert "MIDDLEWARE" in names and floor.MIDDLEWARE == site.MIDDLEWARE
    assert {name for name in names if getattr(site, name, None) != getattr(floor, name, None)} == {"ROOT_URLCONF"}


def test_the_floor_answers_every_path_with_its_page_through_the_sites_middleware(
    client, settings, tmp_path, monkeypatch
) -> None:
    page = b"<!doctype html><title>Seed headline</title><p>The seed article's teaser.</p>"
    (tmp_path / "floor.html").write_bytes(page)
    monkeypatch.setenv("BENCH_FLOOR_PAGE", str(tmp_path / "floor.html"))
    monkeypatch.delitem(sys.modules, "bench.floor", raising=False)  # it reads the page when imported
    settings.ROOT_URLCONF = "bench.floor"
    for path in ("/politics/tense-us-russia-relations-complicate-abes-diplomacy/", "/healthz", "/no/such/page/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.content == page
        assert response.headers["X-Frame-Options"] == "DENY"  # Django's clickjacking middleware
        assert response.headers["Content-Language"]  # the site's own PublicationMiddleware
