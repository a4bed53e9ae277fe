"""The filter form in a real browser, on a 320 px wide screen, with no JavaScript of ours.

Runs Debian's Chromium (/usr/bin/chromium, installed by `make test`) through Playwright.
Without it these tests fail rather than skip: a browser check nobody runs checks nothing.
"""

import shutil

import pytest
from playwright import sync_api

from releases.importer import import_releases

from .test_views import JUNE_2021, SEED_TITLE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread


@pytest.fixture
def page(monkeypatch):
    """A Chromium page 320 CSS pixels wide, like a small phone."""
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls happen before any page action, so Django's async guard may stand down.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 320, "height": 640})
        yield context.new_page()
        browser.close()


def test_filter_form_works_at_320px_without_javascript(live_server, page):
    """At 320 px a reader picks a portfolio and a year, submits, sees the seed release and
    the active filters, then removes one filter; nothing scrolls sideways."""
    assert import_releases([JUNE_2021]).errors == []
    page.goto(f"{live_server.url}/releases/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.get_by_label("Portfolios").select_option(label="Trade and Export Growth")
    page.get_by_label("Year").fill("2021")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/releases/?*")

    assert "portfolio=trade-and-export-growth" in page.url and "year=2021" in page.url
    assert page.get_by_role("heading", name="6 releases").is_visible()
    assert page.get_by_role("link", name=SEED_TITLE).first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.get_by_role("link", name="Year: 2021").click()
    page.wait_for_load_state()
    assert "year=" not in page.url and "portfolio=trade-and-export-growth" in page.url


def test_skip_link_appears_on_first_tab(live_server, page):
    """The first Tab reaches the skip link, which becomes visible and leads to the content."""
    page.goto(f"{live_server.url}/releases/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
