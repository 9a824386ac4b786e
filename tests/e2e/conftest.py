"""Browser tests: pytest-playwright driving the system's headless Chromium at
tablet size against `live_server`.

Playwright runs an event loop in the test's thread, so Django's guard against
synchronous ORM calls from async code must be lifted here, and only here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connections

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
TABLET = {"width": 1024, "height": 768}


@pytest.fixture(autouse=True)
def _needs_chromium():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need the system Chromium at {CHROMIUM} (apt install chromium)")


@pytest.fixture(autouse=True)
def _close_connections_of_the_browser_context():
    """Playwright runs the test in a context of its own, where Django opens another
    connection; close it, or it outlives the test database."""
    yield
    connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
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
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": TABLET, "locale": "en-GB"}
