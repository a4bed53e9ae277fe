"""The site in a real browser: the filter form on a 320 px wide screen, with no JavaScript
of ours, and the public pages and the admin's widgets under the Content-Security-Policy.

Runs Debian's Chromium (/usr/bin/chromium, installed by `make test`) through Playwright.
Without it these tests fail rather than skip: a browser check nobody runs checks nothing.
"""

import shutil

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.urls import reverse
from playwright import sync_api
from playwright.sync_api import expect

from releases.importing import import_releases
from releases.models import Release

from .conftest import fixture, release_text
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


# Each violation of the page's Content-Security-Policy, as the browser reports it to the
# page, is written to the console, where the `watched` fixture collects it.
VIOLATION = "CSP violation:"
REPORT_VIOLATIONS = f"""
document.addEventListener("securitypolicyviolation", (event) => console.error(
  `{VIOLATION} ${{event.effectiveDirective}} blocked ${{event.blockedURI}}`
  + ` (${{event.sourceFile}}:${{event.lineNumber}})`));
"""


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium, headless."""
    # Playwright's sync API runs an event loop in this thread; the test's own database
    # calls happen before any page action, so Django's async guard may stand down.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While Playwright's loop runs, Django (through asgiref's Local) gives this thread's
        # queries a connection of their own, apart from the one the test database's flush
        # and teardown use, and nothing else would close it: on PostgreSQL it stayed open
        # and the test database could not be dropped ("being accessed by other users").
        connections.close_all()


@pytest.fixture
def page(browser):
    """A Chromium page 320 CSS pixels wide, like a small phone."""
    return browser.new_context(viewport={"width": 320, "height": 640}).new_page()


@pytest.fixture
def watched(browser):
    """A desktop-sized page, and the list of what the browser blocked on it or complained
    of: each CSP violation event, each console message naming the Content Security Policy,
    and each uncaught JavaScript error (a widget broken by the policy would raise one)."""
    page = browser.new_context(
        viewport={"width": 1280, "height": 900}, timezone_id="Pacific/Auckland"
    ).new_page()
    page.add_init_script(REPORT_VIOLATIONS)
    # Offline: other sites' images fail at once. The browser applies the policy before it
    # makes a request, so what the policy blocks is still reported.
    page.route("https://**", lambda route: route.abort())
    problems = []

    def on_console(message):
        if message.text.startswith(VIOLATION) or "Content Security Policy" in message.text:
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{error.name}: {error.message}"))
    return page, problems


def test_filter_form_works_at_320px_without_javascript(live_server, page):
    """At 320 px a reader picks a portfolio and a year, submits, sees the seed release and
    the active filters, then removes one filter; nothing scrolls sideways."""
    assert import_releases([JUNE_2021]).errors == []
    page.goto(f"{live_server.url}/releases/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.get_by_role("checkbox", name="Trade and Export Growth").check()
    page.get_by_label("Year").fill("2021")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/releases/?*")

    assert "portfolio=trade-and-export-growth" in page.url and "year=2021" in page.url
    # Six in the sample, one a copy of another (editorial/duplicates.py), listed once.
    expect(page.get_by_role("heading", name="5 releases")).to_be_visible()
    expect(page.get_by_role("link", name=SEED_TITLE).first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.get_by_role("link", name="Year: 2021").click()
    page.wait_for_load_state()
    assert "year=" not in page.url and "portfolio=trade-and-export-growth" in page.url


def focus_by_tab(page, name, limit=80):
    """Press Tab until the element named `name` has the focus; the number of presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        label = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return (e.labels && e.labels[0] ? e.labels[0].innerText : e.innerText) || ''; })()"
        )
        if label.strip().startswith(name):
            return presses
    raise AssertionError(f"Tab never reached {name!r}")


def test_filters_are_reachable_from_the_top_and_usable_by_keyboard(live_server, browser):
    """On a 375 px phone the first link in the results leads to the filters; from there a
    keyboard alone ticks a portfolio box (44 px high), types a date day first and applies
    them, and the results say so."""
    assert import_releases([JUNE_2021]).errors == []
    page = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
    page.goto(f"{live_server.url}/releases/")
    to_filters = page.get_by_role("link", name="Filter these releases")
    first_result = page.locator(".release-card").first
    assert to_filters.bounding_box()["y"] < first_result.bounding_box()["y"]
    assert to_filters.bounding_box()["y"] < 740  # on the first screen
    # Reached by keyboard before any result: the header's links, then this one.
    focus_by_tab(page, "Filter these releases", limit=12)
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#filters'")
    expect(page.get_by_role("heading", name="Filter releases")).to_be_visible()

    box = page.get_by_role("checkbox", name="Trade and Export Growth")
    target = page.locator("label[for]", has=page.get_by_text("Trade and Export Growth")).first
    assert box.bounding_box()["height"] >= 24 and target.bounding_box()["height"] >= 24
    focus_by_tab(page, "Trade and Export Growth")
    page.keyboard.press("Space")
    assert box.is_checked()
    focus_by_tab(page, "From")
    page.keyboard.type("1 6 2021")
    focus_by_tab(page, "Apply filters")
    page.keyboard.press("Enter")
    page.wait_for_url("**/releases/?*")
    assert "portfolio=trade-and-export-growth" in page.url and "date_after=1+6+2021" in page.url
    expect(page.get_by_role("link", name="Portfolio: Trade and Export Growth")).to_be_visible()
    expect(page.get_by_role("link", name="From: 1 June 2021")).to_be_visible()
    assert page.get_by_role("checkbox", name="Trade and Export Growth").is_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


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


# Under the Content-Security-Policy ------------------------------------------------------

DOG_TRAINING = fixture("2006/04/2006-04-07-annette-king-visits-nz-police-dog-training-centre.md")
DOG_TRAINING_SLUG = "annette-king-visits-nz-police-dog-training-centre"


def test_public_pages_work_under_the_content_security_policy(live_server, watched):
    """A reader opens the home page, a release with photos from the old site, and searches
    from the header; the browser blocks nothing."""
    page, problems = watched
    assert import_releases([JUNE_2021, DOG_TRAINING]).errors == []
    page.goto(live_server.url)
    page.get_by_role("link", name=SEED_TITLE).first.click()
    expect(page.get_by_role("heading", level=1, name=SEED_TITLE)).to_be_visible()

    page.goto(live_server.url + reverse("releases:detail", args=[DOG_TRAINING_SLUG]))
    photo = page.get_by_role("img", name="Police Minister Annette King visits NZ Police Dog")
    assert photo.get_attribute("src").startswith("https://www.beehive.govt.nz/sites/default/")

    page.get_by_label("Search releases").fill("trade mission")
    page.get_by_label("Search releases").press("Enter")
    page.wait_for_url("**/releases/?q=trade+mission")
    expect(page.get_by_role("link", name=SEED_TITLE).first).to_be_visible()
    assert problems == []


def test_images_from_other_hosts_are_blocked(live_server, watched, write):
    """A body's image from a host other than the old site is blocked, and the browser says
    so; its image from the old site is not. (This also shows `watched` sees violations.)"""
    page, problems = watched
    body = "![Chart](https://images.example.com/chart.png)\n\n![Bridge](/sites/default/bridge.jpg)"
    assert import_releases([write("bridge.md", release_text(body=body))]).errors == []
    page.goto(live_server.url + Release.objects.get().get_absolute_url())
    page.wait_for_load_state("networkidle")
    blocked = [problem for problem in problems if problem.startswith(VIOLATION)]
    assert len(blocked) == 1
    assert blocked[0].startswith(
        f"{VIOLATION} img-src blocked https://images.example.com/chart.png"
    )


def test_pages_cannot_ask_for_the_readers_location(live_server, watched):
    """The Permissions-Policy switches geolocation off: a request for it fails at once."""
    page, _ = watched
    page.goto(live_server.url)
    error = page.evaluate(
        """new Promise((resolve) => navigator.geolocation.getCurrentPosition(
            () => resolve("allowed"), (error) => resolve(error.message)))"""
    )
    assert "disabled in this document by permissions policy" in error


def test_admin_widgets_work_under_the_content_security_policy(live_server, watched):
    """An editor logs in and adds a release: the slug fills itself in from the title, the
    ministers box finds a minister as they type, the calendar picks a date, and the
    change list's select-all and filters work; the browser blocks nothing."""
    page, problems = watched
    assert import_releases([JUNE_2021]).errors == []
    User.objects.create_superuser("editor", password="a long test password")

    page.goto(live_server.url + reverse("admin:releases_release_add"))
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()

    # The slug follows the title key by key, as Django's prepopulate.js listens for keyup.
    page.get_by_label("Title").press_sequentially("Kiwi bridge opens")
    assert page.get_by_label("Slug").input_value() == "kiwi-bridge-opens"

    page.locator(".field-ministers .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Damien")
    page.get_by_role("option", name="Damien O'Connor").click()

    page.get_by_label("Date").fill("2021-06-01")
    page.get_by_role("link", name="Choose a Date").first.click()
    page.locator(".calendarbox").get_by_role("link", name="15", exact=True).click()
    assert page.get_by_label("Date").input_value() == "2021-06-15"

    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(live_server.url + reverse("admin:releases_release_changelist"))
    expect(page.get_by_text("was added successfully")).to_be_visible()
    release = Release.objects.get(title="Kiwi bridge opens")
    assert release.slug == "kiwi-bridge-opens"
    assert release.date.isoformat() == "2021-06-15"
    assert [m.name for m in release.ministers.all()] == ["Damien O'Connor"]

    page.locator("#action-toggle").check()
    expect(page.get_by_text("8 of 8 selected")).to_be_visible()
    page.get_by_role("link", name="Draft").click()
    page.wait_for_url("**?publication=draft")
    expect(page.get_by_role("link", name="Kiwi bridge opens")).to_be_visible()
    expect(page.get_by_text("1 release")).to_be_visible()
    assert problems == []
