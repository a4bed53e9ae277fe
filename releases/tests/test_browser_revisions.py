"""A release's history in a real browser (Debian's Chromium, as test_browser.py runs it):
compare two revisions, read the diff, restore one, with nothing blocked by the
Content-Security-Policy."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from playwright.sync_api import expect

from releases.editorial import revisions
from releases.models import Release

from .test_browser import browser, watched  # noqa: F401 (the fixtures, shared)

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads from another thread


def test_publisher_compares_and_restores_revisions_in_a_browser(live_server, watched):  # noqa: F811
    """A publisher opens a release's history, compares the two revisions chosen for them,
    sees the removed word struck through and the added one underlined, and restores the
    older one; the release stays a draft and the browser blocks nothing."""
    page, problems = watched
    user = User.objects.create_superuser("publisher", password="a long test password")
    release = Release.objects.create(title="Bridge opens", slug="bridge-opens", body="Old words.")
    for body in ("It opens on Monday.", "It opens on Tuesday."):
        with revisions.recorded(user, "Edited"):
            release.body = body
            release.save()

    page.goto(live_server.url + reverse("admin:releases_release_change", args=[release.pk]))
    page.get_by_label("Username").fill("publisher")
    page.get_by_label("Password").fill("a long test password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="History").click()
    expect(page.locator("tr.revision")).to_have_count(2)

    page.get_by_role("button", name="Compare the chosen revisions").click()
    removed, added = page.locator(".diff.body del"), page.locator(".diff.body ins")
    expect(removed).to_have_text("Monday")
    expect(added).to_have_text("Tuesday")
    assert "line-through" in removed.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert "underline" in added.evaluate("e => getComputedStyle(e).textDecorationLine")

    page.get_by_role("button", name="Restore the version of").click()
    expect(page.get_by_text("Its status is unchanged: draft.")).to_be_visible()
    release.refresh_from_db()
    assert (release.body, release.status) == ("It opens on Monday.", Release.Status.DRAFT)
    assert problems == []
