"""Real Chromium (Debian's) driven by Playwright against the app served on a local port."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from planner.services import accounts
from tests.serving import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct horse battery"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def live_server(app):
    """The test's app (and its freshly emptied database) served on 127.0.0.1 and a free port."""
    with serving(app) as url:
        yield url


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab (own cookies) whose relative URLs go to the live server."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def staff_login(app):
    """staff_login(role, name, staff_id=None) -> (email, password) of a new active account (linked to a staff record)."""
    made = []

    def make(role: str = "reception", name: str = "Pat Front", staff_id: int | None = None) -> tuple[str, str]:
        email = f"{role}{len(made) + 1}@clinic.example"
        accounts.create_user(email, name, role, PASSWORD, staff_id, now=datetime(2026, 1, 1, tzinfo=timezone.utc))
        made.append(email)
        return email, PASSWORD

    return make


@pytest.fixture
def artifacts() -> Path:
    """Where screenshots go (ignored by git)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
