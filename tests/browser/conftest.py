"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Chromium is the system one (`apt install chromium`), never a browser Playwright downloads.
In CI (the `CI` variable set) a missing Chromium fails the tests; elsewhere they skip and
say why.

Two things about the database:

- Playwright's sync API marks an asyncio loop as running in the test thread for as long as
  it is started. Django then refuses ORM calls (hence DJANGO_ALLOW_ASYNC_UNSAFE below) and
  hands out connections of their own, so each test starts the browser after its database
  is ready and closes those connections before the database is flushed.
- The live server needs a transactional database, whose tables are flushed after each test,
  and with them the rows the data migrations made (parliaments, the "Response editors"
  group). Browser tests are marked `live_db` (`serialized_rollback`), which reloads those
  rows before each test, and `migrated_rows_restored` reloads them after the last one, so
  the tests that run later find the database as `migrate` left it.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

live_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(scope="package", autouse=True)
def migrated_rows_restored(django_db_setup, django_db_blocker):
    """After the browser tests, put back the rows `migrate` made, which their flush removed."""
    yield
    with django_db_blocker.unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def browser(live_server):
    """A headless Chromium, started once the test's database and live server are ready."""
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"no Chromium at {CHROMIUM}: install it with `apt install chromium`"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        # Connections the test opened while Playwright ran; the database flush comes next.
        connections.close_all()
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context; every request it makes is kept in `.requests`."""

    def open_page(*, java_script_enabled=True, width=1280, height=800):
        context = browser.new_context(
            base_url=live_server.url,
            java_script_enabled=java_script_enabled,
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.requests = []
        page.on("request", lambda request: page.requests.append(request.url))
        return page

    return open_page


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot(request):
    """Save a numbered screenshot of each step into test-artifacts/<test name>/."""
    folder = ARTIFACTS / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    steps = []

    def take(page, name, **kwargs):
        steps.append(name)
        path = folder / f"{len(steps):02d}-{name}.png"
        page.screenshot(path=path, **kwargs)
        return path

    return take
