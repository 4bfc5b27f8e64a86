"""Browser journeys: Playwright for Python driving Debian's /usr/bin/chromium (never a downloaded browser)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from tests.conftest import _isolated, clock  # noqa: F401 -- the same clean cache, media and static set-up

CHROMIUM = Path(os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("MASTHEAD_ARTIFACTS", "test-artifacts")).resolve()
SCREENSHOTS = ARTIFACTS / "screenshots" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")

# pytest-django's live_server runs Django in a thread beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (install Debian's package: apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under the run's folder; returns its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The live server with the demo newsroom loaded."""
    from masthead.demo.loader import demo_load

    os.environ["MASTHEAD_ADMIN_PASSWORD"] = "demo-e2e-password"
    try:
        demo_load()
    finally:
        os.environ.pop("MASTHEAD_ADMIN_PASSWORD", None)
    return live_server


def confirmation_link() -> str:
    """The link in the last mail sent (the live server runs in this process, mailing to Django's outbox)."""
    from django.core import mail

    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS.exists():
        terminalreporter.write_line(f"Browser screenshots saved under {SCREENSHOTS}")
