"""The layout in a real browser (Debian's Chromium, as test_browser.py runs it): the
navigation on a phone, the A–Z letters as targets a thumb can hit, and a release's details
beside its text on a desktop, below its heading on a phone."""

import pytest
from django.urls import reverse

from releases.importing import import_releases

from .test_browser import browser
from .test_views import JUNE_2021, SEED_SLUG

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread
__all__ = ["browser"]  # a fixture, used by name


def boxes(page, selector):
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {x: r.x, y: r.y, width: r.width, height: r.height}; })",
    )


def test_navigation_fits_one_line_on_a_375px_phone(live_server, browser):
    """At 375 px the four navigation links sit on one line and nothing scrolls sideways;
    at 320 px they wrap into two even rows."""
    for width, rows in ((375, 1), (320, 2)):
        page = browser.new_page(viewport={"width": width, "height": 700})
        page.goto(live_server.url + reverse("releases:portfolios"))
        links = boxes(page, ".site-nav a")
        assert len(links) == 4
        assert len({round(link["y"]) for link in links}) == rows
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_to_z_letters_are_at_least_24px_targets(live_server, browser):
    """Each letter of the portfolios' and ministers' A–Z is a target of 24 × 24 px or more."""
    assert import_releases([JUNE_2021]).errors == []
    page = browser.new_page(viewport={"width": 375, "height": 700})
    for name in ("releases:portfolios", "releases:ministers"):
        page.goto(live_server.url + reverse(name))
        letters = boxes(page, ".az a")
        assert letters and all(box["width"] >= 24 and box["height"] >= 24 for box in letters)


def test_release_details_sit_beside_the_text_on_a_desktop(live_server, browser):
    """At 1280 px a release's text keeps a readable measure with its ministers and
    portfolios in a column to its right; at 375 px they come above the text."""
    assert import_releases([JUNE_2021]).errors == []
    url = live_server.url + reverse("releases:detail", args=[SEED_SLUG])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    [body], [about] = boxes(page, ".release .body"), boxes(page, ".release-about")
    assert about["x"] >= body["x"] + body["width"]
    assert abs(about["y"] - body["y"]) < 50  # side by side, tops level
    # About 70 characters a line: wide enough to use the screen, narrow enough to read.
    assert 550 <= body["width"] <= 800
    phone = browser.new_page(viewport={"width": 375, "height": 700})
    phone.goto(url)
    [body], [about] = boxes(phone, ".release .body"), boxes(phone, ".release-about")
    assert about["y"] + about["height"] <= body["y"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
